#!/usr/bin/env python3
"""Build the Lambda artefacts: one folder per function, reproducibly, with compiled .pyc.

    build_lambda_artifacts.py lock                        # re-pin infra/lambda/requirements/*.txt
    build_lambda_artifacts.py build --all --out DIR       # DIR/slack, DIR/discord, DIR/web, DIR/jobs
    build_lambda_artifacts.py build slack --artifacts-dir DIR   # what `sam build` runs (infra/lambda/Makefile)
    build_lambda_artifacts.py build --all --out DIR --host      # for this interpreter (tests)

SnapStart (template.yaml) needs nothing shipped beyond the code: each handler module registers
its hooks (core/snapstart.py and the surfaces' snapstart.py, all under the shipped sources) with
the runtime's own snapshot_restore_py, which is never shipped (see LEAVE_OUT_EVERYWHERE); every
module the before-snapshot warm-up imports is in the artefact's pinned set (tests/infra checks it).

Why one artefact per function rather than one shared: the Slack function must answer Slack within
3 s of a cold start, so it ships neither FastAPI nor discord.py, and its size stays what it needs.
Each set is core's dependencies plus one surface's extra from pyproject.toml, every distribution
pinned by `lock` (infra/lambda/requirements/); `build` installs exactly those versions with
--no-deps as wheels for the Lambda platform (CPython 3.12, manylinux x86_64), compiles every module
and fixes file times and modes, so two builds of one commit give the same files. Standard library
only: it runs under whatever Python `sam build` or CI uses.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
from dataclasses import dataclass
from pathlib import Path

# The sibling module, found whether this file runs as a script or is loaded by path (tests).
sys.path.insert(0, str(Path(__file__).resolve().parent))
from reproducible import normalise, source_date_epoch, tree_digest, tree_size, write_zip

ROOT = Path(__file__).resolve().parents[2]
LOCK_DIR = ROOT / "infra" / "lambda" / "requirements"
# The Lambda runtime (template.yaml: python3.12, x86_64). python3.12 runs on Amazon Linux 2023
# (glibc 2.34); pip widens manylinux_2_34 to every older manylinux tag, manylinux2014 included.
TARGET_PYTHON = "3.12"
TARGET_PLATFORM = "manylinux_2_34_x86_64"
TASK_ROOT = "/var/task"  # where Lambda unpacks the code: tracebacks name these paths
LAMBDA_UNZIPPED_LIMIT = 262_144_000  # bytes, function code and layers together
# Never needed on Lambda: fakeredis is the in-process Redis stand-in (template.yaml insists on a
# real Redis) and rich draws the terminal interview. snapshot-restore-py (SnapStart's hooks) is
# part of Lambda's Python runtime: a copy in the artefact would come first on sys.path, collect
# the hooks in a registry the runtime never reads, and SnapStart would silently skip them.
LEAVE_OUT_EVERYWHERE = {"fakeredis", "rich", "snapshot-restore-py"}
# Project files that are build or front-end tooling, not runtime.
SKIP_NAMES = {"package.json", "package-lock.json"}
SKIP_SUFFIXES = {".pyc", ".pyo", ".mjs", ".cjs", ".ts", ".map"}
SKIP_DIRS = {"__pycache__", "node_modules", "tests"}


@dataclass(frozen=True)
class Artefact:
    """One deployable folder: which of our sources and which requirement set it carries."""

    name: str
    handlers: tuple[str, ...]
    sources: tuple[str, ...]  # paths relative to the repository root
    extras: tuple[str, ...] = ()
    leave_out: frozenset[str] = frozenset()
    extra_files: tuple[tuple[str, str], ...] = ()  # (repository path, path in the artefact)
    # Build outputs that git ignores (npm run build): shipped when present, warned about if not.
    generated: tuple[str, ...] = ()


ARTEFACTS = {
    a.name: a
    for a in (
        Artefact(
            "slack",
            ("bots.slack.aws_lambda.handler",),
            ("core", "bots/__init__.py", "bots/slack"),
            extras=("slack", "openai"),
        ),
        # discord.py is the gateway bot's library (infra/discord-worker); the HTTP endpoint only
        # verifies signatures (PyNaCl) and calls the REST API (httpx).
        Artefact(
            "discord",
            ("bots.discord.aws_lambda.handler",),
            ("core", "bots/__init__.py", "bots/discord"),
            extras=("discord", "openai"),
            leave_out=frozenset({"discord-py"}),
        ),
        # Mangum replaces the ASGI server, so uvicorn stays behind. The chart library is copied
        # into web/static/vendor by `npm run build --prefix web`: with it the app's ?v= hashes
        # match the files deploy.yml uploads to the static bucket.
        Artefact(
            "web",
            ("web.aws_lambda.handler",),
            ("core", "web"),
            extras=("web", "openai"),
            leave_out=frozenset({"uvicorn"}),
            generated=("web/static/vendor",),
        ),
        # The scheduled and queued jobs deliver what they finish (a retried evaluation, a
        # question-of-the-day grade) on Slack and Discord: they carry both notifiers (their
        # REST clients; never discord.py) and find them through the entry points below.
        Artefact(
            "jobs",
            ("core.jobs.handler", "core.jobs.evaluation_handler", "migrate_lambda.handler"),
            ("core", "bots/__init__.py", "bots/slack", "bots/discord"),
            extras=("slack", "discord", "openai"),
            leave_out=frozenset({"discord-py"}),
            extra_files=(("infra/lambda/migrate_lambda.py", "migrate_lambda.py"),),
        ),
    )
}
# template.yaml's functions (sam build passes the logical id to the Makefile).
FUNCTIONS = {
    "SlackFunction": "slack",
    "DiscordFunction": "discord",
    "WebFunction": "web",
    "MaintenanceFunction": "jobs",
    "EvaluationFunction": "jobs",
    "MigrateFunction": "jobs",
}


class BuildError(Exception):
    """The build cannot go on; the message says what to do."""


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def requirement_name(requirement: str) -> str:
    match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", requirement)
    if not match:
        raise BuildError(f"cannot read a name in requirement {requirement!r}")
    return canonical(match.group(1))


def top_level_requirements(artefact: Artefact) -> list[str]:
    """Core's dependencies plus the artefact's extras, as written in pyproject.toml, sorted."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = list(project["dependencies"])
    for extra in artefact.extras:
        wanted += project["optional-dependencies"][extra]
    dropped = LEAVE_OUT_EVERYWHERE | artefact.leave_out
    unique = {r.strip() for r in wanted if requirement_name(r) not in dropped}
    return sorted(unique, key=lambda r: (requirement_name(r), r))


