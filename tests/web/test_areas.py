"""The app's areas (web.areas): each request loads what its path needs, and nothing is lost."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from fastapi import APIRouter, FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from core.bootstrap import Core
from tests.web.conftest import fresh_client
from tests.web.helpers import browser_register
from web.app import create_app
from web.areas import AREAS, Area, Areas
from web.outbox import Outbox


@pytest.fixture
def embedded_client(embedded_core: Core, outbox: Outbox) -> Iterator[TestClient]:
    """A new app, not the process's shared one: these tests watch its areas load."""
    yield from fresh_client(embedded_core, outbox)


def routes_by_area(app: FastAPI) -> dict[str, list[str]]:
    """Every area's route paths, once all are loaded."""
    areas: Areas = app.state.areas
    areas.load_all()
    return {
        name: [prefix + route.path for prefix, router in included for route in router.routes]
        for name, included in areas.included.items()
    }


def test_every_route_is_claimed_by_the_area_that_registers_it(embedded_client: TestClient) -> None:
    app: FastAPI = embedded_client.app  # type: ignore[assignment]
    areas: Areas = app.state.areas
    assert len({area.name for area in AREAS}) == len(AREAS)  # Areas.all_loaded counts names
    found = routes_by_area(app)
    assert set(found) == {area.name for area in AREAS if area.load is not None}
    for name, paths in found.items():
        assert paths, name
        for path in paths:
            assert areas.area_for(path).name == name, path
    assert areas.area_for("/healthz").load is None  # served by the routes the app starts with


def test_a_request_loads_its_area_only(embedded_client: TestClient) -> None:
    areas: Areas = embedded_client.app.state.areas  # type: ignore[attr-defined]
    assert embedded_client.get("/healthz").status_code == 200
    assert not areas.included  # a health check loads nothing
    assert embedded_client.get("/api/sessions").status_code == 401
    assert set(areas.included) == {"api"}
    page = embedded_client.get("/sessions", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"] == "/login?next=/sessions"
    assert set(areas.included) == {"api", "pages"}


def test_an_unknown_path_is_a_not_found_page_or_json(embedded_client: TestClient) -> None:
    page = embedded_client.get("/no-such-page", headers={"accept": "text/html"})
    assert page.status_code == 404 and "We could not find that page" in page.text
    api = embedded_client.get("/api/no-such-thing")
    assert api.status_code == 404 and api.json()["code"] == "not_found"


def test_a_signed_in_page_works_when_its_area_loads_first(embedded_client: TestClient) -> None:
    # The registration form (account area) and the history page (pages area) load separately.
    browser_register(embedded_client)
    page = embedded_client.get("/sessions")
    assert page.status_code == 200 and "Log out" in page.text


def test_the_schema_describes_every_area_even_as_the_first_request(
    embedded_client: TestClient,
) -> None:
    app: FastAPI = embedded_client.app  # type: ignore[assignment]
    schema = embedded_client.get("/api/openapi.json").json()
    assert app.state.areas.all_loaded
    expected = {
        route.path
        for route in _api_routes(app)
        if route.include_in_schema and route.path.startswith(("/api", "/healthz"))
    }
    assert expected <= set(schema["paths"])
    for path in ("/api/auth/jwt/login", "/api/practice", "/api/sessions", "/api/export"):
        assert path in schema["paths"]


def _api_routes(app: FastAPI) -> list[APIRoute]:
    areas: Areas = app.state.areas
    return [
        route
        for included in areas.included.values()
        for _, router in included
        for route in router.routes
        if isinstance(route, APIRoute)
    ]


def test_concurrent_first_requests_load_an_area_once(embedded_client: TestClient) -> None:
    loads: list[str] = []
    router = APIRouter()
    router.add_api_route("/once", lambda: {"ok": True})

    def loader(areas: Areas) -> None:
        loads.append("loaded")
        areas.include(router)

    table = (Area("once", ("/once",), loader), Area("rest", ("/",), None))
    settings = embedded_client.app.state.resources.settings  # type: ignore[attr-defined]
    areas = Areas(create_app(settings), table)
    start = threading.Barrier(8)

    def first_request() -> None:
        start.wait()
        areas.load_for("/once")

    threads = [threading.Thread(target=first_request) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert loads == ["loaded"]
    assert areas.included == {"once": [("", router)]}


def test_an_error_page_after_a_cold_health_check_still_shows_who_is_signed_in(
    embedded_client: TestClient,
) -> None:
    browser_register(embedded_client)
    cookies = dict(embedded_client.cookies)
    settings = embedded_client.app.state.resources.settings  # type: ignore[attr-defined]
    # A new instance on the same database: its health check connects, wires no core.
    with TestClient(create_app(settings), base_url="http://127.0.0.1", cookies=cookies) as cold:
        assert cold.get("/healthz").status_code == 200
        assert not cold.app.state.resources.core_ready  # type: ignore[attr-defined]
        page = cold.get("/no-such-page", headers={"accept": "text/html"})
    assert page.status_code == 404 and "Log out" in page.text


def test_a_loader_that_fails_half_way_adds_no_route_and_its_retry_adds_each_once(
    embedded_client: TestClient,
) -> None:
    first, second = APIRouter(), APIRouter()
    first.add_api_route("/flaky/a", lambda: {"a": True})
    second.add_api_route("/flaky/b", lambda: {"b": True})
    attempts: list[int] = []

    def loader(areas: Areas) -> None:
        attempts.append(1)
        areas.include(first)
        if len(attempts) == 1:
            raise ConnectionError("a transient failure after the first router")
        areas.include(second)

    table = (Area("flaky", ("/flaky",), loader), Area("rest", ("/",), None))
    settings = embedded_client.app.state.resources.settings  # type: ignore[attr-defined]
    app = create_app(settings)
    areas = Areas(app, table)
    routes_before = len(app.router.routes)
    try:
        areas.load_for("/flaky/a")
    except ConnectionError:
        pass
    else:
        raise AssertionError("the loader's failure was swallowed")
    assert len(app.router.routes) == routes_before and not areas.included
    areas.load_for("/flaky/a")
    assert len(app.router.routes) == routes_before + 2  # each router once
    assert areas.included == {"flaky": [("", first), ("", second)]}


def test_paths_no_area_claims_are_answered_not_crashed(embedded_client: TestClient) -> None:
    """`OPTIONS *` and an absolute-form request line reach the app as "*" and ""."""
    areas: Areas = embedded_client.app.state.areas  # type: ignore[attr-defined]
    assert areas.area_for("*") is AREAS[-1] and areas.area_for("") is AREAS[-1]

    async def probe(path: str) -> int:
        statuses: list[int] = []
        scope = {
            "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
            "method": "OPTIONS", "scheme": "http", "path": path, "raw_path": path.encode(),
            "root_path": "", "query_string": b"", "headers": [],
            "client": ("127.0.0.1", 1), "server": ("127.0.0.1", 80),
        }  # fmt: skip

        async def receive() -> dict[str, object]:
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message: dict[str, object]) -> None:
            if message["type"] == "http.response.start":
                statuses.append(int(message["status"]))  # type: ignore[call-overload]

        await embedded_client.app(scope, receive, send)  # type: ignore[arg-type]
        return statuses[0]

    import anyio

    for path in ("*", ""):  # a 404/405, or a redirect to "/" for the empty path; never a 500
        assert anyio.run(probe, path) < 500, path
