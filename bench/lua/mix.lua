-- A crowd: nine reads (page and count, in turn) for each signature.
dofile(os.getenv("BENCH_LUA") .. "/sign.lua")
local reads = {}
for path in string.gmatch(os.getenv("BENCH_PATHS"), "[^,]+") do table.insert(reads, path) end
local m = 0

function request()
  m = m + 1
  if m % 10 == 0 then return sign_request() end
  return wrk.format("GET", reads[(m % #reads) + 1])
end
