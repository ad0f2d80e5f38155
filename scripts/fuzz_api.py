"""Fuzz the JSON API with schemathesis, as a signed-in user, on SQLite and on MariaDB.

    .venv/bin/python scripts/fuzz_api.py [--database sqlite|mariadb|all] [--max-examples N]

For each database: the real app under uvicorn on 127.0.0.1 (a fresh SQLite file with the
in-process Redis stand-in, or a fresh MariaDB database with the local Redis under a key prefix
of its own), one registered account with an interview under way, then `st run` against
`/api/openapi.json` with that account's bearer token. The server counts every request it
answers and every 5xx; schemathesis reports each check that failed. Exit status 1 on any server
error or any response that does not match the schema (status code, content type, body).

Left out of the run, because they end the fuzzing account's sign-in (every later request
would be a 401 and test nothing): logout and `PATCH /api/users/me` (a new password revokes
every token). tests/web/test_tokens.py covers both.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

MYSQL_ADMIN_URL = os.environ.get("TEST_MYSQL_URL", "mysql+pymysql://root@127.0.0.1:3306/test")
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
CHECKS = ",".join(
    [
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_headers_conformance",
        "response_schema_conformance",
    ]
)
# Operations that would end the fuzzing account's sign-in (see the module docstring).
EXCLUDED = ("POST /api/auth/jwt/logout", "PATCH /api/users/me")
PASSWORD = "fuzzing horse battery"
SERVER_ERROR = "Server error"  # schemathesis' title of a not_a_server_error failure


@dataclass
class Counts:
    """What the server saw: every request answered, and the 5xx among them."""

    requests: int = 0
    server_errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def counting(app: Any, counts: Counts) -> Any:
    """ASGI middleware counting responses by status (outermost, so it sees what clients see)."""

    async def wrapped(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return

        async def watch(message: Any) -> None:
            if message["type"] == "http.response.start":
                with counts.lock:
                    counts.requests += 1
                    if message["status"] >= 500:
                        counts.server_errors.append(f"{scope['method']} {scope['path']}")
            await send(message)

        await app(scope, receive, watch)

    return wrapped


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def serving(database_url: str, redis_url: str, prefix: str) -> Iterator[tuple[str, Counts]]:
    """The app under uvicorn on a free port; yields its URL and its request counts."""
    import uvicorn

    from core.bootstrap import build_core
    from core.config import Settings
    from web.app import create_app
    from web.outbox import Outbox

    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=database_url,
        redis_url=redis_url,
        redis_prefix=prefix,
        web_secret="fuzzing-secret-" + uuid.uuid4().hex,
        quota_per_day=1000,
    )
    core = build_core(settings, auto_migrate=True)
    outbox = tempfile.mkdtemp()  # the reset and verification mail the fuzzer asks for
    counts = Counts()
    port = _free_port()
    config = uvicorn.Config(
        counting(create_app(core=core, outbox=Outbox(Path(outbox))), counts),
        host="127.0.0.1",
        port=port,
        log_level="critical",
        access_log=False,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the app did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}", counts
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        core.close()


def signed_in(base: str) -> str:
    """A new account with an interview under way; returns its bearer token."""
    import httpx

    email = f"fuzz-{uuid.uuid4().hex[:8]}@example.com"
    with httpx.Client(base_url=base, timeout=30) as client:
        created = client.post("/api/auth/register", json={"email": email, "password": PASSWORD})
        created.raise_for_status()
        login = client.post("/api/auth/jwt/login", data={"username": email, "password": PASSWORD})
        login.raise_for_status()
        token = str(login.json()["access_token"])
        headers = {"Authorization": f"Bearer {token}"}
        started = client.post("/api/practice", json={"role": "backend"}, headers=headers)
        started.raise_for_status()
    return token


def run_schemathesis(base: str, token: str, args: argparse.Namespace, report: Path) -> int:
    command = [
        str(Path(sys.executable).with_name("st")),
        "run",
        f"{base}/api/openapi.json",
        "--header",
        f"Authorization: Bearer {token}",
        "--checks",
        CHECKS,
        "--phases",
        "examples,coverage,fuzzing",
        "--max-examples",
        str(args.max_examples),
        "--seed",
        str(args.seed),
        "--workers",
        "2",
        "--no-shrink",
        "--generation-database",
        "none",
        "--report",
        "json",
        "--report-json-path",
        str(report),
        "--no-color",
        "--warnings",
        "off",
        "--request-timeout",
        "30",
    ]
    for operation in EXCLUDED:
        command += ["--exclude-name", operation]
    # In the report's folder: schemathesis keeps a cache in its working directory.
    return subprocess.run(command, check=False, cwd=report.parent).returncode


def fuzz(name: str, database_url: str, redis_url: str, args: argparse.Namespace) -> dict[str, Any]:
    prefix = f"ib-fuzz:{uuid.uuid4().hex[:8]}:"
    started = time.monotonic()
    with serving(database_url, redis_url, prefix) as (base, counts):
        token = signed_in(base)
        report = Path(tempfile.mkdtemp()) / "report.json"
        code = run_schemathesis(base, token, args, report)
    failures = _failures(report)
    return {
        "database": name,
        "requests": counts.requests,
        "server_errors": len(counts.server_errors),
        "schema_violations": sum(n for title, n in failures.items() if title != SERVER_ERROR),
        "failed_checks": failures,
        "schemathesis_exit": code,
        "seconds": round(time.monotonic() - started, 1),
    }


def _failures(report: Path) -> dict[str, int]:
    """Failures by check, from schemathesis' JSON report (each unique failure counted once)."""
    if not report.is_file():
        return {"report missing": 1}
    data = json.loads(report.read_text())
    found: dict[str, int] = {}
    for failure in data.get("failures", []):
        found[failure["title"]] = found.get(failure["title"], 0) + int(failure.get("count", 1))
    if data.get("errors"):  # operations schemathesis could not test at all
        found["errors"] = len(data["errors"])
    return found


@contextmanager
def mariadb_database() -> Iterator[str]:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    admin = create_engine(MYSQL_ADMIN_URL)
    name = f"ib_fuzz_{uuid.uuid4().hex[:8]}"
    with admin.begin() as connection:
        connection.execute(text(f"CREATE DATABASE {name} CHARACTER SET utf8mb4"))
    try:
        yield make_url(MYSQL_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.begin() as connection:
            connection.execute(text(f"DROP DATABASE IF EXISTS {name}"))
        admin.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=("sqlite", "mariadb", "all"), default="all")
    parser.add_argument("--max-examples", type=int, default=30)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    results = []
    if args.database in ("sqlite", "all"):
        with tempfile.TemporaryDirectory() as folder:
            url = f"sqlite:///{folder}/fuzz.db"
            results.append(fuzz("sqlite", url, f"memory://fuzz-{uuid.uuid4().hex[:6]}", args))
    if args.database in ("mariadb", "all"):
        with mariadb_database() as url:
            results.append(fuzz("mariadb", url, REDIS_URL, args))
    print(json.dumps(results, indent=2))
    failed = False
    for result in results:
        print(
            f"fuzz-api {result['database']}: {result['requests']} requests, "
            f"{result['server_errors']} server errors, "
            f"{result['schema_violations']} schema violations ({result['seconds']} s)"
        )
        failed |= bool(result["server_errors"] or result["schema_violations"])
        failed |= result["schemathesis_exit"] != 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
