"""Where Settings reads its values: keyword arguments, then the environment, then `.env`, then
the defaults (the rules pydantic-settings applied before core.config read them itself)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from core.config import ConfigError, Settings, load_settings

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def clean_directory(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.chdir(tmp_path)  # no .env of the checkout
    for name in ("QUOTA_PER_DAY", "SLACK_BOT_TOKEN", "LOG_LEVEL", "REDIS_PREFIX"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


def test_the_environment_wins_over_dot_env_and_arguments_over_both(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / ".env").write_text("QUOTA_PER_DAY=9\nSLACK_BOT_TOKEN=xoxb-file\nREDIS_PREFIX=f:\n")
    monkeypatch.setenv("quota_per_day", "7")  # any case
    assert Settings().quota_per_day == 7
    assert Settings().slack_bot_token.get_secret_value() == "xoxb-file"  # type: ignore[union-attr]
    assert Settings(quota_per_day=2, redis_prefix="a:").quota_per_day == 2
    assert Settings(redis_prefix="a:").redis_prefix == "a:"
    assert Settings(_env_file=None).slack_bot_token is None  # no file; the environment still
    assert Settings(_env_file=None).quota_per_day == 7


def test_dot_env_lines_without_a_value_and_unknown_names_set_nothing(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("SLACK_BOT_TOKEN\nNOT_A_SETTING=1\nLOG_LEVEL=\n")
    settings = Settings()
    assert settings.slack_bot_token is None
    assert settings.log_level is None  # an empty value is read (and means "unset" for this one)
    assert "slack_bot_token" not in settings.model_fields_set
    assert "log_level" in settings.model_fields_set


def test_a_bad_value_from_any_source_is_named_by_its_variable(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / ".env").write_text("REDIS_PREFIX={tag}\n")
    monkeypatch.setenv("QUOTA_PER_DAY", "0")
    with pytest.raises(ConfigError) as caught:
        load_settings()
    assert str(caught.value) == (
        "Invalid configuration — REDIS_PREFIX: must not contain { or } (keys carry their own "
        "hash tags); QUOTA_PER_DAY: Input should be greater than or equal to 1"
    )


def test_the_defaults_are_validated_too() -> None:
    with pytest.raises(ConfigError, match="QUOTA_TIMEZONE: unknown time zone"):
        load_settings(quota_timezone="Mars/Olympus")
    assert Settings().timezone.key == "UTC"


def test_reading_the_settings_imports_no_pydantic_settings() -> None:
    """pydantic-settings cost a Lambda cold start about as much as pydantic itself."""
    probe = "import sys, core.config; core.config.load_settings(); print('pydantic_settings' in sys.modules)"
    run = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert run.stdout.strip() == "False"
