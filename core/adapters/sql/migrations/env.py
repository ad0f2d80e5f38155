"""Alembic environment: runs on the connection handed in by core.adapters.sql.migrate, or on DATABASE_URL."""

from __future__ import annotations

from typing import Any

from alembic import context

from core.adapters.sql import bank_models, qotd_models  # noqa: F401  (their tables join Base.metadata)
from core.adapters.sql.models import Base

target_metadata = Base.metadata


def include_object(
    obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
) -> bool:
    # Tables created by libraries in our migrations (slack_sdk's installation store) are not in
    # our metadata: never let autogenerate propose dropping them.
    return not (type_ == "table" and reflected and compare_to is None)


def run_migrations() -> None:
    connection = context.config.attributes.get("connection")
    if connection is None:
        from core.adapters.sql.database import make_engine
        from core.config import load_settings

        engine = make_engine(load_settings().database_url)
        with engine.connect() as connection:
            _run(connection)
        return
    _run(connection)


def _run(connection: Any) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        include_object=include_object,
        render_as_batch=connection.dialect.name == "sqlite",  # ALTER TABLE support on SQLite
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations()
