"""Lambda entry that runs the Alembic migrations (`interviewbot migrate`) on DATABASE_URL.

Two callers, one job (upgrade to head; idempotent):
- CloudFormation, through template.yaml's `Migrations` custom resource, during every deploy
  that publishes new code, before the functions that use the database are updated. The answer
  goes to CloudFormation's ResponseURL, never as an exception: an unanswered request would hold
  the deploy until the resource's ServiceTimeout.
- A person or deploy.yml: `aws lambda invoke --payload '{}'` returns the revisions.

What CloudFormation asks, and what this does (infra/README.md, "When a deploy fails"):
- Create, Update: migrate to head. A failure answers FAILED and CloudFormation rolls back.
- Update during a rollback: CloudFormation sends the OLD properties (CodeVersion is the older
  function version it is going back to). The schema is left as it is, without touching the
  database: migrations only add what older code can ignore, and the database may be the very
  thing that is unreachable. Answering SUCCESS lets the rollback finish instead of leaving the
  stack in UPDATE_ROLLBACK_FAILED.
- Delete: nothing; the schema outlives the stack (and the Delete after a failed Create must
  not fail either).

It lives in the maintenance artefact (core only) and runs where the app runs, so a database that
only the functions can reach is migrated all the same.
"""

from __future__ import annotations

import json
import logging
import urllib.request
from typing import Any

log = logging.getLogger(__name__)

# A stable id: a different one on an update would make CloudFormation "replace" the resource.
PHYSICAL_ID = "schema-migrations"
REASON_LIMIT = 1000  # characters; CloudFormation caps the whole response at 4 KB


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Migrate to head and return the revisions; answer CloudFormation when it is the caller."""
    if "ResponseURL" in event and "RequestType" in event:
        return answer_cloudformation(event)
    return migrate_to_head()


def migrate_to_head() -> dict[str, Any]:
    """Upgrade the schema to head; return the revisions before and after.

    A schema ahead of this code (a revision it does not know) is left alone: that is a rollback
    to older code, or a revert, and downgrading automatically could drop data.
    """
    from core.adapters.sql import migrate
    from core.adapters.sql.database import make_engine
    from core.config import load_settings

    engine = make_engine(load_settings().database_url)
    try:
        before = migrate.current_revision(engine)
        ahead = before is not None and not _known_revision(before)
        if not ahead:
            migrate.upgrade(engine)
        after = migrate.current_revision(engine)
    finally:
        engine.dispose()
    result = {"before": before, "after": after, "head": migrate.head_revision(), "ahead": ahead}
    log.info("migrations: %s", result)
    return result


def _known_revision(revision: str) -> bool:
    from alembic.script import ScriptDirectory
    from alembic.util import CommandError

    from core.adapters.sql import migrate

    script = ScriptDirectory.from_config(migrate.alembic_config())
    try:
        return script.get_revision(revision) is not None
    except CommandError:
        return False


def answer_cloudformation(event: dict[str, Any]) -> dict[str, Any]:
    """Run the request (migrate, or leave the schema alone) and report back to CloudFormation."""
    status, reason, data = "SUCCESS", "", {}
    try:
        skip = reason_to_leave_alone(event)
        if skip is not None:
            reason, data = skip, {"skipped": event["RequestType"]}
            log.info("migrations left alone: %s", skip)
        else:
            result = migrate_to_head()
            data = {key: str(value or "") for key, value in result.items()}
            reason = f"schema at {data['after'] or 'nothing'} (was {data['before'] or 'empty'})"
    except Exception as exc:  # any failure must reach CloudFormation as FAILED, with its cause
        log.exception("migrations failed")
        status, reason = "FAILED", f"migrations failed: {type(exc).__name__}: {exc}"
    response = {
        "Status": status,
        "Reason": reason[:REASON_LIMIT],
        "PhysicalResourceId": event.get("PhysicalResourceId") or PHYSICAL_ID,
        "StackId": event["StackId"],
        "RequestId": event["RequestId"],
        "LogicalResourceId": event["LogicalResourceId"],
        "Data": data,
    }
    _put(event["ResponseURL"], response)
    return response


def reason_to_leave_alone(event: dict[str, Any]) -> str | None:
    """Why this request must not migrate (Delete, or an Update that rolls back); None to migrate."""
    if event["RequestType"] == "Delete":
        return "Delete: nothing to do, the schema outlives the stack"
    if event["RequestType"] != "Update":
        return None
    target = version_number(event.get("ResourceProperties", {}).get("CodeVersion"))
    current = version_number(event.get("OldResourceProperties", {}).get("CodeVersion"))
    if target is not None and current is not None and target < current:
        return (
            f"rollback to function version {target} (from {current}): the schema stays as it is, "
            "older code runs on it"
        )
    return None


def version_number(code_version: Any) -> int | None:
    """The number at the end of a Lambda version ARN (`...:function:name:12` -> 12), if any.

    Lambda numbers the versions of a function in publishing order, so a smaller target number
    than the current one means CloudFormation is going back, i.e. rolling back.
    """
    tail = str(code_version or "").rsplit(":", 1)[-1]
    return int(tail) if tail.isdigit() else None


def _put(url: str, response: dict[str, Any]) -> None:
    # The pre-signed S3 URL was signed without a content type: sending one would break it.
    body = json.dumps(response).encode("utf-8")
    request = urllib.request.Request(url, data=body, method="PUT", headers={"Content-Type": ""})
    try:
        with urllib.request.urlopen(request, timeout=30) as reply:
            log.info("answered CloudFormation: %s (HTTP %s)", response["Status"], reply.status)
    except OSError:
        # Raising would only make Lambda retry the migrations; CloudFormation gives up at the
        # resource's ServiceTimeout and rolls the deploy back.
        log.exception("could not answer CloudFormation at its ResponseURL")
