"""The web tests' fixtures (tests/web/conftest.py), for the bank pages."""

from tests.web.conftest import (  # noqa: F401  (fixtures)
    embedded_client,
    embedded_core,
    outbox,
    web_app,
)