def lock_path(artefact: Artefact) -> Path:
    return LOCK_DIR / f"{artefact.name}.txt"


def target_flags() -> list[str]:
    return [
        "--platform", TARGET_PLATFORM,
        "--python-version", TARGET_PYTHON,
        "--implementation", "cp",
        "--only-binary=:all:",
    ]  # fmt: skip


def pip(*args: str) -> None:
    command = [sys.executable, "-m", "pip", "--disable-pip-version-check", *args]
    result = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if result.returncode:
        raise BuildError(f"pip failed ({' '.join(args[:2])} ...):\n{result.stdout[-4000:]}")


# ------------------------------------------------------------------------------------ lock
def lock(artefact: Artefact, *, constrain_to_environment: bool) -> Path:
    """Resolve the artefact's requirements and pin every distribution to one version.

    The resolution runs for this interpreter (the development one, CPython 3.11 on Linux). A
    newer Python needs no backport that 3.11 does not, so the set is complete for 3.12 unless a
    package declares a dependency for 3.12 only (tests/infra checks that none does).
    Hashes are not pinned because they are per wheel and the Lambda's wheels (cp312) are not the
    ones resolved here; versions are pinned, the platform is fixed by `build`, and PyPI never
    lets a published file change, so one commit builds the same files (compare the digests).
    """
    inputs = top_level_requirements(artefact)
    with tempfile.TemporaryDirectory() as scratch:
        report = Path(scratch, "report.json")
        args = ["install", "--dry-run", "--ignore-installed", "--quiet", "--only-binary=:all:"]
        args += ["--report", str(report)]
        if constrain_to_environment:
            # Pin what the test suite ran with (this interpreter's packages) where it applies.
            constraints = Path(scratch, "constraints.txt")
            constraints.write_text("\n".join(_installed_versions()) + "\n", encoding="utf-8")
            args += ["--constraint", str(constraints)]
        pip(*args, *inputs)
        installs = json.loads(report.read_text(encoding="utf-8"))["install"]
    pins = sorted((canonical(i["metadata"]["name"]), i["metadata"]["version"]) for i in installs)
    lines = [
        "# Pinned by infra/scripts/build_lambda_artifacts.py lock; do not edit by hand.",
        "# Inputs (from pyproject.toml; a build refuses this file once they differ):",
        *(f"# input: {r}" for r in inputs),
        *(f"{name}=={version}" for name, version in pins),
    ]
    path = lock_path(artefact)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _installed_versions() -> list[str]:
    from importlib.metadata import distributions

    pins = set()
    for dist in distributions():
        name = dist.metadata["Name"]
        if name and canonical(name) != "interviewbot" and dist.read_text("direct_url.json") is None:
            pins.add(f"{canonical(name)}=={dist.version}")
    return sorted(pins)


