"""`interviewbot bank …` and `interviewbot chat --bank` as a person runs them, on the embedded
default (SQLite and the in-process Redis stand-in). Each command runs in this process as a process
of its own would (tests/cli_runner.py): a stand-in of its own, the bank carried in the database."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli_runner import InProcessCli
from tests.console.test_chat_command import embedded

EXAMPLES = Path(__file__).parents[2] / "docs" / "examples" / "banks"
ANSWERS = (
    "Keep a counter per API key in Redis with a token bucket, increment it atomically, and "
    "answer 429 with Retry-After.\n"
    "Send an idempotency key and store it with the payment under a unique constraint.\n"
)


@pytest.mark.parametrize("extension", ["yaml", "csv", "md"])
def test_a_bank_file_imports_and_runs_a_whole_interview_in_the_terminal(
    tmp_path: Path, extension: str, cli: InProcessCli
) -> None:
    env = embedded(tmp_path)
    source = EXAMPLES / f"platform-team.{extension}"
    imported = cli("bank", "import", str(source), "--name", "team", env=env, cwd=tmp_path)
    assert imported.returncode == 0, imported.stderr
    assert imported.stdout.startswith(f"Imported 3 questions from platform-team.{extension}")
    assert "as bank 'team' version 1 (global): backend (medium), devops-sre (easy)" in (
        imported.stdout
    )
    chat = cli(
        "chat", "--bank", "team", "--role", "backend", "--questions", "2",
        stdin=ANSWERS, env=env, cwd=tmp_path,
    )  # fmt: skip
    assert chat.returncode == 0, chat.stderr
    out = " ".join(chat.stdout.split())
    assert "Backend · Medium — Question 1 of 2" in out and "Question 2 of 2" in out
    assert "rate limiting" in out and "charged once" in out
    assert "Interview summary" in out and "Traceback" not in chat.stderr


def test_a_broken_file_imports_nothing_and_names_file_line_and_field(
    tmp_path: Path, cli: InProcessCli
) -> None:
    env = embedded(tmp_path)
    broken = tmp_path / "questions.yaml"
    text = (EXAMPLES / "platform-team.yaml").read_text()
    broken.write_text(text.replace("      - check and increment atomically\n", "", 1).replace(
        "      - answer 429 with a Retry-After header\n", "", 1
    ).replace("      - use a token bucket or sliding window algorithm\n", "", 1))  # fmt: skip
    line = text.splitlines().index("    key_points:") + 1
    result = cli("bank", "import", str(broken), "--name", "team", env=env, cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr == (
        f"questions.yaml line {line}: key_points must list 2–8 items\nNothing was imported.\n"
    )
    listed = cli("bank", "list", env=env, cwd=tmp_path)
    assert listed.returncode == 0 and "team" not in listed.stdout
    assert "builtin" in listed.stdout and "270" in listed.stdout


def test_reimport_export_and_remove(tmp_path: Path, cli: InProcessCli) -> None:
    env = embedded(tmp_path)
    for extension in ("yaml", "md"):
        source = str(EXAMPLES / f"platform-team.{extension}")
        done = cli("bank", "import", source, "--name", "team", "--scope", "guild:42", env=env, cwd=tmp_path)  # fmt: skip
        assert done.returncode == 0, done.stderr
    listed = cli("bank", "list", env=env, cwd=tmp_path).stdout.splitlines()
    [team] = [row for row in listed if row.startswith("team ")]
    assert team.split()[:4] == ["team", "2", "3", "guild:42"]

    exported = tmp_path / "team.yaml"
    assert cli("bank", "export", "team", "--out", str(exported), env=env, cwd=tmp_path).returncode == 0  # fmt: skip
    again = cli("bank", "import", str(exported), "--name", "team", env=env, cwd=tmp_path)
    assert "version 3 (global)" in again.stdout
    second = cli("bank", "export", "team", env=env, cwd=tmp_path).stdout
    assert second == exported.read_text()  # an export re-imports identically

    assert cli("bank", "remove", "team", env=env, cwd=tmp_path).returncode == 0
    gone = cli("bank", "export", "team", env=env, cwd=tmp_path)
    assert gone.returncode == 1 and "no question bank named 'team'" in gone.stderr
    refused = cli("chat", "--bank", "team", env=env, cwd=tmp_path, stdin="/end\n")
    assert refused.returncode == 1 and "no question bank named 'team'" in refused.stderr


def test_bad_names_and_scopes_are_refused_before_reading_the_file(
    tmp_path: Path, cli: InProcessCli
) -> None:
    env = embedded(tmp_path)
    source = str(EXAMPLES / "platform-team.yaml")
    bad_name = cli("bank", "import", source, "--name", "Team X", env=env, cwd=tmp_path)
    assert bad_name.returncode == 1 and "cannot name a bank" in bad_name.stderr
    bad_scope = cli("bank", "import", source, "--name", "t", "--scope", "team:1", env=env, cwd=tmp_path)  # fmt: skip
    assert bad_scope.returncode == 1 and "Unknown bank scope 'team:1'" in bad_scope.stderr
