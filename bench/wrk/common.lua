-- Shared by every scenario: reads the fixtures (one line per organization: owner
-- email, organization id, hot project id, a member id, access token) and writes the
-- run's figures as JSON to $BENCH_RESULT when wrk is done.

local fixtures = {}

function load_fixtures()
  local path = os.getenv("BENCH_FIXTURES")
  for line in io.lines(path) do
    local email, org, project, member, token = line:match("^(%S+)\t(%S+)\t(%S+)\t(%S+)\t?(%S*)$")
    if email then
      table.insert(fixtures, { email = email, org = org, project = project, member = member, token = token })
    end
  end
  if #fixtures == 0 then
    error("no fixtures in " .. tostring(path))
  end
  return fixtures
end

function bearer(f)
  return { ["Authorization"] = "Bearer " .. f.token, ["X-Tenant-Id"] = f.org, ["Content-Type"] = "application/json" }
end

-- Requests are formatted once per thread (wrk.format is the expensive part of a Lua
-- request() call); each call then picks one at random, so wrk stays light.
function prepare(build)
  local requests = {}
  for _, f in ipairs(fixtures) do
    table.insert(requests, build(f))
  end
  return requests
end

function pick_prepared(requests)
  return requests[math.random(#requests)]
end

function init(args)
  load_fixtures()
  math.randomseed(os.time() + (tonumber(tostring({}):sub(8)) or 0))
  if setup_requests then
    setup_requests()
  end
end

function done(summary, latency, requests)
  local out = assert(io.open(os.getenv("BENCH_RESULT"), "w"))
  local seconds = summary.duration / 1e6
  out:write(string.format(
    '{"scenario":"%s","phase":"%s","connections":%s,"duration_s":%.3f,"requests":%d,"rps":%.1f,' ..
    '"latency_us":{"mean":%.1f,"p50":%d,"p90":%d,"p95":%d,"p99":%d,"max":%d},' ..
    '"errors":{"connect":%d,"read":%d,"write":%d,"timeout":%d,"non_2xx_3xx":%d}}\n',
    os.getenv("BENCH_SCENARIO"), os.getenv("BENCH_PHASE"), os.getenv("BENCH_CONNECTIONS"),
    seconds, summary.requests, summary.requests / seconds,
    latency.mean, latency:percentile(50), latency:percentile(90), latency:percentile(95),
    latency:percentile(99), latency.max,
    summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.timeout,
    summary.errors.status))
  out:close()
end
