"""Cold start of the web Lambda, as a ratio to importing the web stack's heavy libraries.

Each sample is the wall time of a fresh interpreter (so interpreter start-up counts on both
sides), alternating between:
  web:       import web.aws_lambda and answer the first `GET /healthz` (an API Gateway HTTP API
             payload 2.0 event) through `web.aws_lambda.handler` — the app, the core and both
             database drivers built, `SELECT 1` on MariaDB through each and a Redis PING, as a
             cold container's first request does; configured as deployed (LLM_PROVIDER=gemini
             with a key, AWS_LAMBDA_FUNCTION_NAME set); nothing leaves 127.0.0.1;
  baseline:  python -c "import fastapi, mangum, sqlalchemy, google.genai".
The figure is median(web) / median(baseline); the target is at most 0.85. Also timed in the
same alternation, the first page a signed-in person sees cold: `GET /sessions` (the history
page) with the session cookie of an account registered and signed in beforehand (through the
API's token login: a sign-in is one row of the same table whichever way it was made), so the
pages' area, fastapi-users, Jinja, the wired core and the services all count. Compiled .pyc files
are warmed first, as they ship in the Lambda artefact. Also printed: the import floor, what
the web app cannot do without (`fastapi, mangum, sqlalchemy, sqlalchemy.orm, fastapi_users,
jinja2, redis, pydantic_settings`, as the issue defined it, although core.config no longer
imports pydantic_settings), in the same alternation.

Needs the local MariaDB and Redis (a scratch database is created, migrated and dropped).
`--before DIR` times another checkout of the project (e.g. `git archive main | tar -x -C DIR`)
in the same alternation, through PYTHONPATH, so a change is measured against the code it
replaced in one run.

    .venv/bin/python benchmarks/web_cold_start.py [--runs 15] [--before DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._common import REDIS_URL, scratch_mysql_database

ROOT = Path(__file__).resolve().parents[1]

BASELINE = "import fastapi, mangum, sqlalchemy, google.genai"
FLOOR = (
    "import fastapi, mangum, sqlalchemy, sqlalchemy.orm, fastapi_users, jinja2, redis, "
    "pydantic_settings"
)
# The child reads the event from stdin, so it imports nothing of ours before the clock starts.
WEB = """
import json, sys
event = json.loads(sys.stdin.read())
import web.aws_lambda as entry
response = entry.handler(event, None)
assert response["statusCode"] == 200, response
if "--modules" in sys.argv:
    print(json.dumps(sorted(sys.modules)))
"""
# Modules the first /healthz should not need (printed when any is imported).
NOT_NEEDED = ("google.genai", "openai", "boto3", "botocore", "alembic")


# Registers an account and signs it in (run once, in a child with the benchmark's environment).
SIGN_IN = """
import sys
from fastapi.testclient import TestClient
from web.app import create_app
email, password = sys.argv[1], sys.argv[2]
with TestClient(create_app()) as client:
    created = client.post("/api/auth/register", json={"email": email, "password": password})
    assert created.status_code == 201, created.text
    login = client.post("/api/auth/jwt/login", data={"username": email, "password": password})
    assert login.status_code == 200, login.text
    print(login.json()["access_token"])
"""


def healthz_event() -> str:
    """`GET /healthz` as API Gateway's HTTP API (payload format 2.0) delivers it."""
    return request_event("/healthz", [], accept="application/json")


def history_event(session_token: str) -> str:
    """`GET /sessions` from a signed-in browser."""
    return request_event("/sessions", [f"ib_session={session_token}"], accept="text/html")


