"""What a cold web Lambda imports: only what its first request needs.

Each probe is a fresh interpreter (an import, once made, cannot be taken back in this one)
that imports `web.aws_lambda` and answers, through its handler, `GET /healthz`, then the
sign-in page, then (on request) runs an evaluation, noting after each step which of the
watched modules are loaded. It runs on a migrated SQLite file and the in-process Redis
stand-in, configured with both model providers (LLM_FALLBACK=gemini,openai) as a deployment
would be, or with the offline scorer, whose word tables load with the first answer scored.
One interpreter per configuration keeps the fast tier's cost down (each costs seconds).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import migrated_copy

ROOT = Path(__file__).resolve().parents[2]
SDKS = ("google.genai", "openai", "boto3")
SCORER = ("core.adapters.offline.scorer", "core.adapters.offline.synonyms")
# What a health check does without (web.areas, core.bootstrap.connect): the accounts, the
# templates, the route modules, the ORM's models and the services' dependencies.
NOT_FOR_HEALTH = (
    "fastapi_users",
    "jinja2",
    "web.auth",
    "web.routes.account",
    "web.routes.api",
    "web.routes.pages",
    "core.adapters.sql.models",
    "core.services.deps",
)
# The sign-in page's own area: not the JSON API's, the practice pages' or the history pages'.
NOT_FOR_LOGIN = ("web.routes.api", "web.routes.practice", "web.routes.pages")

PROBE = """
import json, sys
watched = sys.argv[1:]

def event(path):
    domain = "abcdefghij.execute-api.eu-west-1.amazonaws.com"
    return {
        "version": "2.0", "routeKey": "$default", "rawPath": path, "rawQueryString": "",
        "cookies": [], "body": None, "isBase64Encoded": False,
        "headers": {"host": domain, "accept": "text/html", "x-forwarded-proto": "https"},
        "requestContext": {
            "domainName": domain, "requestId": "id", "routeKey": "$default", "stage": "$default",
            "http": {"method": "GET", "path": path, "protocol": "HTTP/1.1", "sourceIp": "1.2.3.4"},
        },
    }

def loaded():
    return [name for name in watched if name in sys.modules]

import web.aws_lambda as entry
steps = {}
for path in ("/healthz", "/login"):
    steps[path] = {"status": entry.handler(event(path), None)["statusCode"], "loaded": loaded()}
# What an evaluation needs is still there, on first use.
from core.domain import LlmUnavailable
from core.domain.model import Question
from core.domain.roles import Difficulty, Role
evaluator = entry._handler.app.state.resources.core.deps.evaluator
first = evaluator.chain.members[0] if hasattr(evaluator, "chain") else evaluator
question = Question(Role.BACKEND, Difficulty.EASY, "What is an index?", "A B-tree.", ())
try:
    first.evaluate(question, "A sorted tree of keys.")
except LlmUnavailable:
    pass
steps["evaluation"] = {"loaded": loaded()}
print(json.dumps(steps))
"""


def probe(tmp_path: Path, template: Path, *, offline: bool = False) -> dict[str, dict]:  # type: ignore[type-arg]
    """The probe's steps, on a copy of the migrated template (as deployed: at the head)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GEMINI_", "OPENAI_", "LLM_"))}
    env |= {
        "DATABASE_URL": migrated_copy(template, tmp_path / "cold.db"),
        "REDIS_URL": "memory://",
        "LLM_FALLBACK": "gemini,openai",
        "GEMINI_API_KEY": "never-sent",
        "GEMINI_BASE_URL": "http://127.0.0.1:1",  # refused at once: no request leaves
        "GEMINI_MAX_RETRIES": "0",
        "OPENAI_BASE_URL": "http://127.0.0.1:1/v1",
        "WEB_SECRET": "cold-path-secret-" + "0" * 32,
        "AWS_LAMBDA_FUNCTION_NAME": "interviewbot-web",
        "AWS_DEFAULT_REGION": "eu-west-1",
    }
    if offline:
        env |= {"LLM_PROVIDER": "offline", "LLM_FALLBACK": ""}
    watched = dict.fromkeys((*SDKS, *SCORER, *NOT_FOR_HEALTH, *NOT_FOR_LOGIN))
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *watched],
        cwd=tmp_path,
        env=env | {"PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def test_a_cold_health_check_and_page_import_only_what_they_need_and_an_evaluation_its_sdk(
    tmp_path: Path, migrated_sqlite: Path
) -> None:
    steps = probe(tmp_path, migrated_sqlite)
    health, login = steps["/healthz"], steps["/login"]
    assert health["status"] == 200 and login["status"] == 200
    assert health["loaded"] == []  # no SDK, no boto3, no account or page module, no ORM model
    assert not set(login["loaded"]) & {*SDKS, *SCORER, *NOT_FOR_LOGIN}
    assert {"fastapi_users", "jinja2", "web.routes.account"} <= set(login["loaded"])
    # Gemini was asked (and refused: nothing listens), so its SDK is loaded now.
    assert "google.genai" in steps["evaluation"]["loaded"]


def test_the_offline_scorer_loads_its_tables_with_the_first_answer_scored(
    tmp_path: Path, migrated_sqlite: Path
) -> None:
    steps = probe(tmp_path, migrated_sqlite, offline=True)
    assert not set(steps["/login"]["loaded"]) & {*SDKS, *SCORER}
    scored = steps["evaluation"]["loaded"]
    assert set(SCORER) <= set(scored) and not set(scored) & set(SDKS)
