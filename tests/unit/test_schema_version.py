"""The schema check without Alembic: "at the head" only when it is, Alembic for the rest."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text

from core.adapters.sql import migrate, schema_version
from core.bootstrap import ensure_schema
from core.config import ConfigError


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    return create_engine(f"sqlite:///{tmp_path / 'schema.db'}")


def test_the_head_read_from_the_files_is_alembics() -> None:
    assert schema_version.head_revision() == migrate.head_revision()


def test_a_database_at_the_head_is_told_so(engine: Engine) -> None:
    migrate.upgrade(engine)
    assert schema_version.at_head(engine)
    ensure_schema(engine, auto_migrate=False)  # passes without asking Alembic


def test_an_empty_database_is_not_at_the_head_and_alembic_says_why(engine: Engine) -> None:
    assert not schema_version.at_head(engine)
    with pytest.raises(ConfigError, match="interviewbot migrate"):
        ensure_schema(engine, auto_migrate=False)


def test_an_older_schema_is_refused(engine: Engine) -> None:
    migrate.upgrade(engine, "0001")
    assert not schema_version.at_head(engine)
    with pytest.raises(ConfigError, match="at 0001"):
        ensure_schema(engine, auto_migrate=False)


def test_a_newer_schema_is_left_to_alembic_which_accepts_it(engine: Engine) -> None:
    migrate.upgrade(engine)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = 'ffff_future'"))
    assert not schema_version.at_head(engine)
    ensure_schema(engine, auto_migrate=False)  # a rollback runs on the newer schema


def test_merged_branches_and_annotated_assignments_are_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    versions = tmp_path / "versions"
    versions.mkdir()
    (versions / "a.py").write_text('revision = "a"\ndown_revision = None\n')
    (versions / "b.py").write_text('revision: str = "b"\ndown_revision: str | None = "a"\n')
    (versions / "c.py").write_text('revision = "c"\ndown_revision = "a"\n')
    (versions / "d.py").write_text('revision = "d"\ndown_revision = ("b", "c")\n')
    monkeypatch.setattr(schema_version, "VERSIONS", versions)
    assert _head_of() == "d"
    (versions / "e.py").write_text('revision = "e"\ndown_revision = "d"\n')
    (versions / "f.py").write_text('revision = "f"\ndown_revision = "d"\n')
    assert _head_of() is None  # two heads: Alembic decides


def _head_of() -> str | None:
    schema_version.head_revision.cache_clear()
    try:
        return schema_version.head_revision()
    finally:
        schema_version.head_revision.cache_clear()


def test_a_sqlite_file_at_the_head_is_not_migrated_again(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every terminal command builds a core on the same SQLite file: once it is at the head,
    Alembic (its import and its run, about 0.2 s of each start) is not asked again."""
    upgrades: list[Engine] = []
    original = migrate.upgrade
    monkeypatch.setattr(migrate, "upgrade", lambda e, *a: upgrades.append(e) or original(e, *a))
    ensure_schema(engine, auto_migrate=True)
    assert upgrades == [engine] and schema_version.at_head(engine)
    ensure_schema(engine, auto_migrate=True)
    ensure_schema(engine)  # SQLite migrates by default
    assert upgrades == [engine]
