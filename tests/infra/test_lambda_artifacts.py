"""The Lambda artefacts: what each ships, that each handler imports and answers from its folder
alone (no development dependencies), and that a build is reproducible."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest

from tests.infra.conftest import BUILD_SCRIPT, ROOT

# Never importable from any artefact: development and test tools, the terminal UI, the Redis
# stand-in (template.yaml insists on a real Redis).
DEV_ONLY = [
    "pytest",
    "_pytest",
    "mypy",
    "ruff",
    "playwright",
    "dpytest",
    "fakeredis",
    "rich",
    "uvicorn",
]
# Lambda's Python runtime provides it; a shipped copy would shadow the runtime's and SnapStart
# would never run the hooks registered with it.
RUNTIME_ONLY = ["snapshot_restore_py"]
# What each artefact must not ship at all (size, cold start and least surprise).
NOT_SHIPPED = {
    "slack": ["fastapi", "starlette", "mangum", "discord", "nacl", "fastapi_users"],
    "discord": ["fastapi", "starlette", "mangum", "discord", "slack_bolt", "slack_sdk"],
    "web": ["slack_bolt", "discord", "nacl"],
    "jobs": ["fastapi", "starlette", "mangum", "discord"],
}
# What each artefact must ship: the lazy paths need the LLM client and the database drivers
# even though the 3-second paths never import them.
SHIPPED = {
    "slack": ["slack_bolt", "google.genai", "openai", "sqlalchemy", "pymysql", "redis"],
    "discord": ["nacl", "httpx", "google.genai", "openai", "sqlalchemy", "pymysql", "redis"],
    "web": [
        "fastapi",
        "mangum",
        "jinja2",
        "aiomysql",
        "fastapi_users",
        "google.genai",
        "openai",
        "redis",
    ],
    "jobs": [
        "alembic",
        "google.genai",
        "openai",
        "sqlalchemy",
        "pymysql",
        "redis",
        "slack_sdk",
        "nacl",
    ],
}
# What importing the handler module must not pull in: the 3-second paths stay light.
NOT_ON_IMPORT = {
    "bots.slack.aws_lambda.handler": ["google.genai", "openai", "fastapi", "sqlalchemy", "boto3"],
    "bots.discord.aws_lambda.handler": ["google.genai", "openai", "fastapi", "boto3"],
    "web.aws_lambda.handler": ["google.genai", "openai", "slack_bolt"],
    "core.jobs.handler": ["google.genai", "fastapi"],
    "core.jobs.evaluation_handler": ["google.genai", "fastapi"],
    "migrate_lambda.handler": ["google.genai", "fastapi", "sqlalchemy"],
}
HANDLERS = [(name, h) for name, handlers in
            [("slack", ["bots.slack.aws_lambda.handler"]),
             ("discord", ["bots.discord.aws_lambda.handler"]),
             ("web", ["web.aws_lambda.handler"]),
             ("jobs", ["core.jobs.handler", "core.jobs.evaluation_handler",
                       "migrate_lambda.handler"])]
            for h in handlers]  # fmt: skip

IMPORT_CHECK = """
import importlib, importlib.util
module_name, attribute = {handler!r}.rsplit(".", 1)
module = importlib.import_module(module_name)
handler = getattr(module, attribute)
print(json.dumps({{
    "callable": callable(handler),
    "file": module.__file__,
    "from_pyc": bool(module.__spec__.cached) and __import__("os").path.exists(module.__spec__.cached),
    "imported": sorted(m for m in {not_on_import!r} if m in sys.modules),
    "importable": sorted(m for m in {unwanted!r} if importlib.util.find_spec(m) is not None),
    "missing": sorted(m for m in {wanted!r} if importlib.util.find_spec(m) is None),
}}))
"""


def test_every_template_function_has_an_artefact_and_a_make_target(build_script: Any) -> None:
    template = (ROOT / "template.yaml").read_text()
    makefile = (ROOT / "infra" / "lambda" / "Makefile").read_text()
    for logical_id, name in build_script.FUNCTIONS.items():
        block = template.split(f"\n  {logical_id}:\n", 1)[1].split("\n  # ---", 1)[0]
        handler = re.search(r"Handler: (\S+)", block).group(1)  # type: ignore[union-attr]
        assert handler in build_script.ARTEFACTS[name].handlers, (logical_id, handler)
        assert "BuildMethod: makefile" in block, logical_id
        assert f"build-{logical_id}:" in makefile, logical_id
    # The runtime in the template is the one the build targets.
    assert f"Runtime: python{build_script.TARGET_PYTHON}" in template


@pytest.mark.parametrize("name", ["slack", "discord", "web", "jobs"])
def test_pinned_requirements_come_from_todays_pyproject(build_script: Any, name: str) -> None:
    """A changed pyproject.toml needs `build_lambda_artifacts.py lock`; the build refuses otherwise."""
    artefact = build_script.ARTEFACTS[name]
    path = build_script.check_lock(artefact)
    pins = [line for line in path.read_text().splitlines() if line and not line.startswith("#")]
    assert pins == sorted(pins, key=lambda p: p.split("==")[0]), "pins are sorted by name"
    assert all(re.fullmatch(r"[a-z0-9-]+==\S+", p) for p in pins), "every pin is name==version"
    names = {p.split("==")[0] for p in pins}
    for requirement in build_script.top_level_requirements(artefact):
        assert build_script.requirement_name(requirement) in names, requirement


def test_pins_need_nothing_more_on_the_lambda_python(build_script: Any) -> None:
    """The pins are resolved on 3.11: no pinned package may want an extra dependency on 3.12."""
    from importlib.metadata import distribution

    from packaging.markers import default_environment
    from packaging.requirements import Requirement

    here = default_environment()
    target = {**here, "python_version": build_script.TARGET_PYTHON,
              "python_full_version": f"{build_script.TARGET_PYTHON}.0"}  # fmt: skip
    for name in build_script.ARTEFACTS:
        lines = build_script.lock_path(build_script.ARTEFACTS[name]).read_text().splitlines()
        pins = {line.split("==")[0] for line in lines if line and not line.startswith("#")}
        for pin in pins:
            for text in distribution(pin).requires or []:
                requirement = Requirement(text)
                marker = requirement.marker
                if marker is None or "extra" in str(marker):
                    continue
                if marker.evaluate(target) and not marker.evaluate(here):
                    assert build_script.canonical(requirement.name) in pins, (name, pin, text)


@pytest.mark.parametrize(("name", "handler"), HANDLERS, ids=[h for _, h in HANDLERS])
def test_handler_imports_from_its_artefact_alone(isolated: Any, name: str, handler: str) -> None:
    unwanted = DEV_ONLY + RUNTIME_ONLY + NOT_SHIPPED[name]
    result = isolated(
        name,
        IMPORT_CHECK.format(
            handler=handler,
            not_on_import=NOT_ON_IMPORT[handler],
            unwanted=unwanted,
            wanted=SHIPPED[name],
        ),
    )
    assert result["callable"]
    assert result["from_pyc"], "the module was not loaded from a shipped .pyc"
    assert result["importable"] == [], f"{name} ships {result['importable']}"
    assert result["missing"] == [], f"{name} lacks {result['missing']}"
    assert result["imported"] == [], f"importing {handler} loads {result['imported']}"


NOTIFIERS_CHECK = """
from importlib.metadata import entry_points
from core.config import Settings
from core.jobs import notifiers_for
print(json.dumps({
    "entry_points": sorted(e.name for e in entry_points(group="interviewbot.notifiers")),
    "configured": sorted(notifiers_for(Settings(_env_file=None))),
}))
"""


@pytest.mark.parametrize(
    ("name", "platforms"),
    [("slack", ["slack"]), ("discord", ["discord"]), ("web", []), ("jobs", ["discord", "slack"])],
)
def test_each_artefact_finds_the_notifiers_it_ships(
    isolated: Any, name: str, platforms: list[str]
) -> None:
    """The sources are copied, not pip-installed: without the dist-info the build writes, the
    entry points are invisible and nothing scheduled or queued would ever be delivered."""
    result = isolated(
        name,
        NOTIFIERS_CHECK,
        SLACK_BOT_TOKEN="xoxb-artefact-test",
        DISCORD_TOKEN="discord-artefact-test",
        DISCORD_APPLICATION_ID="1234",
    )
    assert result == {"entry_points": platforms, "configured": platforms}


def test_evaluation_worker_runs_from_the_artefact(
    isolated: Any, tmp_path: Path, redis_server_url: str
) -> None:
    """An SQS batch through core.jobs.evaluation_handler: a message naming no stored answer is
    done (never retried forever), and one that arrives too late in the invocation goes back."""
    code = """
