-- Requests for wrk: a GET of the URL, or with "create <label>" after "--", a POST of a new user
-- (emails unique to the label, the thread and the request). Prints what was measured as JSON.
local creating, label, sequence = false, "run", 0
local started = 0  -- threads set up so far, in the main script
thread_number = 0  -- a global: setup() gives each thread's copy its own number

function setup(thread)
  started = started + 1
  thread:set("thread_number", started)
end

function init(args)
  creating = args[1] == "create"
  label = args[2] or label
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

function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    '{"requests": %d, "microseconds": %d, "p50": %d, "p99": %d, "status_errors": %d, ' ..
    '"socket_errors": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    errors.status, errors.connect + errors.read + errors.write + errors.timeout))
end
