-- Scenario 3: a page of 20 tasks of a hot project, filtered by status, newest first.
package.path = os.getenv("BENCH_WRK_DIR") .. "/?.lua;" .. package.path
require("common")
lists = nil

function list_requests()
  return prepare(function(f)
    local path = "/api/v1/projects/" .. f.project .. "/tasks?status=todo&sort_by=created_at&order=desc&size=20"
    return wrk.format("GET", path, bearer(f))
  end)
end

function setup_requests()
  lists = list_requests()
end

function request()
  return pick_prepared(lists)
end
