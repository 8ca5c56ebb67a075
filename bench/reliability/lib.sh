# Shared by the reliability scripts: start a tenantry server in its own directory and
# sign a user in. Source it; it expects `root` (the repository) to be set.

# free_port: a TCP port nobody listens on right now.
free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# start_server DIR PORT [ENV=VALUE...]: `tenantry serve` in DIR, waits for /ready;
# sets server_pid. The binary is $TENANTRY_BIN (default: target/debug/tenantry).
start_server() {
    local dir="$1" port="$2"
    shift 2
    mkdir -p "$dir"
    (cd "$dir" && exec env TENANTRY__SERVER__PORT="$port" TENANTRY__RATE_LIMIT__ENABLED=false \
        TENANTRY__LOG__LEVEL="${TENANTRY_LOG_LEVEL:-warn}" "$@" "${TENANTRY_BIN:-$root/target/debug/tenantry}" serve \
        >>"$dir/server.log" 2>&1) &
    server_pid=$!
    for _ in $(seq 1 150); do
        curl -fs "http://127.0.0.1:$port/ready" >/dev/null 2>&1 && return 0
        kill -0 "$server_pid" 2>/dev/null || break
        sleep 0.2
    done
    echo "the server did not become ready; its log:" >&2
    tail -n 20 "$dir/server.log" >&2
    return 1
}

# json_field NAME: the string value of a top-level field of the JSON on stdin.
json_field() {
    python3 -c 'import json, sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"
}

password="correct horse battery staple"

# sign_up BASE EMAIL: registers and logs in; prints the access token.
sign_up() {
    curl -fs -X POST "$1/api/v1/auth/register" -H 'content-type: application/json' \
        -d "{\"email\":\"$2\",\"password\":\"$password\",\"display_name\":\"Reliability\"}" >/dev/null
    log_in "$1" "$2"
}

# log_in BASE EMAIL: prints a fresh access token.
log_in() {
    curl -fs -X POST "$1/api/v1/auth/login" -H 'content-type: application/json' \
        -d "{\"email\":\"$2\",\"password\":\"$password\"}" | json_field access_token
}

# create_organization BASE TOKEN NAME: prints the new organization's id.
create_organization() {
    curl -fs -X POST "$1/api/v1/organizations" -H "authorization: Bearer $2" -H 'content-type: application/json' \
        -d "{\"name\":\"$3\"}" | json_field id
}
