"""Reproducible files: fixed times and modes, a content digest and a deterministic zip.

Part of build_lambda_artifacts.py (standard library only, like it): two builds of one commit
give the same bytes, so the digest it prints can be compared across machines.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import time
import zipfile
from pathlib import Path

EARLIEST_ZIP_TIME = 315_532_800  # 1980-01-01, the earliest time a zip file can record


def source_date_epoch(root: Path) -> int:
    """SOURCE_DATE_EPOCH if set, else the last commit's time: the same commit, the same bytes."""
    if os.environ.get("SOURCE_DATE_EPOCH"):
        return int(os.environ["SOURCE_DATE_EPOCH"])
    try:
        out = subprocess.run(
            ["git", "log", "-1", "--format=%ct"],
            cwd=root,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        return max(int(out), EARLIEST_ZIP_TIME)
    except (OSError, subprocess.CalledProcessError, ValueError):
        return EARLIEST_ZIP_TIME


def normalise(dest: Path, epoch: int) -> None:
    """Same modes and times everywhere, so the zip SAM makes does not depend on this machine."""
    for path in sorted(dest.rglob("*"), reverse=True):
        if not path.is_symlink():
            path.chmod(0o755 if path.is_dir() else 0o644)
            os.utime(path, (epoch, epoch))
    os.utime(dest, (epoch, epoch))


def tree_size(dest: Path) -> int:
    return sum(p.stat().st_size for p in dest.rglob("*") if p.is_file())


def tree_digest(dest: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in dest.rglob("*") if p.is_file()):
        digest.update(path.relative_to(dest).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def write_zip(dest: Path, epoch: int) -> Path:
    """A deterministic zip of the folder (sorted entries, fixed times): the size Lambda counts."""
    archive = dest.with_suffix(".zip")
    stamp = time.gmtime(max(epoch, EARLIEST_ZIP_TIME))[:6]
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for path in sorted(p for p in dest.rglob("*") if p.is_file()):
            info = zipfile.ZipInfo(path.relative_to(dest).as_posix(), date_time=stamp)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, path.read_bytes())
    return archive