def check_lock(artefact: Artefact) -> Path:
    """The pinned set must come from today's pyproject.toml, or the build would ship stale deps."""
    path = lock_path(artefact)
    if not path.exists():
        raise BuildError(f"{path.relative_to(ROOT)} is missing: run `{_lock_hint()}`")
    recorded = [
        line[len("# input: ") :]
        for line in path.read_text().splitlines()
        if line.startswith("# input: ")
    ]
    if recorded != top_level_requirements(artefact):
        raise BuildError(
            f"{path.relative_to(ROOT)} was pinned from another pyproject.toml: run `{_lock_hint()}`"
        )
    return path


def _lock_hint() -> str:
    return ".venv/bin/python infra/scripts/build_lambda_artifacts.py lock"


# ------------------------------------------------------------------------------------ build
def build(artefact: Artefact, dest: Path, *, host: bool, compile_python: str | None) -> dict:
    """Fill `dest` (emptied first) with the artefact; return its size and digest."""
    started = time.monotonic()
    requirements = check_lock(artefact)
    epoch = source_date_epoch(ROOT)
    _empty(dest)
    # --no-deps: the pinned file is the whole closure; nothing is resolved again at build time.
    args = ["install", "--no-deps", "--no-compile", "--target", str(dest), "--quiet"]
    # --host: wheels for this interpreter and platform (the local test), else the Lambda's.
    args += ["--only-binary=:all:"] if host else target_flags()
    pip(*args, "--requirement", str(requirements))
    # Console scripts carry this machine's interpreter path in their shebang: useless on Lambda.
    shutil.rmtree(dest / "bin", ignore_errors=True)
    for path in sorted(set(project_files(artefact)) | set(generated_files(artefact))):
        _copy(ROOT / path, dest / path)
    for source, target in artefact.extra_files:
        _copy(ROOT / source, dest / target)
    write_distribution_info(artefact, dest)
    python = sys.executable if host else compile_python or find_target_python()
    compile_tree(dest, python, epoch)
    normalise(dest, epoch)
    return {
        "function": artefact.name,
        "handlers": list(artefact.handlers),
        "path": str(dest),
        "target": "host" if host else f"cp{TARGET_PYTHON.replace('.', '')}-{TARGET_PLATFORM}",
        "files": sum(1 for p in dest.rglob("*") if p.is_file()),
        "bytes": tree_size(dest),
        "sha256": tree_digest(dest),
        "seconds": round(time.monotonic() - started, 1),
    }


def _empty(dest: Path) -> None:
    # sam build creates ARTIFACTS_DIR itself: empty it rather than replace it.
    dest.mkdir(parents=True, exist_ok=True)
    for child in dest.iterdir():
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child)
        else:
            child.unlink()


