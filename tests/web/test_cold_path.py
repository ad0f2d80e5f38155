"""What a cold web Lambda imports: no LLM SDK and no boto3 until a request needs one.

Each probe is a fresh interpreter (an import, once made, cannot be taken back in this one)
that imports `web.aws_lambda` and answers `GET /healthz` and the sign-in page through its
handler, on a migrated SQLite file and the in-process Redis stand-in, configured with both
model providers (LLM_FALLBACK=gemini,openai) as a deployment would be, or with the offline
scorer, whose word tables load with the first answer scored.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SDKS = ("google.genai", "openai", "boto3")
SCORER = ("core.adapters.offline.scorer", "core.adapters.offline.synonyms")

PROBE = """
import json, sys
from tests.web.test_lambda import CONTEXT, event
import web.aws_lambda as entry
statuses = [entry.handler(event("http-api", "GET", path), CONTEXT)["statusCode"]
            for path in ("/healthz", "/login")]
loaded = [name for name in sys.argv[1:] if name in sys.modules]
if "--evaluate" in sys.argv:  # what an evaluation needs is still there, on first use
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
    loaded = [name for name in sys.argv[1:] if name in sys.modules]
print(json.dumps({"statuses": statuses, "loaded": loaded}))
"""


def probe(tmp_path: Path, *args: str, offline: bool = False) -> dict[str, list]:  # type: ignore[type-arg]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GEMINI_", "OPENAI_", "LLM_"))}
    env |= {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'cold.db'}",
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
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *SDKS, *SCORER, *args],
        cwd=tmp_path,
        env=env | {"PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def test_a_health_check_and_a_page_import_no_llm_sdk_and_no_boto3(tmp_path: Path) -> None:
    result = probe(tmp_path)
    assert result["statuses"] == [200, 200]
    assert result["loaded"] == []


def test_the_sdk_is_imported_when_an_evaluation_runs(tmp_path: Path) -> None:
    result = probe(tmp_path, "--evaluate")
    assert "google.genai" in result["loaded"]  # Gemini was asked (and refused: nothing listens)


def test_the_offline_scorer_loads_its_tables_with_the_first_answer_scored(tmp_path: Path) -> None:
    assert probe(tmp_path, offline=True)["loaded"] == []
    assert probe(tmp_path, "--evaluate", offline=True)["loaded"] == list(SCORER)