def request_event(path: str, cookies: list[str], accept: str) -> str:
    domain = "abcdefghij.execute-api.eu-west-1.amazonaws.com"
    headers = {"host": domain, "user-agent": "bench", "x-forwarded-proto": "https"}
    return json.dumps(
        {
            "version": "2.0",
            "routeKey": "$default",
            "rawPath": path,
            "rawQueryString": "",
            "cookies": cookies,
            "headers": headers | {"accept": accept},
            "requestContext": {
                "accountId": "123456789012",
                "apiId": "abcdefghij",
                "domainName": domain,
                "domainPrefix": "abcdefghij",
                "http": {
                    "method": "GET",
                    "path": path,
                    "protocol": "HTTP/1.1",
                    "sourceIp": "203.0.113.7",
                    "userAgent": "bench",
                },
                "requestId": "id",
                "routeKey": "$default",
                "stage": "$default",
                "time": "06/Dec/2026:12:00:00 +0000",
                "timeEpoch": int(time.time() * 1000),
            },
            "body": None,
            "isBase64Encoded": False,
        }
    )


def environment(database_url: str, code_dir: Path = ROOT) -> dict[str, str]:
    # PYTHONDONTWRITEBYTECODE (set in some shells) would keep the warm-up from writing the
    # .pyc files a Lambda artefact ships: every run would compile our modules again.
    skip = ("SLACK_", "DATABASE_", "PYTHONDONTWRITEBYTECODE")
    env = {k: v for k, v in os.environ.items() if not k.startswith(skip)}
    return env | {
        "PYTHONPATH": str(code_dir),
        "DATABASE_URL": database_url,
        "REDIS_URL": REDIS_URL,
        "LLM_PROVIDER": "gemini",
        "GEMINI_API_KEY": "bench-key-never-sent",
        "WEB_SECRET": "bench-secret-" + "0" * 32,
        "AWS_LAMBDA_FUNCTION_NAME": "interviewbot-web",
        "AWS_REGION": "eu-west-1",
        "AWS_DEFAULT_REGION": "eu-west-1",
        "LOG_LEVEL": "WARNING",
    }


def sign_in(env: dict[str, str], cwd: str) -> str:
    """A new account's session token (a sign-in row in the scratch database)."""
    email = f"bench-{secrets.token_hex(4)}@example.com"
    done = subprocess.run(
        [sys.executable, "-c", SIGN_IN, email, secrets.token_urlsafe(16)],
        env=env,
        cwd=cwd,
        check=True,
        capture_output=True,
        text=True,
    )
    return done.stdout.strip().splitlines()[-1]


def wall_ms(code: str, env: dict[str, str], cwd: str, stdin: str = "") -> float:
    return timed_child(code, env, cwd, stdin)[0]


def timed_child(code: str, env: dict[str, str], cwd: str, stdin: str = "") -> tuple[float, float]:
    """Wall time and CPU time (user + system) of one child, in ms. On a loaded machine the CPU
    time says what the work costs; the wall time also counts waiting for a core."""
    cpu_before = _children_cpu()
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-c", code], input=stdin, text=True, env=env, cwd=cwd, check=True
    )
    wall = (time.perf_counter() - started) * 1000
    return wall, (_children_cpu() - cpu_before) * 1000


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def imported_by_first_request(env: dict[str, str], cwd: str) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-c", WEB, "--modules"],
        input=healthz_event(),
        text=True,
        env=env,
        cwd=cwd,
        check=True,
        capture_output=True,
    )
    modules = set(json.loads(done.stdout.strip().splitlines()[-1]))
    return [name for name in NOT_NEEDED if name in modules]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--before", type=Path, help="another checkout, timed alongside")
    args = parser.parse_args()
    with scratch_mysql_database() as database_url, tempfile.TemporaryDirectory() as cwd:
        from sqlalchemy import create_engine

        from core.adapters.sql import migrate

        engine = create_engine(database_url)
        migrate.upgrade(engine)
        engine.dispose()
        env = environment(database_url)
        before_env = environment(database_url, args.before) if args.before else None
        history = history_event(sign_in(env, cwd))
        samples = alternate(args.runs, env, before_env, cwd, history)
        empty = statistics.median(wall_ms("pass", env, cwd) for _ in range(args.runs))
        unneeded = imported_by_first_request(env, cwd)
    report(samples, empty, unneeded, args)


