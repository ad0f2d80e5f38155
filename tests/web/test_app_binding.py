"""web.app.bind: one app serving one core after another (the tests' shared app), and the
lifespan closing what is bound when it exits."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from core.bootstrap import Core
from web.app import FIXED_AT_CREATION, bind, binding_of, create_app, restore
from web.outbox import Outbox

# A value other than the tests' for each setting an app is built with.
OTHER = {
    "environment": "production",
    "web_base_url": "https://interviews.example.test",
    "max_answer_chars": 5000,
    "web_static_url": "https://cdn.example.test/static",
    "quota_timezone": "Pacific/Auckland",
}


def test_every_setting_an_app_is_built_with_has_a_case_here() -> None:
    assert set(OTHER) == set(FIXED_AT_CREATION)


@pytest.mark.parametrize("name", FIXED_AT_CREATION)
def test_a_core_whose_settings_differ_from_the_app_s_is_refused(
    web_app: FastAPI, embedded_core: Core, name: str
) -> None:
    before = binding_of(web_app)
    setattr(embedded_core.settings, name, OTHER[name])
    with pytest.raises(ValueError, match=name):
        bind(web_app, embedded_core)
    after = binding_of(web_app)
    assert after.resources is before.resources and after.auth is before.auth


def test_a_bound_core_serves_until_restored_and_the_lifespan_closes_its_resources(
    web_app: FastAPI, embedded_core: Core, outbox: Outbox
) -> None:
    before = binding_of(web_app)
    previous = bind(web_app, embedded_core, outbox=outbox)
    bound = binding_of(web_app)
    try:
        assert previous.resources is before.resources and previous.auth is before.auth
        assert bound.resources.core is embedded_core and bound.auth.outbox is outbox
        assert web_app.state.csrf_key == bound.auth.csrf_key
        with TestClient(web_app, base_url="http://127.0.0.1") as client:
            assert client.get("/healthz").json()["database"] == "ok"  # through the async engine
            assert not bound.resources.released
        assert bound.resources.released
    finally:
        restore(web_app, previous)
    assert binding_of(web_app).resources is before.resources
    assert web_app.state.csrf_key == before.auth.csrf_key


def test_an_app_of_its_own_closes_its_own_resources_at_exit(embedded_core: Core) -> None:
    app = create_app(core=embedded_core)
    with TestClient(app, base_url="http://127.0.0.1") as client:
        assert client.get("/healthz").json()["database"] == "ok"
        assert not app.state.resources.released
    assert app.state.resources.released
