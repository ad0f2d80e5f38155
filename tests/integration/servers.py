"""Private servers a test can kill: redis-server, a 3-node Redis Cluster, MariaDB.

Each runs on a free port in a temporary folder and is stopped by its own PID; the shared
services on 3306/6379 are never touched. Starting one that cannot start raises ServerFailed
(the fixtures in tests/conftest.py turn that into a failure in CI, a skip elsewhere).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pymysql
import redis

STARTUP_SECONDS = 30


class ServerFailed(RuntimeError):
    """A private server could not be started (binary missing, port taken, crashed)."""


# Ports handed out by this process: the kernel may offer a port again once its probe socket
# is closed, and a cluster's three nodes are given theirs before any of them starts (two
# nodes once got the same port: one could not listen, and the other answered for it).
_handed_out: set[int] = set()


def free_port(*, with_cluster_bus: bool = False) -> int:
    """A free port not handed out before; for a cluster node also its bus port (port + 10000,
    so below 55536)."""
    while True:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = int(probe.getsockname()[1])
        wanted = [port, port + 10000] if with_cluster_bus else [port]
        if any(p in _handed_out or p > 65535 for p in wanted):
            continue
        if with_cluster_bus and not _is_free(port + 10000):
            continue
        _handed_out.update(wanted)
        return port


def _is_free(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def _binary(name: str) -> str:
    found = shutil.which(name) or shutil.which(name, path="/usr/sbin:/usr/local/sbin")
    if found is None:
        raise ServerFailed(f"{name} is not installed")
    return found


def _wait_until(ready: Callable[[], object], what: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ServerFailed(f"{what} exited at start (code {process.returncode})")
        try:
            if ready():
                return
        except Exception:  # not accepting connections yet
            pass
        time.sleep(0.05)
    raise ServerFailed(f"{what} did not become ready within {STARTUP_SECONDS} s")


def _stop(process: subprocess.Popen[bytes] | None, sig: int) -> None:
    if process is None or process.poll() is not None:
        return
    os.kill(process.pid, sig)  # by PID: only the process this object started
    try:
        process.wait(timeout=STARTUP_SECONDS)
    except subprocess.TimeoutExpired:
        os.kill(process.pid, signal.SIGKILL)
        process.wait()


class RedisServer:
    """A redis-server without persistence: killing and starting it again loses every key."""

    def __init__(self, folder: Path, *, cluster: bool = False) -> None:
        self.folder = folder
        self.port = free_port(with_cluster_bus=cluster)
        self.cluster = cluster
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisServer:
        self.folder.mkdir(parents=True, exist_ok=True)
        command = [
            _binary("redis-server"),
            "--port",
            str(self.port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(self.folder),
            "--logfile",
            str(self.folder / "redis.log"),
        ]
        if self.cluster:
            command += ["--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf"]
        self.process = subprocess.Popen(command, start_new_session=True)
        client = redis.Redis(port=self.port, socket_connect_timeout=0.5)
        pid = self.process.pid
        # Ready when *this* process answers: another server may hold the port meanwhile.
        _wait_until(
            lambda: client.info("server")["process_id"] == pid,
            f"redis-server on {self.port}",
            self.process,
        )
        client.close()
        return self

    def kill(self) -> None:
        """Crash it (SIGKILL): no chance to save anything."""
        _stop(self.process, signal.SIGKILL)

    def stop(self) -> None:
        _stop(self.process, signal.SIGTERM)


class RedisClusterServers:
    """Three cluster-enabled redis-servers joined by `redis-cli --cluster create`, no replicas."""

    def __init__(self, folder: Path, nodes: int = 3) -> None:
        self.nodes = [RedisServer(folder / f"node{i}", cluster=True) for i in range(nodes)]

    @property
    def url(self) -> str:
        return f"redis+cluster://127.0.0.1:{self.nodes[0].port}"

    def start(self) -> RedisClusterServers:
        try:
            for node in self.nodes:
                node.start()
            created = subprocess.run(
                [
                    _binary("redis-cli"),
                    "--cluster",
                    "create",
                    *(f"127.0.0.1:{node.port}" for node in self.nodes),
                    "--cluster-replicas",
                    "0",
                    "--cluster-yes",
                ],
                capture_output=True,
                text=True,
                timeout=STARTUP_SECONDS,
            )
            if created.returncode != 0:
                raise ServerFailed(f"redis-cli --cluster create failed: {created.stdout[-500:]}")
            for node in self.nodes:
                client = redis.Redis(port=node.port, decode_responses=True)
                _wait_until(
                    lambda c=client: c.cluster("info")["cluster_state"] == "ok",
                    f"cluster node {node.port}",
                    node.process,  # type: ignore[arg-type]
                )
                client.close()
        except BaseException:
            self.stop()
            raise
        return self

    def flush_all(self) -> None:
        """FLUSHALL on every primary: what a restart without persistence leaves behind."""
        for node in self.nodes:
            client = redis.Redis(port=node.port)
            client.flushall()
            client.close()

    def stop(self) -> None:
        for node in self.nodes:
            node.stop()


class MariaDbServer:
    """A MariaDB server of our own (own data folder, socket and port, no grant tables)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self._as_root = ["--user=root"] if os.geteuid() == 0 else []

    def url(self, database: str) -> str:
        return f"mysql+pymysql://root@127.0.0.1:{self.port}/{database}"

    def install(self) -> MariaDbServer:
        self.folder.mkdir(parents=True, exist_ok=True)
        installed = subprocess.run(
            [
                _binary("mariadb-install-db"),
                "--no-defaults",
                f"--datadir={self.folder / 'data'}",
                "--auth-root-authentication-method=normal",
                "--skip-test-db",
                *self._as_root,
            ],
            capture_output=True,
            text=True,
            timeout=120,
        )
        if installed.returncode != 0:
            raise ServerFailed(f"mariadb-install-db failed: {installed.stderr[-500:]}")
        return self

    def start(self) -> MariaDbServer:
        with open(self.folder / "mariadbd.out", "ab") as log:  # the child keeps its own copy
            self.process = self._spawn(log)
        _wait_until(self._answers, f"mariadbd on {self.port}", self.process)
        return self

    def _spawn(self, log: Any) -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            [
                _binary("mariadbd"),
                "--no-defaults",
                f"--datadir={self.folder / 'data'}",
                f"--socket={self.folder / 's'}",
                f"--port={self.port}",
                "--bind-address=127.0.0.1",
                "--skip-grant-tables",
                "--skip-log-bin",
                "--innodb-buffer-pool-size=32M",
                f"--log-error={self.folder / 'error.log'}",
                *self._as_root,
            ],
            stdout=log,
            stderr=log,
            start_new_session=True,
        )

    def _answers(self) -> bool:
        connection = pymysql.connect(
            host="127.0.0.1", port=self.port, user="root", connect_timeout=1
        )
        connection.close()
        return True

    def execute(self, statement: str) -> None:
        connection = pymysql.connect(host="127.0.0.1", port=self.port, user="root")
        try:
            with connection.cursor() as cursor:
                cursor.execute(statement)
            connection.commit()
        finally:
            connection.close()

    def kill(self) -> None:
        """Crash it (SIGKILL), as a lost database host would look to the application."""
        _stop(self.process, signal.SIGKILL)

    def restart(self) -> None:
        self.kill()
        self.start()

    def stop(self) -> None:
        _stop(self.process, signal.SIGTERM)
