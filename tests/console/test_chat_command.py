"""`interviewbot chat` and `stats` as a person runs them, on the embedded default (run in this
process by tests/cli_runner.py; one smoke test through the installed command in a real pipe)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli_runner import InProcessCli

ANSWER = "An index is a B-tree on a column, so lookups read a few pages instead of the table.\n"


def embedded(tmp_path: Path, **extra: str) -> dict[str, str]:
    return {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'chat.db'}",
        "REDIS_URL": f"memory://{tmp_path.name}",
        "EMBEDDED_REDIS_PORT": "1",  # nothing serves the stand-in there: this run keeps its own
        **extra,
    }


def test_undecodable_input_is_read_not_a_traceback(tmp_path: Path, cli: InProcessCli) -> None:
    result = cli(
        "chat", "--role", "backend", "--difficulty", "easy", "--questions", "1",
        stdin_bytes=b"x \xff\n/end\n", env=embedded(tmp_path), cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert "Interview summary" in result.stdout


def test_an_interview_through_the_installed_command_in_a_real_pipe(
    tmp_path: Path, fresh_process
) -> None:  # type: ignore[no-untyped-def]
    """Smoke test of what only a process of its own shows: the stdin a person's shell pipes in
    (an interpreter-made text stream, with undecodable bytes in it), the embedded default built
    from the environment in a fresh interpreter, and the interview to its summary, exit 0."""
    result = fresh_process(
        "chat", "--role", "backend", "--difficulty", "easy", "--questions", "1",
        stdin_bytes=b"x \xff\n/end\n", env=embedded(tmp_path), cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert "Interview summary" in result.stdout


def test_a_used_up_quota_is_said_before_anything_is_asked(
    tmp_path: Path, cli: InProcessCli
) -> None:
    env = embedded(tmp_path, QUOTA_PER_DAY="1")
    first = cli("chat", stdin="/end\n", env=env, cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    second = cli("chat", stdin="/end\n", env=env, cwd=tmp_path)
    assert second.returncode == 3
    assert "You have used all 1 interview sessions for today" in second.stdout
    assert "Question 1" not in second.stdout and "Traceback" not in second.stderr


def test_stats_without_interviews_says_how_to_start_one(tmp_path: Path, cli: InProcessCli) -> None:
    result = cli("stats", env=embedded(tmp_path), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "No interviews here in the last 90 days yet" in result.stdout
    assert "Sessions per day" not in result.stdout  # no empty tables


def test_evaluate_names_a_missing_field(tmp_path: Path, cli: InProcessCli) -> None:
    line = json.dumps({"question": "What is an index?", "answer": "A B-tree."})
    result = cli("evaluate", stdin=line + "\n", env=embedded(tmp_path), cwd=tmp_path)
    assert json.loads(result.stdout) == {
        "error": "line 1: missing field 'reference'",
        "score": None,
    }


def test_evaluate_output_says_who_graded_with_evidence(tmp_path: Path, cli: InProcessCli) -> None:
    record = {
        "question": "Why add an index to a table?",
        "reference": "An index is a B-tree that makes lookups fast but slows down writes.",
        "key_points": ["An index makes lookups fast", "An index slows down writes"],
        "answer": ANSWER.strip(),
    }
    result = cli("evaluate", stdin=json.dumps(record) + "\n", env=embedded(tmp_path), cwd=tmp_path)
    evaluation = json.loads(result.stdout)
    assert evaluation["graded_by"] == "offline heuristic scorer"
    assert [p["point"] for p in evaluation["points"]] == record["key_points"]
    for point in evaluation["points"]:
        assert point["verdict"] in ("covered", "partial", "missing", "contradicted")
        if point["verdict"] in ("covered", "partial"):
            assert point["quote"] and point["quote"].lower() in record["answer"].lower()
