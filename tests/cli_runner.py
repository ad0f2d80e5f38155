"""The `interviewbot` command as tests run it: in this process (most tests), or as the installed
command in a fresh process (the few smoke tests where the process boundary is the point).

In this process, a command is what a person's run of it is, less the interpreter's start: its
argv through `core.cli.main`, its environment, working folder and standard input, and what it
writes to stdout and stderr (its log lines too) with its exit status. A run starts a new
interviewbot process's state: a new `memory://` stand-in (a process of its own keeps its own,
so a quota carried from one command to the next comes from the database, as it does between
processes), its log handler on stderr, and the cores it built closed when it ends. That saves the
1-2 CPU-seconds each fresh interpreter spends importing the stack, which was most of the cost of
the command tests. tests/conftest.py puts the tests that ask for `fresh_process` in the e2e tier.
"""

from __future__ import annotations

import io
import logging
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

COMMAND = Path(sys.executable).with_name("interviewbot")
# What a test's command sees unless the test says otherwise: an in-process stand-in for Redis
# (so nothing reaches a Redis server or the stand-in another process serves).
DEFAULT_ENV = {"REDIS_URL": "memory://cli-test"}


@dataclass(frozen=True)
class Ran:
    """A finished command: its exit status and what it wrote."""

    returncode: int
    stdout: str
    stderr: str


class InProcessCli:
    """`cli("bank", "list", env=..., cwd=...)`: the command run by `core.cli.main` here."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):
        self._monkeypatch, self._capsys = monkeypatch, capsys

    def __call__(
        self,
        *args: str,
        stdin: str = "",
        stdin_bytes: bytes | None = None,
        env: dict[str, str] | None = None,
        cwd: Path,
    ) -> Ran:
        import core.bootstrap
        from core.adapters import redis_client
        from core.cli import main

        built: list[Any] = []
        real_build_core = core.bootstrap.build_core

        def build_core(*a: Any, **kw: Any) -> Any:
            built.append(real_build_core(*a, **kw))
            return built[-1]

        data = stdin.encode() if stdin_bytes is None else stdin_bytes
        root = logging.getLogger()
        level = root.level
        before = self._capsys.readouterr()  # what the test printed is not the command's
        with self._monkeypatch.context() as patch:
            patch.chdir(cwd)  # no .env of the checkout, files land where the test looks
            for name, value in {**DEFAULT_ENV, "COLUMNS": "80", **(env or {})}.items():
                patch.setenv(name, value)  # COLUMNS: a pipe's width, not the terminal's
            patch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))
            patch.setattr(redis_client, "_memory_servers", {})
            patch.setattr(core.bootstrap, "build_core", build_core)
            # The command's logging.basicConfig installs its own stderr handler, as in a process
            # of its own (pytest's capture handlers would make it a no-op otherwise).
            patch.setattr(root, "handlers", [])
            try:
                returncode = _status(main, list(args))
            finally:
                for handler in root.handlers:
                    handler.close()
                for core_built in built:
                    core_built.close()
        root.setLevel(level)
        out, err = self._capsys.readouterr()
        sys.stdout.write(before.out)  # kept for pytest's report of a failure
        sys.stderr.write(before.err)
        return Ran(returncode, out, err)


def _status(main: Any, argv: list[str]) -> int:
    """The exit status the process would have had (argparse and --help exit by SystemExit)."""
    try:
        return int(main(argv))
    except SystemExit as exit:
        if exit.code is None:
            return 0
        if isinstance(exit.code, int):
            return exit.code
        print(exit.code, file=sys.stderr)
        return 1


def run_installed(
    *args: str,
    stdin: str = "",
    stdin_bytes: bytes | None = None,
    env: dict[str, str] | None = None,
    cwd: Path,
) -> Ran:
    """The installed `interviewbot` command in a fresh process (bytes on stdin when given)."""
    environment = {**os.environ, **DEFAULT_ENV, **(env or {})}
    environment.pop("INTERVIEWBOT_REQUIRE_SERVICES", None)
    result = subprocess.run(
        [str(COMMAND), *args],
        input=stdin.encode() if stdin_bytes is None else stdin_bytes,
        capture_output=True,
        cwd=cwd,  # no .env here
        env=environment,
        timeout=120,
    )
    return Ran(
        result.returncode,
        result.stdout.decode("utf-8", "replace"),
        result.stderr.decode("utf-8", "replace"),
    )
