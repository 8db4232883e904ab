-- Requests for wrk, after "--": the status each answer must have, then "create <label>" for a
-- POST of a new user (emails unique to the label, the thread and the request) instead of a GET
-- of the URL. Prints what was measured as JSON.
local creating, expected, label, sequence = false, 200, "run", 0
local threads = {}  -- in the main script: each thread, to read its counts when the run is done
thread_number = 0  -- globals: setup() gives each thread's copy its own number,
unexpected = 0  -- and each thread counts its own answers with another status

function setup(thread)
  table.insert(threads, thread)
  thread:set("thread_number", #threads)
end

function init(args)
  expected = tonumber(args[1]) or expected
  creating = args[2] == "create"
  label = args[3] or label
end

function request()
  if not creating then
    return wrk.format("GET")
  end
  sequence = sequence + 1
  local email = string.format("%s.%d.%d@bench.example", label, thread_number, sequence)
  local body = string.format('{"email": "%s", "name": "Bench"}', email)
  return wrk.format("POST", nil, {["Content-Type"] = "application/json"}, body)
end

function response(status, headers, body)
  if status ~= expected then
    unexpected = unexpected + 1
  end
end

function done(summary, latency, requests)
  local wrong = 0
  for _, thread in ipairs(threads) do
    wrong = wrong + thread:get("unexpected")
  end
  local errors = summary.errors
  io.write(string.format(
    '{"requests": %d, "microseconds": %d, "p50": %d, "p99": %d, "unexpected": %d, ' ..
    '"socket_errors": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    wrong, errors.connect + errors.read + errors.write + errors.timeout))
end
