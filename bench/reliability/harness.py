"""Helpers shared by the reliability scripts: HTTP calls with the stdlib, free ports,
waiting, and a signed-in organization owner with a project."""

import json
import os
import socket
import subprocess
import time
import urllib.error
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PASSWORD = "correct horse battery staple"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def as_postgres(args):
    """initdb and pg_ctl refuse to run as root: run them as the postgres user then."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--"] + args
    return args


def call(method, url, body=None, token=None, tenant=None, timeout=40, raise_errors=False):
    """(status, decoded body); status 0 when no answer came, unless `raise_errors`."""
    headers = {"content-type": "application/json"}
    if token:
        headers["authorization"] = f"Bearer {token}"
    if tenant:
        headers["x-tenant-id"] = tenant
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            return answer.status, json.loads(answer.read() or b"null")
    except urllib.error.HTTPError as error:
        raw = error.read()
        try:
            return error.code, json.loads(raw or b"null")
        except ValueError:
            return error.code, raw.decode(errors="replace")
    except (urllib.error.URLError, ConnectionError, TimeoutError, OSError) as error:
        if raise_errors:
            raise
        return 0, str(error)


def wait_for(predicate, seconds, what, fail=True):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if predicate():
                return True
        except Exception:  # noqa: BLE001 - still coming up
            pass
        time.sleep(0.25)
    if fail:
        raise SystemExit(f"timed out waiting for {what}")
    return False


def server_binary():
    """target/debug/tenantry (built by `cargo test --workspace`) unless $TENANTRY_BIN names another."""
    binary = os.environ.get("TENANTRY_BIN", os.path.join(ROOT, "target/debug/tenantry"))
    if not os.path.exists(binary):
        subprocess.run(["cargo", "build", "--locked", "-p", "tenantry-server"], cwd=ROOT, check=True)
    return binary


def start_server(work, env_overrides):
    """`tenantry serve` in `work` on a free port, rate limits off; answers (process, base URL)."""
    port = free_port()
    env = dict(os.environ, TENANTRY__SERVER__PORT=str(port), TENANTRY__RATE_LIMIT__ENABLED="false",
               TENANTRY__LOG__LEVEL="warn", **env_overrides)
    log = open(os.path.join(work, "server.log"), "a")
    server = subprocess.Popen([server_binary(), "serve"], cwd=work, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    wait_for(lambda: call("GET", f"{base}/ready")[0] == 200, 60, "the server to become ready")
    return server, base


def owner_with_project(base, email="owner@example.com"):
    """Registers `email`, signs in, creates an organization and a project: (token, tenant, project)."""
    call("POST", f"{base}/api/v1/auth/register", {"email": email, "password": PASSWORD, "display_name": "Owner"})
    _, login = call("POST", f"{base}/api/v1/auth/login", {"email": email, "password": PASSWORD})
    token = login["access_token"]
    _, org = call("POST", f"{base}/api/v1/organizations", {"name": "Reliability"}, token)
    _, project = call("POST", f"{base}/api/v1/projects", {"name": "Under fire"}, token, org["id"])
    return token, org["id"], project["id"]
