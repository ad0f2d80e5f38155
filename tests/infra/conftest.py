"""Fixtures for the deployment tests: the Lambda artefacts, built once per session.

The artefacts are built for this interpreter (`--host`): the Lambda's CPython 3.12 wheels cannot
be imported by the 3.11 that runs the tests. The requirement sets, the project files, the .pyc
compilation and the normalisation are the same code path as `sam build`; only pip's platform
flags and the compiling interpreter differ. Sizes are reported at the end of the run.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from importlib.metadata import version
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
BUILD_SCRIPT = ROOT / "infra" / "scripts" / "build_lambda_artifacts.py"
# What every Lambda Python runtime provides besides the standard library (boto3 and its
# dependencies); the handlers may import boto3 without shipping it.
RUNTIME_PROVIDED = (
    "boto3",
    "botocore",
    "s3transfer",
    "jmespath",
    "python-dateutil",
    "six",
    "urllib3",
)
# Filled by the fixture, printed by pytest_terminal_summary.
_REPORT: list[dict[str, Any]] = []


def load_build_script() -> Any:
    spec = importlib.util.spec_from_file_location("build_lambda_artifacts", BUILD_SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def build_script() -> Any:
    return load_build_script()


@pytest.fixture(scope="session")
def artefacts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    """Every artefact, built by the script's command line exactly as a developer would run it."""
    out = tmp_path_factory.mktemp("lambda-artefacts")
    summary = out / "summary.json"
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, str(BUILD_SCRIPT), "build", "--all", "--host", "--zip",
         "--out", str(out), "--summary-json", str(summary)],
        capture_output=True, text=True, cwd=ROOT,
    )  # fmt: skip
    assert result.returncode == 0, f"build failed:\n{result.stdout}\n{result.stderr[-4000:]}"
    built = {item["function"]: item for item in json.loads(summary.read_text())}
    _REPORT.extend(built.values())
    _REPORT.append({"function": "(all)", "seconds": round(time.monotonic() - started, 1)})
    return built


@pytest.fixture(scope="session")
def lambda_runtime(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder standing in for the runtime's own packages (/var/runtime): boto3 and friends."""
    target = tmp_path_factory.mktemp("lambda-runtime")
    pins = [f"{name}=={version(name)}" for name in RUNTIME_PROVIDED]
    result = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-compile",
         "--disable-pip-version-check", "--only-binary=:all:", "--target", str(target), *pins],
        capture_output=True, text=True,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-4000:]
    return target


def base_python() -> str:
    """The interpreter under the project's virtualenv: no site-packages of ours at all."""
    v = sys.version_info
    candidate = Path(sys.base_prefix, "bin", f"python{v.major}.{v.minor}")
    return str(candidate if candidate.exists() else sys.executable)


def run_isolated(
    artefact: Path, runtime: Path, code: str, env: dict[str, str], cwd: Path
) -> dict[str, Any]:
    """Run `code` with `python -I -S` and sys.path = [artefact, runtime]; it prints one JSON line.

    -I ignores PYTHONPATH, PYTHONHOME and the user's site; -S skips site-packages, so nothing of
    the development environment (pytest, mypy, the editable project) can be imported. The
    artefact comes first, as /var/task does on Lambda.
    """
    prologue = f"import sys, json\nsys.path[:0] = [{str(artefact)!r}, {str(runtime)!r}]\n"
    clean_env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8", **env}
    result = subprocess.run(
        [base_python(), "-I", "-S", "-c", prologue + code],
        capture_output=True, text=True, env=clean_env, cwd=cwd, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, (
        f"exit {result.returncode}:\n{result.stdout}\n{result.stderr[-6000:]}"
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.fixture
def isolated(
    artefacts: dict[str, dict[str, Any]], lambda_runtime: Path, tmp_path: Path
) -> Iterator[Any]:
    def run(name: str, code: str, **env: str) -> dict[str, Any]:
        return run_isolated(Path(artefacts[name]["path"]), lambda_runtime, code, env, tmp_path)

    yield run


# Fixtures that build the artefacts (or install packages): a test using one is in the slow
# `infra` tier (pyproject.toml's markers; `make test-fast` leaves it out).
BUILDING_FIXTURES = {"artefacts", "isolated", "lambda_runtime"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here not in item.path.parents:  # the hook sees the whole session's items
            continue
        if BUILDING_FIXTURES.intersection(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.infra)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not _REPORT:
        return
    terminalreporter.section("Lambda artefacts (built for this interpreter)")
    for item in _REPORT:
        if item["function"] == "(all)":
            terminalreporter.write_line(f"built all in {item['seconds']} s")
            continue
        terminalreporter.write_line(
            f"{item['function']:8} {item['bytes'] / 1e6:6.1f} MB unzipped, "
            f"{item.get('zip_bytes', 0) / 1e6:5.1f} MB zipped, {item['files']:5} files, "
            f"{item['seconds']:4} s  handlers: {', '.join(item['handlers'])}"
        )
