"""`interviewbot discord` when it cannot log in: one line that names the problem, exit code 1."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

from tests.cli_runner import InProcessCli, Ran
from tests.conftest import migrated_copy
from tests.discord.fake_discord import FakeDiscordApi, MockDiscordServer


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])  # free again once closed: nothing listens there


def run_bot(
    api_base: str, tmp_path: Path, cli: InProcessCli, monkeypatch: pytest.MonkeyPatch
) -> Ran:
    """`interviewbot discord` with discord.py's REST base pointed at loopback (it has no setting
    for it), run in this process as a process of its own would (tests/cli_runner.py)."""
    import discord.http

    for key in list(os.environ):
        if key.startswith(("DISCORD_", "DATABASE_", "REDIS_", "LOG_LEVEL")):
            monkeypatch.delenv(key)
    monkeypatch.setattr(discord.http.Route, "BASE", api_base)
    env = {
        "DISCORD_TOKEN": "fake",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'bot.db'}",
        "REDIS_URL": f"memory://{tmp_path.name}",
    }
    return cli("discord", env=env, cwd=tmp_path)  # no .env of the checkout there


@pytest.mark.parametrize("trouble", ["no network", "bad token"])
def test_a_bot_that_cannot_log_in_says_why_in_one_line(
    trouble: str,
    tmp_path: Path,
    cli: InProcessCli,
    monkeypatch: pytest.MonkeyPatch,
    migrated_sqlite: Path,
) -> None:
    migrated_copy(migrated_sqlite, tmp_path / "bot.db")  # at the head: the bot migrates nothing
    api = FakeDiscordApi()
    api.failures["me"] = 401  # what Discord answers to a token it does not know
    with MockDiscordServer(api) as discord_api:
        base = discord_api.base_url
        if trouble == "no network":
            base = f"http://127.0.0.1:{closed_port()}/api/v10"
        ran = run_bot(base, tmp_path, cli, monkeypatch)
    lines = ran.stderr.strip().splitlines()
    assert ran.returncode == 1, ran.stderr
    assert len(lines) == 1, ran.stderr
    if trouble == "no network":
        assert lines[0].startswith("interviewbot discord: could not reach Discord")
        assert "network" in lines[0]
    else:
        assert lines[0].startswith("interviewbot discord: Discord refused DISCORD_TOKEN")
        assert [c.kind for c in api.calls] == ["me"]
