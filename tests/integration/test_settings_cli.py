"""Bad settings stop `interviewbot` with one line naming the variable: no traceback.

Runs the command as a process of its own would, in this process (tests/cli_runner.py: exit code
2, one line on stderr), and once through the installed command in a fresh process.
URLs are validated by scheme, so a `javascript:` dashboard link never reaches a message."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.config import ConfigError, load_settings
from tests.cli_runner import InProcessCli

BAD = [
    ("DATABASE_URL", "sqlite:////proc/nope/x.db", "cannot create the folder /proc/nope"),
    ("DATABASE_URL", "mysql+pymysql://garbage@@:x/", "port"),
    ("DATABASE_URL", "mysql+pymysql://garbage@@db:3306/x", "not a valid address"),
    ("DATABASE_URL", "mysql+pymysql://root@db:3306/", "name the database"),
    ("DATABASE_URL", "postgresql://db/x", "use sqlite:///path.db or mysql+pymysql://"),
    ("DATABASE_URL", "sqlite://host/x.db", "no host"),
    ("REDIS_URL", "redis://garbage:::/x", "port"),
    ("REDIS_URL", "redis://cache:6379/zero", "database must be a number"),
    ("REDIS_URL", "redis+cluster://cache:6379/2", "only database 0"),
    ("REDIS_URL", "http://cache:6379", "redis+cluster://"),
    ("REDIS_PREFIX", "ib:{tenant}:", "hash tags"),
    ("WEB_BASE_URL", "javascript:alert(document.cookie)", "http:// or https://"),
    ("WEB_BASE_URL", "https://", "not a valid address"),
    ("WEB_STATIC_URL", "//evil.example/static", "http:// or https://"),
    ("DISCORD_API_BASE_URL", "file:///etc/passwd", "http:// or https://"),
]


@pytest.mark.parametrize(("variable", "value", "reason"), BAD, ids=[f"{v}={x}" for v, x, _ in BAD])
def test_a_bad_value_is_one_line_naming_the_variable(
    variable: str, value: str, reason: str, tmp_path: Path, cli: InProcessCli
) -> None:
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'ok.db'}", variable: value}
    result = cli("migrate", env=env, cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("interviewbot: ") and variable in lines[0]
    assert reason in lines[0]
    assert "Traceback" not in result.stderr and result.stdout == ""


def test_a_bad_value_stops_the_installed_command_in_one_line(tmp_path: Path, fresh_process) -> None:  # type: ignore[no-untyped-def]
    """Smoke test of what only a process of its own shows: the setting read from the real
    environment of a fresh interpreter, the installed script's exit status 2, and nothing on
    stderr but the one line (no traceback, no log handler's output)."""
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'ok.db'}", "WEB_BASE_URL": "javascript:x"}
    result = fresh_process("migrate", env=env, cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith("interviewbot: ") and result.stderr.count("\n") == 1
    assert "WEB_BASE_URL" in result.stderr and "http:// or https://" in result.stderr
    assert result.stdout == ""


def test_a_database_path_through_a_file_is_refused(tmp_path: Path, cli: InProcessCli) -> None:
    (tmp_path / "a-file").write_text("not a folder")
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'a-file' / 'x.db'}"}
    result = cli("maintenance", env=env, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "DATABASE_URL" in result.stderr


def test_good_values_are_accepted(tmp_path: Path, cli: InProcessCli) -> None:
    settings = load_settings(
        _env_file=None,
        database_url="mysql+pymysql://user:p%40ss@db.example.com:3306/interviewbot?ssl_ca=/ca.pem",
        redis_url="rediss+cluster://default:secret@cache.example.com:6379",
        web_base_url="https://interview.example.com",
        web_static_url="https://d111111abcdef8.cloudfront.net/static",
    )
    assert settings.redis_url.startswith("rediss+cluster://")
    for url in ("sqlite://", "sqlite:///:memory:", "sqlite:///.data/x.db", "sqlite:////tmp/x.db"):
        assert load_settings(_env_file=None, database_url=url).database_url == url
    for url in ("memory://", "memory://tests", "redis://h:6379/0", "unix:///run/redis.sock"):
        assert load_settings(_env_file=None, redis_url=url).redis_url == url
    result = cli("migrate", env={"DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"}, cwd=tmp_path)
    assert result.returncode == 0 and "database at revision" in result.stdout


def test_several_bad_values_are_named_in_the_one_line() -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(_env_file=None, redis_url="redis://x:y", web_base_url="data:text/html,hi")
    assert "REDIS_URL" in str(caught.value) and "WEB_BASE_URL" in str(caught.value)
    assert "\n" not in str(caught.value)