def _copy(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)


def project_files(artefact: Artefact) -> list[str]:
    """Our files under the artefact's sources: what git would ship (tracked or not ignored)."""
    try:
        listed = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", *artefact.sources],
            cwd=ROOT, check=True, capture_output=True, text=True,
        ).stdout.split("\0")  # fmt: skip
    except (OSError, subprocess.CalledProcessError):  # not a git checkout (a source archive)
        listed = [
            str(p.relative_to(ROOT))
            for source in artefact.sources
            for p in ((ROOT / source).rglob("*") if (ROOT / source).is_dir() else [ROOT / source])
        ]
    keep = set()
    for name in filter(None, listed):
        path = Path(name)
        if (
            (ROOT / path).is_file()
            and path.name not in SKIP_NAMES
            and path.suffix not in SKIP_SUFFIXES
            and not SKIP_DIRS.intersection(path.parts)
        ):
            keep.add(path.as_posix())
    return sorted(keep)


def generated_files(artefact: Artefact) -> list[str]:
    """Files under the artefact's ignored build outputs; a warning names a missing one."""
    found = []
    for folder in artefact.generated:
        files = [p for p in (ROOT / folder).rglob("*") if p.is_file()]
        if not files:
            print(
                f"build_lambda_artifacts: warning: {folder} is empty; build it first "
                "(npm ci --prefix web && npm run build --prefix web)",
                file=sys.stderr,
            )
        found += [p.relative_to(ROOT).as_posix() for p in files if p.suffix not in SKIP_SUFFIXES]
    return sorted(found)


