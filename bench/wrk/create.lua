-- Scenario 4: create a task (one transaction: task row, outbox events, audit entry).
package.path = os.getenv("BENCH_WRK_DIR") .. "/?.lua;" .. package.path
require("common")
creates = nil

function create_requests()
  return prepare(function(f)
    local body = string.format('{"title":"Load task","assignee_id":"%s","estimate_minutes":30}', f.member)
    return wrk.format("POST", "/api/v1/projects/" .. f.project .. "/tasks", bearer(f), body)
  end)
end

function setup_requests()
  creates = create_requests()
end

function request()
  return pick_prepared(creates)
end