import core.jobs
class Context:
    def __init__(self, left): self.left = left
    def get_remaining_time_in_millis(self): return self.left
record = {"messageId": "m1", "receiptHandle": "r1", "body": '{"qotd_answer": 424242}'}
roomy = core.jobs.evaluation_handler({"Records": [record]}, Context(300_000))
late = core.jobs.evaluation_handler({"Records": [record]}, Context(5_000))
print(json.dumps({"roomy": roomy, "late": late}))
"""
    result = isolated(
        "jobs",
        code,
        DATABASE_URL=f"sqlite:///{tmp_path / 'worker.db'}",
        REDIS_URL=redis_server_url,
        REDIS_PREFIX=f"ib-artefact-test:{time.time_ns()}:",
    )
    assert result["roomy"] == {"batchItemFailures": []}
    assert result["late"] == {"batchItemFailures": [{"itemIdentifier": "m1"}]}


def test_web_artefact_carries_its_templates_and_static_files(
    artefacts: dict[str, dict[str, Any]],
) -> None:
    """Templates render from the artefact; static files fix each asset URL's ?v= content hash."""
    web = Path(artefacts["web"]["path"]) / "web"
    for name in ("templates/base.html", "static/app.css", "static/app.js", "static/favicon.svg"):
        assert (web / name).is_file(), name
    built = sorted(p.name for p in (ROOT / "web" / "static" / "vendor").glob("*"))
    assert sorted(p.name for p in (web / "static" / "vendor").glob("*")) == built
    assert not (web / "node_modules").exists() and not (web / "package.json").exists()
    assert not list(web.rglob("*.mjs")), "front-end tooling is not runtime"


