"""The dependency rule (DESIGN.md §2), checked on every module's imports."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PLATFORMS = {
    "slack_bolt",
    "slack_sdk",
    "discord",
    "fastapi",
    "fastapi_users",
    "starlette",
    "mangum",
}


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def modules_of(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


def top(name: str) -> str:
    return name.split(".")[0]


@pytest.mark.parametrize("path", modules_of("core"), ids=lambda p: str(p.relative_to(ROOT)))
def test_core_imports_no_platform_or_web_framework(path: Path) -> None:
    bad = {m for m in imported_modules(path) if top(m) in PLATFORMS | {"bots", "web"}}
    assert not bad, f"{path.relative_to(ROOT)} imports {sorted(bad)}"


EVERY_MODULE = modules_of("core") + modules_of("bots") + modules_of("web")


@pytest.mark.parametrize("path", EVERY_MODULE, ids=lambda p: str(p.relative_to(ROOT)))
def test_only_the_gemini_openai_and_redis_adapters_import_their_clients(path: Path) -> None:
    imports = imported_modules(path)
    name = path.name
    if any(m == "google.genai" or m.startswith("google.genai.") or m == "google" for m in imports):
        assert path.parent.name == "adapters" and name.startswith("gemini"), path
    if any(top(m) == "openai" for m in imports):
        assert path.parent.name == "adapters" and name.startswith("openai"), path
    if any(top(m) in {"redis", "fakeredis"} for m in imports):
        assert path.parent.name == "adapters" and name.startswith("redis"), path


@pytest.mark.parametrize("path", modules_of("core"), ids=lambda p: str(p.relative_to(ROOT)))
def test_the_shared_llm_modules_import_no_provider_sdk(path: Path) -> None:
    """core/adapters/llm_*.py serve every provider: none of them may lean on one SDK."""
    if not (path.parent.name == "adapters" and path.name.startswith("llm_")):
        return
    sdks = {m for m in imported_modules(path) if top(m) in {"openai", "google", "httpx", "httpx2"}}
    assert not sdks, f"{path.relative_to(ROOT)} imports {sorted(sdks)}"


@pytest.mark.parametrize(
    ("package", "forbidden"), [("bots", "web"), ("web", "bots")], ids=["bots", "web"]
)
def test_bots_and_web_share_only_core(package: str, forbidden: str) -> None:
    offenders = [
        str(p.relative_to(ROOT))
        for p in modules_of(package)
        if any(top(m) == forbidden for m in imported_modules(p))
    ]
    assert offenders == []


@pytest.mark.parametrize("package", ["bots", "web"])
def test_surfaces_reach_the_adapters_only_through_the_bootstrap(package: str) -> None:
    """bots/ and web/ are handed wired services (core.bootstrap); they never pick adapters."""
    offenders = [
        f"{p.relative_to(ROOT)}: {m}"
        for p in modules_of(package)
        for m in imported_modules(p)
        if m == "core.adapters" or m.startswith("core.adapters.")
    ]
    assert offenders == []


def test_the_rule_is_actually_checked() -> None:
    """Guard against an empty parametrisation making the tests above vacuous."""
    assert len(modules_of("core")) > 20
    assert "sqlalchemy" in {top(m) for m in imported_modules(ROOT / "core/adapters/sql/models.py")}
    assert "openai" in {top(m) for m in imported_modules(ROOT / "core/adapters/openai_call.py")}
    assert len([p for p in modules_of("core") if p.name.startswith("llm_")]) >= 5
