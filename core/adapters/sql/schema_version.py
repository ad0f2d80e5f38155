"""Is the database at this code's head revision? Answered without importing Alembic.

Every process built on a server database checks its schema once, when the core is built.
Alembic's own check imports Alembic (its dialect modules, Mako, Pygments: about 0.25 s, a
quarter of the web Lambda's cold start beyond its libraries) to read what a plain SELECT and
the migration files' `revision` lines tell. The answer here is only ever "yes, exactly at the
head"; anything else (behind, ahead, branched, unreadable) is left to Alembic
(core.adapters.sql.migrate.is_usable), which knows every case.
"""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError

VERSIONS = Path(__file__).with_name("migrations") / "versions"


def at_head(engine: Engine) -> bool:
    """True when the database's one recorded revision is the migrations' one head."""
    head = head_revision()
    if head is None:
        return False
    with engine.connect() as connection:  # an unreachable database raises, as with Alembic
        try:
            rows = connection.execute(text("SELECT version_num FROM alembic_version")).all()
        except DBAPIError:  # no version table yet: Alembic's check tells what to do
            return False
    return [row[0] for row in rows] == [head]


@cache
def head_revision() -> str | None:
    """The revision no other migration builds on, read from the files; None unless exactly one."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in VERSIONS.glob("*.py"):
        names = _module_constants(path)
        revision = names.get("revision")
        if isinstance(revision, str):
            revisions.add(revision)
        down = names.get("down_revision")  # None, one revision, or a merge's tuple of them
        if isinstance(down, str):
            parents.add(down)
        elif isinstance(down, tuple | list):
            parents.update(str(parent) for parent in down)
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 else None


def _module_constants(path: Path) -> dict[str, object]:
    """The module's top-level `name = <literal>` assignments (what Alembic reads on import)."""
    constants: dict[str, object] = {}
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        target = node.targets[0] if isinstance(node, ast.Assign) else None
        if isinstance(node, ast.AnnAssign):
            target = node.target
        value = getattr(node, "value", None)
        if isinstance(target, ast.Name) and value is not None:
            try:
                constants[target.id] = ast.literal_eval(value)
            except (ValueError, TypeError, SyntaxError):  # not a literal: not a revision
                continue
    return constants
