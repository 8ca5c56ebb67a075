-- Scenario 1: POST /api/v1/auth/login as a random owner (argon2id bound).
package.path = os.getenv("BENCH_WRK_DIR") .. "/?.lua;" .. package.path
require("common")
local password = os.getenv("BENCH_PASSWORD")
local logins

function setup_requests()
  logins = prepare(function(f)
    local body = string.format('{"email":"%s","password":"%s"}', f.email, password)
    return wrk.format("POST", "/api/v1/auth/login", { ["Content-Type"] = "application/json" }, body)
  end)
end

function request()
  return pick_prepared(logins)
end
