"""every table in utf8mb4 (MySQL, MariaDB, TiDB)

Revision ID: 0005
Revises: 0003
Create Date: 2026-12-02 10:00:00

Tables created by 0001–0003 before they stated their character set took the database's
default; on a database created as latin1 (MariaDB's and older MySQL's default) an emoji,
Cyrillic or CJK answer or display name could not be stored. This converts every table of the
schema (alembic_version and slack_sdk's tables included) that is not utf8mb4 yet, data and
all, to utf8mb4 with that character set's default collation; tables already in utf8mb4 (TiDB,
MySQL 8 defaults, fresh installs) are left alone. Nothing to do on SQLite (always UTF-8).

Downgrade keeps utf8mb4: converting back could not hold the text stored since.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

# Tables with a column (or a default) in another character set.
NOT_UTF8MB4 = sa.text(
    """
    SELECT t.TABLE_NAME FROM information_schema.TABLES t
    JOIN information_schema.COLLATION_CHARACTER_SET_APPLICABILITY c
      ON c.COLLATION_NAME = t.TABLE_COLLATION
    WHERE t.TABLE_SCHEMA = DATABASE() AND t.TABLE_TYPE = 'BASE TABLE'
      AND c.CHARACTER_SET_NAME <> 'utf8mb4'
    UNION
    SELECT DISTINCT TABLE_NAME FROM information_schema.COLUMNS
    WHERE TABLE_SCHEMA = DATABASE() AND CHARACTER_SET_NAME IS NOT NULL
      AND CHARACTER_SET_NAME <> 'utf8mb4'
    """
)


# Foreign keys over character columns (identities.web_user_id -> users.id, a CHAR UUID):
# MariaDB refuses to convert either side while the key exists, even with the checks off.
CHARACTER_FOREIGN_KEYS = sa.text(
    """
    SELECT k.CONSTRAINT_NAME, k.TABLE_NAME, k.COLUMN_NAME, k.REFERENCED_TABLE_NAME,
           k.REFERENCED_COLUMN_NAME, r.DELETE_RULE, r.UPDATE_RULE
    FROM information_schema.KEY_COLUMN_USAGE k
    JOIN information_schema.REFERENTIAL_CONSTRAINTS r
      ON r.CONSTRAINT_SCHEMA = k.CONSTRAINT_SCHEMA AND r.CONSTRAINT_NAME = k.CONSTRAINT_NAME
     AND r.TABLE_NAME = k.TABLE_NAME
    JOIN information_schema.COLUMNS c
      ON c.TABLE_SCHEMA = k.TABLE_SCHEMA AND c.TABLE_NAME = k.TABLE_NAME
     AND c.COLUMN_NAME = k.COLUMN_NAME
    WHERE k.TABLE_SCHEMA = DATABASE() AND k.REFERENCED_TABLE_NAME IS NOT NULL
      AND c.CHARACTER_SET_NAME IS NOT NULL
    ORDER BY k.CONSTRAINT_NAME, k.ORDINAL_POSITION
    """
)


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "mysql":
        return
    tables = set(bind.execute(NOT_UTF8MB4).scalars())
    if not tables:
        return
    keys = _foreign_keys_touching(bind, tables)
    for name, key in keys.items():
        op.execute(f"ALTER TABLE `{key['table']}` DROP FOREIGN KEY `{name}`")
    for table in sorted(tables):
        op.execute(f"ALTER TABLE `{table}` CONVERT TO CHARACTER SET utf8mb4")
    for name, key in keys.items():
        op.execute(
            f"ALTER TABLE `{key['table']}` ADD CONSTRAINT `{name}` FOREIGN KEY "
            f"({_names(key['columns'])}) REFERENCES `{key['referred']}` "
            f"({_names(key['referred_columns'])}) "
            f"ON DELETE {key['on_delete']} ON UPDATE {key['on_update']}"
        )


def _foreign_keys_touching(bind: sa.Connection, tables: set[str]) -> dict[str, dict[str, Any]]:
    keys: dict[str, dict[str, Any]] = {}
    for name, table, column, referred, referred_column, on_delete, on_update in bind.execute(
        CHARACTER_FOREIGN_KEYS
    ):
        if table not in tables and referred not in tables:
            continue
        key = keys.setdefault(
            name,
            {
                "table": table,
                "referred": referred,
                "columns": [],
                "referred_columns": [],
                "on_delete": on_delete,
                "on_update": on_update,
            },
        )
        key["columns"].append(column)
        key["referred_columns"].append(referred_column)
    return keys


def _names(columns: list[str]) -> str:
    return ", ".join(f"`{c}`" for c in columns)


def downgrade() -> None:
    pass
