"""`interviewbot chat` and `stats` as a person runs them: real processes on the embedded default."""

from __future__ import annotations

import json
from pathlib import Path

from tests.console.test_cli import run_cli

ANSWER = "An index is a B-tree on a column, so lookups read a few pages instead of the table.\n"


def embedded(tmp_path: Path, **extra: str) -> dict[str, str]:
    return {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'chat.db'}",
        "REDIS_URL": f"memory://{tmp_path.name}",
        "EMBEDDED_REDIS_PORT": "1",  # nothing serves the stand-in there: this run keeps its own
        **extra,
    }


def test_undecodable_input_is_read_not_a_traceback(tmp_path: Path) -> None:
    result = run_cli(
        "chat", "--role", "backend", "--difficulty", "easy", "--questions", "1",
        stdin_bytes=b"x \xff\n/end\n", env=embedded(tmp_path), cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert "Interview summary" in result.stdout


def test_a_used_up_quota_is_said_before_anything_is_asked(tmp_path: Path) -> None:
    env = embedded(tmp_path, QUOTA_PER_DAY="1")
    first = run_cli("chat", stdin="/end\n", env=env, cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    second = run_cli("chat", stdin="/end\n", env=env, cwd=tmp_path)
    assert second.returncode == 3
    assert "You have used all 1 interview sessions for today" in second.stdout
    assert "Question 1" not in second.stdout and "Traceback" not in second.stderr


def test_stats_without_interviews_says_how_to_start_one(tmp_path: Path) -> None:
    result = run_cli("stats", env=embedded(tmp_path), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "No interviews here in the last 90 days yet" in result.stdout
    assert "Sessions per day" not in result.stdout  # no empty tables


def test_evaluate_names_a_missing_field(tmp_path: Path) -> None:
    line = json.dumps({"question": "What is an index?", "answer": "A B-tree."})
    result = run_cli("evaluate", stdin=line + "\n", env=embedded(tmp_path), cwd=tmp_path)
    assert json.loads(result.stdout) == {
        "error": "line 1: missing field 'reference'",
        "score": None,
    }


def test_evaluate_output_says_who_graded_with_evidence(tmp_path: Path) -> None:
    record = {
        "question": "Why add an index to a table?",
        "reference": "An index is a B-tree that makes lookups fast but slows down writes.",
        "key_points": ["An index makes lookups fast", "An index slows down writes"],
        "answer": ANSWER.strip(),
    }
    result = run_cli(
        "evaluate", stdin=json.dumps(record) + "\n", env=embedded(tmp_path), cwd=tmp_path
    )
    evaluation = json.loads(result.stdout)
    assert evaluation["graded_by"] == "offline heuristic scorer"
    assert [p["point"] for p in evaluation["points"]] == record["key_points"]
    for point in evaluation["points"]:
        assert point["verdict"] in ("covered", "partial", "missing", "contradicted")
        if point["verdict"] in ("covered", "partial"):
            assert point["quote"] and point["quote"].lower() in record["answer"].lower()
