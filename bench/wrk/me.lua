-- Scenario 2: GET /api/v1/users/me, the per-request authentication cost.
package.path = os.getenv("BENCH_WRK_DIR") .. "/?.lua;" .. package.path
require("common")
local reads

function setup_requests()
  reads = prepare(function(f)
    return wrk.format("GET", "/api/v1/users/me", { ["Authorization"] = "Bearer " .. f.token })
  end)
end

function request()
  return pick_prepared(reads)
end
