-- Counts responses by status per thread; `done` prints them as one JSON line for run.py.
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) statuses = {} end
function response(status, headers, body) statuses[status] = (statuses[status] or 0) + 1 end
function done(summary, latency, requests)
  local total = {}
  for _, t in ipairs(threads) do
    local s = t:get("statuses")
    for code, n in pairs(s) do total[code] = (total[code] or 0) + n end
  end
  local parts = {}
  for code, n in pairs(total) do table.insert(parts, string.format('"%d":%d', code, n)) end
  io.write(string.format('STATUSES {%s}\n', table.concat(parts, ",")))
  io.write(string.format('LATENCY {"p50":%d,"p99":%d,"requests":%d,"seconds":%f}\n',
    latency:percentile(50), latency:percentile(99), summary.requests, summary.duration / 1e6))
end
