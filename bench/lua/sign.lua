-- POST the sign form at BENCH_PATH with an address no request used before.
dofile(os.getenv("BENCH_LUA") .. "/common.lua")
local path, origin, run = os.getenv("BENCH_PATH"), os.getenv("BENCH_ORIGIN"), os.getenv("BENCH_RUN")
local headers = {["Content-Type"] = "application/x-www-form-urlencoded", ["Origin"] = origin}
local n = 0

function sign_request()
  n = n + 1
  local body = string.format(
    "name=Bench+Signer+%d&email=%s-%d-%d%%40example.org&country=GB&postcode=SW1A+1AA&consent_campaign_updates=on",
    n, run, id, n)
  return wrk.format("POST", path, headers, body)
end

request = sign_request

function response(status, headers, body)
  tally(status)
end
