"""`/healthz`, the OpenAPI schema, static assets and the `interviewbot web` commands."""

from __future__ import annotations

import io
import re
import sys

from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from core.cli import build_parser, main
from tests.web.conftest import web_settings
from web.app import create_app
from web.cli import create_superuser, serve


def test_health_reports_each_backend(client: TestClient) -> None:
    health = client.get("/healthz")
    assert health.status_code == 200
    assert health.json() == {"status": "ok", "database": "ok", "redis": "ok"}


def test_health_says_which_backend_is_down(tmp_path) -> None:  # type: ignore[no-untyped-def]
    # Nothing listens on port 9 locally: the Redis client fails fast on connect.
    settings = web_settings(f"sqlite:///{tmp_path / 'h.db'}", "redis://127.0.0.1:9/0")
    with TestClient(create_app(settings)) as client:
        health = client.get("/healthz")
    assert health.status_code == 503
    assert health.json() == {"status": "degraded", "database": "ok", "redis": "unreachable"}


def test_openapi_documents_the_api_and_static_files_are_local(embedded_client: TestClient) -> None:
    schema = embedded_client.get("/api/openapi.json").json()
    for path in (
        "/api/sessions",
        "/api/sessions/{session_id}",
        "/api/analytics",
        "/api/identities",
        "/api/export",
        "/api/practice",
        "/api/auth/jwt/login",
        "/healthz",
    ):
        assert path in schema["paths"], path
    assert "/sessions" not in schema["paths"]  # HTML pages are not part of the API
    css = embedded_client.get("/static/app.css")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    page = embedded_client.get("/login").text
    assert "/static/app.css?v=" in page
    assert not re.search(r'(src|href)="(https?:)?//', page)  # no CDN: every asset is ours


def test_the_web_commands_parse() -> None:
    parser = build_parser()
    args = parser.parse_args(["web", "--port", "9001"])
    assert args.handler is serve and args.port == 9001 and args.host is None
    admin = parser.parse_args(["web", "create-superuser", "root@example.com", "--password-stdin"])
    assert admin.handler is create_superuser and admin.email == "root@example.com"


def run_cli(argv: list[str]) -> int:
    """The CLI in a thread of its own: a browser test earlier in the run may leave Playwright's
    event loop running in the main thread, where the command's asyncio.run() cannot start."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(main, argv).result()


def test_create_superuser_creates_or_promotes(tmp_path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    database = f"sqlite:///{tmp_path / 'admin.db'}"
    monkeypatch.setenv("DATABASE_URL", database)
    monkeypatch.setenv("REDIS_URL", "memory://admin-test")
    monkeypatch.setattr(sys, "stdin", io.StringIO("a long admin password\n"))
    assert run_cli(["web", "create-superuser", "root@example.com", "--password-stdin"]) == 0
    assert "Created administrator" in capsys.readouterr().out

    engine = create_engine(database)
    with engine.begin() as connection:
        connection.execute(text("UPDATE users SET is_superuser = 0"))
    monkeypatch.setattr(sys, "stdin", io.StringIO("ignored for existing accounts\n"))
    assert run_cli(["web", "create-superuser", "ROOT@example.com", "--password-stdin"]) == 0
    assert "Made administrator" in capsys.readouterr().out
    with engine.connect() as connection:
        assert connection.execute(text("SELECT is_superuser FROM users")).scalar_one() == 1
    engine.dispose()

    monkeypatch.setattr(sys, "stdin", io.StringIO("short\n"))
    assert run_cli(["web", "create-superuser", "x@example.com", "--password-stdin"]) == 1


def test_tidb_tls_parameters_reach_the_async_driver_as_an_ssl_context() -> None:
    """The documented TiDB URL works for the web's async engine too (aiomysql wants `ssl`)."""
    import ssl

    from web.resources import async_database_url, mysql_tls

    url = async_database_url(
        "mysql+pymysql://u:p@gateway.tidbcloud.example:4000/app"
        "?ssl_verify_cert=true&ssl_verify_identity=true"
    )
    stripped, connect_args = mysql_tls(url)
    assert stripped.drivername == "mysql+aiomysql" and not stripped.query
    context = connect_args["ssl"]
    assert isinstance(context, ssl.SSLContext)
    assert context.verify_mode is ssl.CERT_REQUIRED and context.check_hostname
    plain, none = mysql_tls(async_database_url("mysql+pymysql://root@127.0.0.1/test"))
    assert none == {} and plain.host == "127.0.0.1"
