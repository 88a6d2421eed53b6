-- Shared by the bench scripts: per-thread tallies, and one JSON line at the end.
-- Each wrk thread runs its own copy of the script; `done` runs in the main
-- thread and collects the tallies with thread:get.
local threads = {}

function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end

per_second = {}
statuses = {}

function tally(status)
  local second = os.time()
  per_second[second] = (per_second[second] or 0) + 1
  statuses[status] = (statuses[status] or 0) + 1
end

local function json_map(map)
  local parts = {}
  for key, value in pairs(map) do
    table.insert(parts, string.format('"%s": %d', tostring(key), value))
  end
  return "{" .. table.concat(parts, ", ") .. "}"
end

function done(summary, latency, requests)
  local seconds, codes = {}, {}
  for _, thread in ipairs(threads) do
    for second, count in pairs(thread:get("per_second")) do seconds[second] = (seconds[second] or 0) + count end
    for status, count in pairs(thread:get("statuses")) do codes[status] = (codes[status] or 0) + count end
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_us": %d, "errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, '
      .. '"latency_us": {"p50": %d, "p90": %d, "p99": %d, "max": %d, "mean": %.1f}, "statuses": %s, "per_second": %s}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean,
    json_map(codes), json_map(seconds)))
end
