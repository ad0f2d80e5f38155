"""The web tests' fixtures (tests/web/conftest.py), for the bank pages."""

from tests.web.conftest import (  # noqa: F401  (fixtures)
    embedded_client,
    embedded_core,
    embedded_settings,
    outbox,
    web_app,
)
