-- wrk script of bench.bench_search: rotate over a list of requests written by the Python side, one
-- per line: "<path> [htmx]" (the path already percent-encoded; "htmx" adds HX-Request: true, as the
-- live search sends). Each thread starts at its own place in the list. At the end one JSON line
-- (prefixed WRKJSON) with the counts, errors and latency percentiles in microseconds.
--
--   wrk -t1 -c8 -d5s -s bench/search_load.lua http://127.0.0.1:PORT -- /tmp/requests.txt

local threads = {}
local requests = {}
local position = 0

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  local file = assert(io.open(args[1], "r"))
  for line in file:lines() do
    local path, flag = line:match("^(%S+)%s*(%S*)$")
    if path then
      local headers = {}
      if flag == "htmx" then headers["HX-Request"] = "true" end
      table.insert(requests, wrk.format("GET", path, headers))
    end
  end
  file:close()
  position = (id or 0) * 7919
end

function request()
  position = position + 1
  return requests[(position % #requests) + 1]
end

function done(summary, latency, _requests)
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests": %d, "duration_us": %d, "bytes": %d, "connect_errors": %d, "read_errors": %d, ' ..
    '"write_errors": %d, "status_errors": %d, "timeouts": %d, "p50_us": %d, "p90_us": %d, "p99_us": %d, ' ..
    '"max_us": %d, "mean_us": %.1f}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean))
end
