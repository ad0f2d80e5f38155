"""The web tests' fixtures (tests/web/conftest.py), for the bank pages."""

from tests.web.conftest import embedded_client, embedded_core, outbox  # noqa: F401  (fixtures)
