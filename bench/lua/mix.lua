-- A crowd: nine reads (of BENCH_PATHS, in turn) for each signature.
dofile(os.getenv("BENCH_LUA") .. "/sign.lua")
dofile(os.getenv("BENCH_LUA") .. "/get.lua")
local m = 0

function request()
  m = m + 1
  if m % 10 == 0 then return sign_request() end
  return read_request()
end