def test_every_module_is_precompiled(artefacts: dict[str, dict[str, Any]]) -> None:
    tag = sys.implementation.cache_tag
    for item in artefacts.values():
        root = Path(item["path"])
        missing = [
            str(py.relative_to(root))
            for py in root.rglob("*.py")
            if not (py.parent / "__pycache__" / f"{py.stem}.{tag}.pyc").exists()
        ]
        assert missing == [], f"{item['function']}: {missing[:5]}"
        # Lambda's limits: 250 MB unzipped (with layers), and our zips stay uploadable directly.
        assert item["bytes"] < 250_000_000
        assert item["zip_bytes"] < 50_000_000


@pytest.mark.infra
def test_two_builds_give_the_same_bytes(tmp_path: Path) -> None:
    """Reproducible: the same sources give the same files and digest, whatever the output folder
    and the builder's hash seed. Both builds read one snapshot of the sources (a folder without
    git, as a source archive would be): files edited meanwhile cannot raise a false alarm."""
    snapshot = tmp_path / "src"
    for path in ("pyproject.toml", "infra/scripts", "infra/lambda", "core"):
        source, target = ROOT / path, snapshot / path
        if source.is_dir():
            shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(source, target)
    script = snapshot / BUILD_SCRIPT.relative_to(ROOT)
    digests = []
    for seed in ("1", "2"):
        out = tmp_path / f"build-{seed}"
        env = {**os.environ, "PYTHONHASHSEED": seed, "SOURCE_DATE_EPOCH": "1700000000"}
        result = subprocess.run(
            [sys.executable, str(script), "build", "jobs", "--host", "--out", str(out),
             "--summary-json", str(tmp_path / f"{seed}.json")],
            capture_output=True, text=True, cwd=tmp_path, env=env,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr[-4000:]
        digests.append(json.loads((tmp_path / f"{seed}.json").read_text())[0]["sha256"])
    assert digests[0] == digests[1]


# ---------------------------------------------------------------------------------- smoke calls
def test_migrate_function_migrates_from_the_artefact(isolated: Any, tmp_path: Path) -> None:
    database = tmp_path / "migrate.db"
    result = isolated(
        "jobs",
        "import migrate_lambda\nprint(json.dumps(migrate_lambda.handler({}, None)))",
        DATABASE_URL=f"sqlite:///{database}",
    )
    assert result["before"] is None
    assert result["after"] == result["head"] is not None


class _CloudFormation(BaseHTTPRequestHandler):
    """Stands in for the pre-signed S3 URL a custom resource answers with a PUT."""

    answers: ClassVar[list[dict[str, Any]]] = []

    def do_PUT(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.answers.append({"content_type": self.headers["Content-Type"], **json.loads(body)})
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


CUSTOM_RESOURCE_CALLS = """
import migrate_lambda
def event(kind, request):
    return {"RequestType": kind, "ResponseURL": ANSWER_URL + "/" + request, "StackId": "arn:stack",
            "RequestId": request, "LogicalResourceId": "Migrations",
            "ResourceType": "Custom::Migrations", "ResourceProperties": {"CodeVersion": "1"}}
answers = [migrate_lambda.handler(event("Create", "create"), None)]
answers.append(migrate_lambda.handler(event("Update", "again"), None))
migrate_lambda.handler({}, None)  # a direct call, as deploy.yml makes
from sqlalchemy import create_engine, text
engine = create_engine("sqlite:///" + DATABASE_PATH)
with engine.begin() as connection:  # a revision this code does not know: a newer schema
    connection.execute(text("UPDATE alembic_version SET version_num = 'ffffffffffff'"))
answers.append(migrate_lambda.handler(event("Update", "rollback"), None))
answers.append(migrate_lambda.handler(event("Delete", "delete"), None))
print(json.dumps([a["Status"] for a in answers]))
"""


def test_migrate_function_answers_cloudformation(isolated: Any, tmp_path: Path) -> None:
    """The Migrations custom resource: migrate on Create/Update, leave a newer schema alone (an
    update rollback runs the old code), do nothing on Delete, and report failures as FAILED."""
    server = HTTPServer(("127.0.0.1", 0), _CloudFormation)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    _CloudFormation.answers.clear()
    url = f"http://127.0.0.1:{server.server_port}"
    database = tmp_path / "cfn.db"
    code = CUSTOM_RESOURCE_CALLS.replace("ANSWER_URL", repr(url))
    code = code.replace("DATABASE_PATH", repr(str(database)))
    try:
        statuses = isolated("jobs", code, DATABASE_URL=f"sqlite:///{database}")
        broken = isolated(
            "jobs",
            code.split("answers.append")[0] + "print(json.dumps([a['Status'] for a in answers]))",
            DATABASE_URL="postgresql://nobody@127.0.0.1/none",
        )
    finally:
        server.shutdown()
    assert statuses == ["SUCCESS"] * 4
    assert broken == ["FAILED"]
    create, update, rollback, delete, failed = _CloudFormation.answers
    assert create["content_type"] == ""  # the pre-signed URL was signed without one
    assert create["Data"]["before"] == "" and create["Data"]["after"] == create["Data"]["head"]
    assert update["Data"]["before"] == update["Data"]["after"] == update["Data"]["head"]
    assert rollback["Data"]["ahead"] == "True" and rollback["Data"]["after"] == "ffffffffffff"
    assert delete["Data"] == {"skipped": "Delete"}
    assert {a["PhysicalResourceId"] for a in (create, update, delete)} == {"schema-migrations"}
    assert "DATABASE_URL" in failed["Reason"], failed["Reason"]
    assert (create["StackId"], create["RequestId"]) == ("arn:stack", "create")


def test_maintenance_function_runs_from_the_artefact(
    isolated: Any, tmp_path: Path, redis_server_url: str
) -> None:
    result = isolated(
        "jobs",
        "import core.jobs\nprint(json.dumps(core.jobs.handler({}, None)))",
        DATABASE_URL=f"sqlite:///{tmp_path / 'jobs.db'}",
        REDIS_URL=redis_server_url,
        REDIS_PREFIX=f"ib-artefact-test:{time.time_ns()}:",
    )
    # A fresh database: nothing to expire or retry, but every job ran and answered (the
    # question-of-the-day retries too, with no chat platform in this artefact).
    assert set(result) == {"expired_sessions", "retried_evaluations", "qotd_evaluations"}
    assert result["expired_sessions"] == 0


def test_discord_function_answers_ping_and_refuses_bad_signatures(isolated: Any) -> None:
    from nacl.signing import SigningKey

    key = SigningKey.generate()
    body = json.dumps({"type": 1, "id": "1", "application_id": "42", "token": "t", "version": 1})
    timestamp = str(int(time.time()))
    signature = key.sign((timestamp + body).encode()).signature.hex()
    code = """
import bots.discord.aws_lambda as m
event = lambda sig: {"version": "2.0", "rawPath": "/discord/interactions", "body": BODY,
    "isBase64Encoded": False, "headers": {"x-signature-ed25519": sig, "x-signature-timestamp": TS},
    "requestContext": {"http": {"method": "POST", "path": "/discord/interactions"}}}
good = m.handler(event(SIG), None)
bad = m.handler(event("00" * 64), None)
print(json.dumps({"good": good, "bad": bad["statusCode"],
                  "imported": [n for n in ("google.genai", "sqlalchemy.orm") if n in sys.modules]}))
"""
    code = (
        code.replace("BODY", repr(body))
        .replace("TS", repr(timestamp))
        .replace("SIG", repr(signature))
    )
    result = isolated(
        "discord",
        code,
        DISCORD_PUBLIC_KEY=key.verify_key.encode().hex(),
        DISCORD_APPLICATION_ID="42",
    )
    assert result["good"]["statusCode"] == 200
    assert json.loads(result["good"]["body"]) == {"type": 1}
    assert result["bad"] == 401
    assert "google.genai" not in result["imported"], "PING must not build the LLM client"


def test_slack_function_answers_url_verification_without_the_core(isolated: Any) -> None:
    secret = "artefact-test-signing-secret"
    body = json.dumps({"type": "url_verification", "challenge": "artefact-challenge", "token": "x"})
    timestamp = str(int(time.time()))
    digest = hmac.new(secret.encode(), f"v0:{timestamp}:{body}".encode(), hashlib.sha256)
    code = """
import types
import bots.slack.aws_lambda as m
event = {"version": "2.0", "rawPath": "/slack/events", "rawQueryString": "",
    "body": BODY, "isBase64Encoded": False,
    "headers": {"content-type": "application/json", "x-slack-signature": SIG,
                "x-slack-request-timestamp": TS},
    "requestContext": {"http": {"method": "POST", "path": "/slack/events"}}}
context = types.SimpleNamespace(function_name="interviewbot-slack",
    invoked_function_arn="arn:aws:lambda:us-east-1:123456789012:function:interviewbot-slack")
response = m.handler(event, context)
print(json.dumps({"status": response["statusCode"], "body": response.get("body"),
    "imported": [n for n in ("google.genai", "fastapi", "sqlalchemy.orm") if n in sys.modules]}))
"""
    code = (
        code.replace("BODY", repr(body))
        .replace("SIG", repr("v0=" + digest.hexdigest()))
        .replace("TS", repr(timestamp))
    )
    result = isolated(
        "slack",
        code,
        SLACK_SIGNING_SECRET=secret,
        SLACK_BOT_TOKEN="xoxb-artefact-test",
        AWS_DEFAULT_REGION="us-east-1",
    )
    assert result["status"] == 200, result
    assert "artefact-challenge" in result["body"]
    assert result["imported"] == [], f"the ack path loaded {result['imported']}"


def test_web_function_serves_healthz_from_the_artefact(
    isolated: Any, tmp_path: Path, redis_server_url: str
) -> None:
    code = """
import web.aws_lambda as m
event = {"version": "2.0", "routeKey": "$default", "rawPath": "/healthz", "rawQueryString": "",
    "headers": {"host": "example.cloudfront.net", "accept": "application/json"},
    "requestContext": {"http": {"method": "GET", "path": "/healthz", "protocol": "HTTP/1.1",
        "sourceIp": "127.0.0.1", "userAgent": "test"}, "stage": "$default", "domainName": "x",
        "requestId": "r", "accountId": "1", "apiId": "a", "time": "t", "timeEpoch": 0},
    "isBase64Encoded": False}
response = m.handler(event, None)
print(json.dumps({"status": response["statusCode"], "body": response.get("body")}))
"""
    result = isolated(
        "web",
        code,
        DATABASE_URL=f"sqlite:///{tmp_path / 'web.db'}",
        REDIS_URL=redis_server_url,
        WEB_SECRET="artefact-test-secret-0123456789-0123456789",
    )
    assert result["status"] == 200, result
    body = json.loads(result["body"])
    assert body["database"] == "ok" and body["redis"] == "ok", body


# ---------------------------------------------------------------------------------- SnapStart
SNAPSTART_CALLS = """
import logging, types
registered = {"before": [], "after": []}
runtime = types.ModuleType("snapshot_restore_py")  # what Lambda's runtime provides
runtime.register_before_snapshot = lambda f, *a, **k: registered["before"].append(f)
runtime.register_after_restore = lambda f, *a, **k: registered["after"].append(f)
sys.modules["snapshot_restore_py"] = runtime
errors = []
class Collect(logging.Handler):
    def emit(self, record):
        errors.append(record.getMessage() + " " + str(record.exc_info and record.exc_info[1]))
logging.getLogger().addHandler(Collect(level=logging.WARNING))
import importlib
entry = importlib.import_module(ENTRY)
for hook in reversed(registered["before"]):
    hook()
for hook in registered["after"]:
    hook()
print(json.dumps({"before": len(registered["before"]), "after": len(registered["after"]),
    "errors": errors,
    "loaded": sorted(m for m in ("sqlalchemy.orm", "pymysql", "redis", "core.bootstrap")
                     if m in sys.modules)}))
"""
# Nothing listens on port 1: a warm-up that tried to connect would log an error.
NO_SERVER = {"DATABASE_URL": "mysql+pymysql://nobody@127.0.0.1:1/none",
             "REDIS_URL": "redis://127.0.0.1:1/0", "LLM_PROVIDER": "gemini",
             "GEMINI_API_KEY": "artefact-test-key"}  # fmt: skip
SURFACE_ENV = {
    "slack": {"SLACK_SIGNING_SECRET": "artefact-test", "SLACK_BOT_TOKEN": "xoxb-artefact"},
    "discord": {
        "DISCORD_PUBLIC_KEY": "00" * 32,
        "DISCORD_APPLICATION_ID": "42",
        "DISCORD_TOKEN": "artefact-test-token",
    },
    "web": {"WEB_SECRET": "artefact-test-secret-0123456789-0123456789"},
}


@pytest.mark.parametrize("name", ["slack", "discord", "web"])
def test_snapstart_hooks_run_from_the_artefact_without_connecting(isolated: Any, name: str) -> None:
    """The artefact carries what the hooks import (the whole core, the Gemini client, the
    drivers), registers them from the handler module, and warms up without any network."""
    [handler] = [h for n, h in HANDLERS if n == name]
    entry = handler.rsplit(".", 1)[0]
    result = isolated(name, SNAPSTART_CALLS.replace("ENTRY", repr(entry)),
                      **NO_SERVER, **SURFACE_ENV[name])  # fmt: skip
    assert (result["before"], result["after"]) == (1, 2), result
    assert result["errors"] == [], result["errors"]
    assert result["loaded"] == ["core.bootstrap", "pymysql", "redis", "sqlalchemy.orm"]
