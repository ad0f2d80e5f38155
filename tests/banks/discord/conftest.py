"""The Discord tests' fixtures (tests/discord/conftest.py), for the bank tests driven through
Discord's HTTP interactions endpoint."""

from tests.discord.conftest import api, embedded_settings, signing_key  # noqa: F401  (fixtures)
