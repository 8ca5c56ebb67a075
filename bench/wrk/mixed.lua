-- Scenario 5: 80% list (scenario 3), 20% create (scenario 4).
package.path = os.getenv("BENCH_WRK_DIR") .. "/?.lua;" .. package.path
require("common")
require("list")
require("create")

function setup_requests()
  lists = list_requests()
  creates = create_requests()
end

function request()
  if math.random(100) <= 80 then
    return pick_prepared(lists)
  end
  return pick_prepared(creates)
end