def write_distribution_info(artefact: Artefact, dest: Path) -> None:
    """Our own dist-info, with the entry points whose modules this artefact ships: the sources
    are copied rather than pip-installed, and without it `importlib.metadata.entry_points()`
    finds no notifier (core.jobs.notifiers_for) and scheduled work is never delivered."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    sections = []
    for group, entries in sorted(project.get("entry-points", {}).items()):
        shipped = [
            f"{name} = {target}"
            for name, target in sorted(entries.items())
            if _module_shipped(dest, target.split(":", 1)[0])
        ]
        if shipped:
            sections.append(f"[{group}]\n" + "\n".join(shipped) + "\n")
    info = dest / f"{canonical(project['name']).replace('-', '_')}-{project['version']}.dist-info"
    info.mkdir()
    metadata = f"Metadata-Version: 2.1\nName: {project['name']}\nVersion: {project['version']}\n"
    (info / "METADATA").write_text(metadata, encoding="utf-8")
    (info / "entry_points.txt").write_text("\n".join(sections), encoding="utf-8")


def _module_shipped(dest: Path, module: str) -> bool:
    path = dest.joinpath(*module.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def find_target_python() -> str:
    """A CPython of the Lambda's version: .pyc files only load in the version that wrote them."""
    candidates = [
        os.environ.get("LAMBDA_PYTHON"),
        sys.executable,
        shutil.which(f"python{TARGET_PYTHON}"),
    ]
    for candidate in filter(None, candidates):
        probe = subprocess.run(
            [candidate, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
            capture_output=True, text=True,
        )  # fmt: skip
        if probe.returncode == 0 and probe.stdout.strip() == TARGET_PYTHON:
            return candidate
    raise BuildError(
        f"no Python {TARGET_PYTHON} found to compile the .pyc files: install it "
        f"(actions/setup-python) or set LAMBDA_PYTHON=/path/to/python{TARGET_PYTHON}"
    )


def compile_tree(dest: Path, python: str, epoch: int) -> None:
    """Compile every module: Lambda's /var/task is read-only, so Python could never cache them.

    unchecked-hash .pyc files embed no timestamp (reproducible) and are loaded without reading
    the source; -s/-p make the recorded file names /var/task/..., not this build's folder, and a
    fixed hash seed keeps set constants in a stable order.
    """
    env = {**os.environ, "PYTHONHASHSEED": "0", "SOURCE_DATE_EPOCH": str(epoch)}
    command = [
        python, "-m", "compileall", "-q", "-q", "--invalidation-mode", "unchecked-hash",
        "-s", str(dest), "-p", TASK_ROOT, str(dest),
    ]  # fmt: skip
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    if result.returncode:
        raise BuildError(f"compileall failed:\n{result.stdout[-3000:]}{result.stderr[-3000:]}")


# ------------------------------------------------------------------------------------ CLI
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    commands = parser.add_subparsers(dest="command", required=True)
    lock_cmd = commands.add_parser("lock", help="re-pin the per-function requirement sets")
    lock_cmd.add_argument(
        "functions", nargs="*", help=f"some of {sorted(ARTEFACTS)} (default: all)"
    )
    lock_cmd.add_argument(
        "--fresh", action="store_true", help="newest versions, not this environment's"
    )
    build_cmd = commands.add_parser("build", help="build artefact folders")
    build_cmd.add_argument(
        "functions", nargs="*", help=f"{sorted(ARTEFACTS)} or template logical ids"
    )
    build_cmd.add_argument("--all", action="store_true", help="every artefact")
    build_cmd.add_argument("--out", type=Path, help="parent folder: OUT/<function>")
    build_cmd.add_argument(
        "--artifacts-dir", type=Path, help="exact folder (one function; sam build)"
    )
    build_cmd.add_argument(
        "--host", action="store_true", help="for this interpreter and platform (tests)"
    )
    build_cmd.add_argument(
        "--zip", action="store_true", help="also write a deterministic OUT/<function>.zip"
    )
    build_cmd.add_argument(
        "--compile-python", help=f"the Python {TARGET_PYTHON} that compiles .pyc"
    )
    build_cmd.add_argument("--summary-json", type=Path, help="write sizes and digests here")
    args = parser.parse_args(argv)
    try:
        if args.command == "lock":
            for name in args.functions or sorted(ARTEFACTS):
                if name not in ARTEFACTS:
                    raise BuildError(f"unknown function {name!r}; choose from {sorted(ARTEFACTS)}")
                path = lock(ARTEFACTS[name], constrain_to_environment=not args.fresh)
                print(f"pinned {path.relative_to(ROOT)}")
            return 0
        return _build_command(args)
    except BuildError as exc:
        print(f"build_lambda_artifacts: {exc}", file=sys.stderr)
        return 1


def _build_command(args: argparse.Namespace) -> int:
    names = sorted(ARTEFACTS) if args.all else [FUNCTIONS.get(f, f) for f in args.functions]
    unknown = [n for n in names if n not in ARTEFACTS]
    if unknown or not names:
        raise BuildError(f"unknown or no function {unknown}; choose from {sorted(ARTEFACTS)}")
    if bool(args.out) == bool(args.artifacts_dir) or (args.artifacts_dir and len(names) != 1):
        raise BuildError("give --out DIR, or --artifacts-dir DIR with exactly one function")
    summaries = []
    for name in dict.fromkeys(names):
        dest = args.artifacts_dir or args.out / name
        summary = build(
            ARTEFACTS[name], dest.resolve(), host=args.host, compile_python=args.compile_python
        )
        if args.zip:
            summary["zip_bytes"] = write_zip(dest.resolve(), source_date_epoch(ROOT)).stat().st_size
        if summary["bytes"] > LAMBDA_UNZIPPED_LIMIT:
            raise BuildError(f"{name} is {summary['bytes']:,} bytes unzipped: over Lambda's limit")
        summaries.append(summary)
        zipped = f", {summary['zip_bytes'] / 1e6:.1f} MB zipped" if "zip_bytes" in summary else ""
        print(
            f"{name:8} {summary['bytes'] / 1e6:6.1f} MB unzipped{zipped}, {summary['files']} files, "
            f"sha256 {summary['sha256'][:16]}, {summary['seconds']} s -> {dest}"
        )
    if args.summary_json:
        args.summary_json.write_text(json.dumps(summaries, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
