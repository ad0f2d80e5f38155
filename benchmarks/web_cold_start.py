"""Cold start of the web Lambda, as a ratio to importing the web stack's heavy libraries.

Each sample is the wall time of a fresh interpreter (so interpreter start-up counts on both
sides), alternating between:
  web:       import web.aws_lambda and answer the first `GET /healthz` (an API Gateway HTTP API
             payload 2.0 event) through `web.aws_lambda.handler` — the app, the core and both
             database drivers built, `SELECT 1` on MariaDB through each and a Redis PING, as a
             cold container's first request does; configured as deployed (LLM_PROVIDER=gemini
             with a key, AWS_LAMBDA_FUNCTION_NAME set); nothing leaves 127.0.0.1;
  baseline:  python -c "import fastapi, mangum, sqlalchemy, google.genai".
The figure is median(web) / median(baseline); the target is at most 0.85. Compiled .pyc files
are warmed first, as they ship in the Lambda artefact. Also printed: the import floor, what
the web app cannot do without (`fastapi, mangum, sqlalchemy, sqlalchemy.orm, fastapi_users,
jinja2, redis, pydantic_settings`), in the same alternation.

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


def healthz_event() -> str:
    """`GET /healthz` as API Gateway's HTTP API (payload format 2.0) delivers it."""
    domain = "abcdefghij.execute-api.eu-west-1.amazonaws.com"
    return json.dumps(
        {
            "version": "2.0",
            "routeKey": "$default",
            "rawPath": "/healthz",
            "rawQueryString": "",
            "cookies": [],
            "headers": {"host": domain, "user-agent": "bench", "x-forwarded-proto": "https"},
            "requestContext": {
                "accountId": "123456789012",
                "apiId": "abcdefghij",
                "domainName": domain,
                "domainPrefix": "abcdefghij",
                "http": {
                    "method": "GET",
                    "path": "/healthz",
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


def wall_ms(code: str, env: dict[str, str], cwd: str, stdin: str = "") -> float:
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-c", code], input=stdin, text=True, env=env, cwd=cwd, check=True
    )
    return (time.perf_counter() - started) * 1000


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
        samples = alternate(args.runs, env, before_env, cwd)
        empty = statistics.median(wall_ms("pass", env, cwd) for _ in range(args.runs))
        unneeded = imported_by_first_request(env, cwd)
    report(samples, empty, unneeded, args)


def alternate(
    runs: int, env: dict[str, str], before_env: dict[str, str] | None, cwd: str
) -> dict[str, list[float]]:
    """Wall times in ms of each kind of process, one of each per round."""
    event = healthz_event()
    for code in (WEB, BASELINE, FLOOR):  # warm the .pyc caches
        wall_ms(code, env, cwd, event)
    if before_env:
        wall_ms(WEB, before_env, cwd, event)
    samples: dict[str, list[float]] = {"web": [], "baseline": [], "floor": [], "before": []}
    for _ in range(runs):
        samples["web"].append(wall_ms(WEB, env, cwd, event))
        samples["baseline"].append(wall_ms(BASELINE, env, cwd))
        samples["floor"].append(wall_ms(FLOOR, env, cwd))
        if before_env:
            samples["before"].append(wall_ms(WEB, before_env, cwd, event))
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
    if samples["before"]:
        old = statistics.median(samples["before"])
        print(f"  before ({args.before}): import + first /healthz {old:7.1f} ms")
        print(f"  ratio before / baseline, medians           {old / b:7.2f}")
    print(f"  imported by the first /healthz but not needed: {', '.join(unneeded) or 'none'}")


if __name__ == "__main__":
    main()
