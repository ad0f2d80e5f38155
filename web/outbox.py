"""Where account mail goes while no mail transport is configured: files a developer can open.

A reset or verification link is a credential, so it is never written to a log (logs are
shipped, kept and read by others). In development each message becomes a file of its own in
the outbox folder, readable by its owner only; production writes none (web.auth).
"""

from __future__ import annotations

import os
import uuid
from datetime import UTC, datetime
from pathlib import Path

DEFAULT_FOLDER = Path(".data/outbox")


class Outbox:
    """A folder of messages, one file each, newest last by name."""

    def __init__(self, folder: Path = DEFAULT_FOLDER) -> None:
        self.folder = folder

    def write(self, *, to: str, subject: str, body: str) -> Path:
        self.folder.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
        path = self.folder / f"{stamp}-{uuid.uuid4().hex[:8]}.txt"
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as message:
            message.write(f"To: {to}\nSubject: {subject}\n\n{body}\n")
        return path

    def messages(self) -> list[str]:
        """Every message written so far, oldest first."""
        if not self.folder.is_dir():
            return []
        return [p.read_text(encoding="utf-8") for p in sorted(self.folder.glob("*.txt"))]
