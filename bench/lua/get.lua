-- GET the paths in BENCH_PATHS (comma-separated) in turn.
dofile(os.getenv("BENCH_LUA") .. "/common.lua")
local paths = {}
for path in string.gmatch(os.getenv("BENCH_PATHS"), "[^,]+") do table.insert(paths, path) end
local n = 0

function read_request()
  n = n + 1
  return wrk.format("GET", paths[(n % #paths) + 1])
end

request = read_request

function response(status, headers, body)
  tally(status)
end
