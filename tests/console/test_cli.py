"""The core CLI: `evaluate` (used to score held-out sets), `migrate`, `maintenance`, bad config."""

from __future__ import annotations

import io
import json
from pathlib import Path

from core.adapters.offline.evaluator import OfflineEvaluator
from core.cli import evaluate_lines
from tests.cli_runner import InProcessCli

QUESTION = "What is the role of a prototype program in problem solving?"
REFERENCE = "To simulate the behaviour of portions of the desired software product."


def record(answer: str, **extra: object) -> str:
    return json.dumps({"question": QUESTION, "reference": REFERENCE, "answer": answer, **extra})


def test_evaluate_prints_one_json_result_per_line_in_order() -> None:
    lines = [
        record("It simulates the behaviour of parts of the software product before it is built."),
        "",  # blank lines are skipped, not answered
        record("fine", id="1.1", grade=0.5),  # extra fields are ignored
        "{not json",
        json.dumps({"question": QUESTION, "answer": "no reference given"}),
    ]
    out = io.StringIO()
    status = evaluate_lines(OfflineEvaluator(), lines, out)
    results = [json.loads(line) for line in out.getvalue().splitlines()]
    assert status == 1  # some lines failed; the others were still scored
    assert len(results) == 4
    good, trivial, broken, missing = results
    assert good["score"] > trivial["score"] and trivial["score"] <= 1.5
    assert good["provider"] == "offline" and good["feedback"] and good["ideal_answer"] == REFERENCE
    assert broken["score"] is None and "line 4" in broken["error"]
    assert missing["score"] is None and "reference" in missing["error"]


def test_evaluate_from_stdin_through_the_command(tmp_path: Path, cli: InProcessCli) -> None:
    stdin = "\n".join(record(a) for a in ["It simulates parts of the product.", ""]) + "\n"
    result = cli("evaluate", stdin=stdin, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    scores = [json.loads(line)["score"] for line in result.stdout.splitlines()]
    assert len(scores) == 2 and scores[0] > scores[1] == 0


def test_the_installed_command_in_a_process_of_its_own(tmp_path: Path, fresh_process) -> None:  # type: ignore[no-untyped-def]
    """Smoke test of the process boundary, which the in-process tests leave out: the script pip
    installed starts a fresh interpreter, reads a real pipe on stdin, writes to a real pipe and
    exits with the command's status (1: a line could not be scored; the others still were)."""
    lines = [record("It simulates parts of the product."), record(""), "{not json"]
    result = fresh_process("evaluate", stdin="\n".join(lines) + "\n", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    scores = [json.loads(line)["score"] for line in result.stdout.splitlines()]
    assert len(scores) == 3 and scores[0] > scores[1] == 0 and scores[2] is None
    assert result.stderr == ""


def test_a_bad_setting_stops_the_program_naming_the_variable(
    tmp_path: Path, cli: InProcessCli
) -> None:
    result = cli("evaluate", env={"QUOTA_PER_DAY": "lots"}, cwd=tmp_path)
    assert result.returncode == 2
    assert "QUOTA_PER_DAY" in result.stderr and "Traceback" not in result.stderr


def test_migrate_and_maintenance_on_a_fresh_database(tmp_path: Path, cli: InProcessCli) -> None:
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}"}
    migrated = cli("migrate", env=env, cwd=tmp_path)
    assert migrated.returncode == 0 and "database at revision" in migrated.stdout
    maintained = cli("maintenance", env=env, cwd=tmp_path)
    assert maintained.returncode == 0, maintained.stderr
    assert json.loads(maintained.stdout) == {
        "expired_sessions": 0,
        "retried_evaluations": {"evaluated": 0, "failed": 0, "busy": 0, "deferred": 0},
        "qotd_evaluations": {
            "evaluated": 0,
            "failed": 0,
            "busy": 0,
            "deferred": 0,
            "delivered": 0,
        },
    }


def test_an_unreachable_database_is_a_clear_message(tmp_path: Path, cli: InProcessCli) -> None:
    env = {"DATABASE_URL": "mysql+pymysql://nobody@127.0.0.1:1/nothing"}
    for command in ("migrate", "stats"):
        result = cli(command, env=env, cwd=tmp_path)
        assert result.returncode == 1, (command, result.stderr)
        assert "database unreachable" in result.stderr and "Traceback" not in result.stderr
