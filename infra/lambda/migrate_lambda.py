"""One-off Lambda entry that runs the Alembic migrations (`interviewbot migrate`) on DATABASE_URL.

deploy.yml invokes it after each `sam deploy`. It lives in the maintenance artefact (core only) and
runs where the app runs, so a database that only the functions can reach is migrated all the same.
"""

from __future__ import annotations

import logging
from typing import Any

log = logging.getLogger(__name__)


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Upgrade the schema to head; return the revisions before and after (idempotent)."""
    from core.adapters.sql import migrate
    from core.adapters.sql.database import make_engine
    from core.config import load_settings

    engine = make_engine(load_settings().database_url)
    try:
        before = migrate.current_revision(engine)
        migrate.upgrade(engine)
        after = migrate.current_revision(engine)
    finally:
        engine.dispose()
    result = {"before": before, "after": after, "head": migrate.head_revision()}
    log.info("migrations: %s", result)
    return result
