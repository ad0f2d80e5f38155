"""`interviewbot chat --review | --adaptive` and `stats --me`, one command after another (each run
in this process as a process of its own would: tests/cli_runner.py)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import create_engine, text

from tests.cli_runner import InProcessCli
from tests.console.test_chat_command import embedded


def test_review_says_when_then_asks_what_is_due_and_stats_prints_it(
    tmp_path: Path, cli: InProcessCli
) -> None:
    env = embedded(tmp_path)
    nothing = cli("chat", "--review", stdin="", env=env, cwd=tmp_path)
    assert nothing.returncode == 4, nothing.stderr
    assert "Nothing is due for review right now" in nothing.stdout
    assert "interviewbot chat" in nothing.stdout and "Question 1" not in nothing.stdout

    weak = cli(
        "chat", "--role", "backend", "--difficulty", "medium", "--questions", "2", "--adaptive",
        stdin="no idea\nno idea\n", env=env, cwd=tmp_path,
    )  # fmt: skip
    assert weak.returncode == 0, weak.stderr
    assert "Levels: Medium → Easy" in weak.stdout  # down after a weak answer
    later = cli("stats", "--me", env=env, cwd=tmp_path)
    assert "Review: nothing due today; next item" in later.stdout

    engine = create_engine(env["DATABASE_URL"])  # two days pass
    with engine.begin() as db:
        for column in ("due_at", "reviewed_at"):
            rows = db.execute(text(f"SELECT id, {column} FROM review_events")).all()
            for row_id, moment in rows:
                earlier = str(_parse(moment) - timedelta(days=2))
                db.execute(
                    text(f"UPDATE review_events SET {column} = :m WHERE id = :i"),
                    {"m": earlier, "i": row_id},
                )
    engine.dispose()
    due = cli("stats", "--me", env=env, cwd=tmp_path)
    assert "due: " in due.stdout and "interviewbot chat --review" in due.stdout
    review = cli("chat", "--review", stdin="/end\n", env=env, cwd=tmp_path)
    assert review.returncode == 0, review.stderr
    assert "Review · Backend · " in review.stdout and "Question 1 of" in review.stdout


def _parse(value: object):  # type: ignore[no-untyped-def]
    from datetime import datetime

    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