def alternate(
    runs: int, env: dict[str, str], before_env: dict[str, str] | None, cwd: str, history: str
) -> dict[str, list[float]]:
    """Wall times in ms of each kind of process, one of each per round."""
    health = healthz_event()
    kinds = {  # name: (code, environment, stdin)
        "web": (WEB, env, health),
        "history": (WEB, env, history),
        "baseline": (BASELINE, env, ""),
        "floor": (FLOOR, env, ""),
    }
    if before_env:
        kinds["before"] = (WEB, before_env, health)
        kinds["before-history"] = (WEB, before_env, history)
    for code, kind_env, stdin in kinds.values():  # warm the .pyc caches
        wall_ms(code, kind_env, cwd, stdin)
    samples: dict[str, list[float]] = {name: [] for name in kinds}
    samples |= {f"{name} cpu": [] for name in kinds}
    for _ in range(runs):
        for name, (code, kind_env, stdin) in kinds.items():
            wall, cpu = timed_child(code, kind_env, cwd, stdin)
            samples[name].append(wall)
            samples[f"{name} cpu"].append(cpu)
    return samples


def report(
    samples: dict[str, list[float]], empty: float, unneeded: list[str], args: argparse.Namespace
) -> None:
    web, baseline = samples["web"], samples["baseline"]
    w, b, f = (statistics.median(samples[k]) for k in ("web", "baseline", "floor"))
    print(f"Web Lambda cold start, fresh interpreters, median of {args.runs} alternating runs")
    print(f"  interpreter alone (python -c pass)         {empty:7.1f} ms")
    print(f"  web: import + first /healthz               {w:7.1f} ms  (min {min(web):.1f})")
    print(f"  baseline: fastapi, mangum, sqlalchemy,     {b:7.1f} ms  (min {min(baseline):.1f})")
    print("            google.genai imports")
    print(f"  import floor (fastapi ... pydantic_settings) {f:5.1f} ms  ({f / b:.2f} of baseline)")
    print(f"  ratio web / baseline, medians              {w / b:7.2f}   (target <= 0.85)")
    print(f"  ratio web / baseline, minimums             {min(web) / min(baseline):7.2f}")
    print(f"  ratio web / import floor, medians          {w / f:7.2f}")
    h = statistics.median(samples["history"])
    print(
        f"  history: import + first signed-in /sessions {h:6.1f} ms  (min {min(samples['history']):.1f})"
    )
    print(f"  ratio history / baseline, medians          {h / b:7.2f}")
    if args.before:
        old, old_h = (statistics.median(samples[k]) for k in ("before", "before-history"))
        print(f"  before ({args.before}):")
        print(
            f"    import + first /healthz                  {old:7.1f} ms  ({old / b:.2f} of baseline)"
        )
        print(
            f"    import + first signed-in /sessions       {old_h:7.1f} ms  ({old_h / b:.2f} of baseline)"
        )
    cpu = {k: statistics.median(samples[f"{k} cpu"]) for k in ("web", "history", "baseline")}
    print("  CPU time (user + system), medians:")
    print(
        f"    web {cpu['web']:.1f} ms, history {cpu['history']:.1f} ms, baseline {cpu['baseline']:.1f} ms"
    )
    print(
        f"    ratio web / baseline {cpu['web'] / cpu['baseline']:.2f}, history / baseline "
        f"{cpu['history'] / cpu['baseline']:.2f}"
    )
    if args.before:
        old_cpu = [statistics.median(samples[f"{k} cpu"]) for k in ("before", "before-history")]
        print(
            f"    before: web {old_cpu[0] / cpu['baseline']:.2f}, history "
            f"{old_cpu[1] / cpu['baseline']:.2f} of the baseline"
        )
    print(f"  imported by the first /healthz but not needed: {', '.join(unneeded) or 'none'}")


if __name__ == "__main__":
    main()
