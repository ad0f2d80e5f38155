"""The Migrations custom resource (infra/lambda/migrate_lambda.py), driven in process with the
event shapes CloudFormation sends, answering a local stand-in for the pre-signed response URL.

The rollback case is the one that matters: CloudFormation sends an Update with the OLD
properties while it rolls a failed deploy back. Migrating then (or failing because the database
is unreachable, which is often why the deploy failed) leaves the stack in UPDATE_ROLLBACK_FAILED.
"""

from __future__ import annotations

import importlib.util
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parents[2]
# Nothing listens on port 1: a connection attempt is refused at once.
UNREACHABLE_DATABASE = "mysql+pymysql://nobody@127.0.0.1:1/none"
FUNCTION = "arn:aws:lambda:us-east-1:123456789012:function:interviewbot-migrate"


def load_handler() -> Any:
    path = ROOT / "infra" / "lambda" / "migrate_lambda.py"
    spec = importlib.util.spec_from_file_location("migrate_lambda_under_test", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class _ResponseUrl(BaseHTTPRequestHandler):
    """Records the PUT a custom resource sends to CloudFormation's pre-signed S3 URL."""

    answers: list[dict[str, Any]]

    def do_PUT(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.server.answers.append(  # type: ignore[attr-defined]
            {"path": self.path, "content_type": self.headers["Content-Type"], **json.loads(body)}
        )
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def response_url() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    server = HTTPServer(("127.0.0.1", 0), _ResponseUrl)
    server.answers = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", server.answers  # type: ignore[attr-defined]
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def handler_module() -> Any:
    return load_handler()


def event(url: str, kind: str, *, version: int, old_version: int | None = None) -> dict[str, Any]:
    """A CloudFormation custom resource request as the Migrations resource receives it."""
    request: dict[str, Any] = {
        "RequestType": kind,
        "ServiceToken": f"{FUNCTION}:live",
        "ResponseURL": f"{url}/{kind.lower()}-{version}",
        "StackId": "arn:aws:cloudformation:us-east-1:123456789012:stack/interviewbot/1",
        "RequestId": f"request-{kind}-{version}",
        "LogicalResourceId": "Migrations",
        "ResourceType": "Custom::Migrations",
        "ResourceProperties": {"ServiceToken": f"{FUNCTION}:live", "CodeVersion": f"{FUNCTION}:{version}"},
    }  # fmt: skip
    if kind != "Create":
        request["PhysicalResourceId"] = "schema-migrations"
    if old_version is not None:
        request["OldResourceProperties"] = {
            "ServiceToken": f"{FUNCTION}:live",
            "CodeVersion": f"{FUNCTION}:{old_version}",
        }
    return request


def test_create_and_update_migrate_to_head(
    handler_module: Any, response_url: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url, answers = response_url
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'schema.db'}")
    handler_module.handler(event(url, "Create", version=1), None)
    handler_module.handler(event(url, "Update", version=2, old_version=1), None)
    create, update = answers
    assert create["Status"] == update["Status"] == "SUCCESS", (create, update)
    assert create["Data"]["before"] == "" and create["Data"]["after"] == create["Data"]["head"]
    assert update["Data"]["before"] == update["Data"]["after"] == update["Data"]["head"]
    assert create["content_type"] == ""  # the pre-signed URL was signed without one
    assert (create["path"], create["RequestId"]) == ("/create-1", "request-Create-1")
    assert {a["PhysicalResourceId"] for a in answers} == {"schema-migrations"}


def test_rollback_update_succeeds_without_touching_the_database(
    handler_module: Any, response_url: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Version 7 failed (here: the database is down); going back to 6 must not fail again."""
    url, answers = response_url
    monkeypatch.setenv("DATABASE_URL", UNREACHABLE_DATABASE)
    handler_module.handler(event(url, "Update", version=7, old_version=6), None)
    handler_module.handler(event(url, "Update", version=6, old_version=7), None)
    forward, rollback = answers
    assert forward["Status"] == "FAILED"  # a real failure still stops the deploy
    assert "OperationalError" in forward["Reason"], forward["Reason"]
    assert rollback["Status"] == "SUCCESS", rollback["Reason"]
    assert rollback["Data"] == {"skipped": "Update"}
    assert "rollback to function version 6" in rollback["Reason"]
    assert rollback["PhysicalResourceId"] == "schema-migrations"  # never a replacement


def test_delete_does_nothing_even_without_a_database(
    handler_module: Any, response_url: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    url, answers = response_url
    monkeypatch.setenv("DATABASE_URL", UNREACHABLE_DATABASE)
    handler_module.handler(event(url, "Delete", version=3), None)
    [delete] = answers
    assert delete["Status"] == "SUCCESS" and delete["Data"] == {"skipped": "Delete"}


def test_a_schema_newer_than_the_code_is_left_alone(
    handler_module: Any, response_url: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A forward Update of older code (a revert deployed on purpose) never downgrades."""
    url, answers = response_url
    database = tmp_path / "newer.db"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{database}")
    handler_module.handler(event(url, "Create", version=1), None)
    engine = create_engine(f"sqlite:///{database}")
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = 'ffffffffffff'"))
    engine.dispose()
    handler_module.handler(event(url, "Update", version=2, old_version=1), None)
    update = answers[-1]
    assert update["Status"] == "SUCCESS"
    assert update["Data"]["ahead"] == "True" and update["Data"]["after"] == "ffffffffffff"


@pytest.mark.parametrize(
    ("arn", "number"),
    [(f"{FUNCTION}:12", 12), (f"{FUNCTION}:live", None), ("", None), (None, None), ("7", 7)],
)
def test_version_number(handler_module: Any, arn: Any, number: int | None) -> None:
    assert handler_module.version_number(arn) == number


def test_update_without_old_properties_migrates(handler_module: Any) -> None:
    """Only a clear step back in version numbers counts as a rollback."""
    request = event("http://unused", "Update", version=5)
    assert handler_module.reason_to_leave_alone(request) is None
    same = event("http://unused", "Update", version=5, old_version=5)
    assert handler_module.reason_to_leave_alone(same) is None
