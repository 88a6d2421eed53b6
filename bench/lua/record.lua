-- POST batches of BENCH_BATCH new signatures to the API's record endpoint at BENCH_PATH with BENCH_TOKEN.
dofile(os.getenv("BENCH_LUA") .. "/common.lua")
local path, run, batch = os.getenv("BENCH_PATH"), os.getenv("BENCH_RUN"), tonumber(os.getenv("BENCH_BATCH"))
local headers = {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. os.getenv("BENCH_TOKEN")}
local n = 0

function record_request()
  local entries = {}
  for _ = 1, batch do
    n = n + 1
    table.insert(entries, string.format(
      '{"name": "Bench Stall %d", "email": "%s-%d-%d@example.org", "country": "GB", "consent_campaign_updates": true}',
      n, run, id, n))
  end
  return wrk.format("POST", path, headers, '{"signatures": [' .. table.concat(entries, ",") .. "]}")
end

request = record_request

function response(status, headers, body)
  tally(status)
end
