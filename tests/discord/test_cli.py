"""`interviewbot discord` when it cannot log in: one line that names the problem, exit code 1."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.discord.fake_discord import FakeDiscordApi, MockDiscordServer

ROOT = Path(__file__).resolve().parents[2]
# The real command, with discord.py's REST base pointed at loopback (it has no setting for it).
RUN = (
    "import sys, discord.http; discord.http.Route.BASE = sys.argv[1]; "
    "from core.cli import main; raise SystemExit(main(['discord']))"
)


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])  # free again once closed: nothing listens there


def run_bot(api_base: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DISCORD_", "DATABASE_", "REDIS_", "LOG_LEVEL"))
    }
    env |= {
        "DISCORD_TOKEN": "fake",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'bot.db'}",
        "REDIS_URL": f"memory://{tmp_path.name}",
        "PYTHONPATH": str(ROOT),
    }
    return subprocess.run(
        [sys.executable, "-c", RUN, api_base],
        cwd=tmp_path,  # no .env of the checkout
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize("trouble", ["no network", "bad token"])
def test_a_bot_that_cannot_log_in_says_why_in_one_line(trouble: str, tmp_path: Path) -> None:
    api = FakeDiscordApi()
    api.failures["me"] = 401  # what Discord answers to a token it does not know
    with MockDiscordServer(api) as discord_api:
        base = discord_api.base_url
        if trouble == "no network":
            base = f"http://127.0.0.1:{closed_port()}/api/v10"
        ran = run_bot(base, tmp_path)
    lines = ran.stderr.strip().splitlines()
    assert ran.returncode == 1, ran.stderr
    assert len(lines) == 1, ran.stderr
    if trouble == "no network":
        assert lines[0].startswith("interviewbot discord: could not reach Discord")
        assert "network" in lines[0]
    else:
        assert lines[0].startswith("interviewbot discord: Discord refused DISCORD_TOKEN")
        assert [c.kind for c in api.calls] == ["me"]
