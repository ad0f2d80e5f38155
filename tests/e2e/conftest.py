"""Browser tests: Debian's chromium driven by Playwright for Python against a live server.

CI (INTERVIEWBOT_REQUIRE_SERVICES=1) fails when chromium or the built chart library is missing;
elsewhere those tests are skipped with the reason. Screenshots go to test-output/<test name>/.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import Browser, Page, sync_playwright

from core.bootstrap import Core
from tests.web.conftest import web_settings, wired_core
from web.app import create_app
from web.outbox import Outbox
from web.templating import STATIC_DIR

ROOT = Path(__file__).resolve().parents[2]
OUTPUT = ROOT / "test-output"
REQUIRE = os.environ.get("INTERVIEWBOT_REQUIRE_SERVICES") == "1"
CHROMIUM_PATHS = (
    os.environ.get("CHROMIUM_PATH"),
    "/usr/lib/chromium/chromium",
    "/usr/bin/chromium",
)
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
CHART_LIBRARY = STATIC_DIR / "vendor" / "chart.umd.js"
AXE = ROOT / "web" / "node_modules" / "axe-core" / "axe.min.js"  # test-only, never served


def unavailable(message: str) -> None:
    if REQUIRE:
        pytest.fail(message + " — required in CI", pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def chromium_path() -> str:
    for candidate in CHROMIUM_PATHS:
        if candidate and Path(candidate).is_file():
            return candidate
    unavailable("Debian's chromium is not installed (apt-get install chromium)")
    raise AssertionError("unreachable")


@pytest.fixture(scope="module")  # module: Playwright's event loop must not outlive these tests
def browser(chromium_path: str) -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium_path, args=LAUNCH_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def chart_library() -> Path:
    if not CHART_LIBRARY.is_file():
        unavailable("the chart library is not built: run `npm ci && npm run build` in web/")
    return CHART_LIBRARY


@pytest.fixture
def axe_source() -> str:
    """axe-core, the accessibility rules engine, from web/node_modules (npm ci in web/)."""
    if not AXE.is_file():
        unavailable("axe-core is not installed: run `npm ci` in web/")
    return AXE.read_text(encoding="utf-8")


@dataclass
class LiveServer:
    url: str
    core: Core


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def live_server(tmp_path: Path) -> Iterator[LiveServer]:
    """The real app under uvicorn on 127.0.0.1, on the embedded default (SQLite + stand-in)."""
    core = wired_core(
        web_settings(f"sqlite:///{tmp_path / 'e2e.db'}", f"memory://e2e-{tmp_path.name}")
    )
    yield from serve(core, tmp_path)


def serve(core: Core, folder: Path) -> Iterator[LiveServer]:
    """Serve `core`'s app under uvicorn on a free port until the generator is closed (account
    mail goes to `folder`/outbox)."""
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(core=core, outbox=Outbox(folder / "outbox")),
            host="127.0.0.1",
            port=port,
            log_level="warning",
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("the live server did not start")
        time.sleep(0.05)
    yield LiveServer(f"http://127.0.0.1:{port}", core)
    server.should_exit = True
    thread.join(timeout=10)
    core.close()


@dataclass
class BrowserPage:
    """A page plus what the browser complained about (CSP violations show up here)."""

    page: Page
    problems: list[str] = field(default_factory=list)


@pytest.fixture
def tab(browser: Browser) -> Iterator[BrowserPage]:
    # Reduced motion turns chart animations off, so screenshots show the final charts.
    context = browser.new_context(viewport={"width": 1280, "height": 900}, reduced_motion="reduce")
    page = context.new_page()
    watched = BrowserPage(page)
    page.on("console", lambda m: m.type == "error" and watched.problems.append(m.text))
    page.on("pageerror", lambda error: watched.problems.append(str(error)))
    page.set_default_timeout(15_000)
    yield watched
    context.close()


@pytest.fixture
def screenshot(request: pytest.FixtureRequest) -> Callable[[Page, str], Path]:
    """Full-page screenshots, numbered in the order taken, under test-output/<test name>/."""
    folder = OUTPUT / re.sub(r"[^\w.-]+", "_", request.node.name)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    taken: list[Path] = []

    def take(page: Page, name: str) -> Path:
        path = folder / f"{len(taken) + 1:02d}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        taken.append(path)
        return path

    return take
