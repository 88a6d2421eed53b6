-- POST confirmation links read from BENCH_FILE, each thread its own share.
dofile(os.getenv("BENCH_LUA") .. "/common.lua")
local links, n = nil, 0

function request()
  if links == nil then
    links = {}
    local threads = tonumber(os.getenv("BENCH_THREADS"))
    local line_number = 0
    for line in io.lines(os.getenv("BENCH_FILE")) do
      if line_number % threads == id - 1 then table.insert(links, line) end
      line_number = line_number + 1
    end
  end
  n = n + 1
  return wrk.format("POST", links[((n - 1) % #links) + 1])
end

function response(status, headers, body)
  tally(status)
end
