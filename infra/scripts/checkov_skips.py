#!/usr/bin/env python3
"""List the checkov checks each template skips, with the reason given on the resource.

    checkov_skips.py [--require-reasons] TEMPLATE...

A template skips a check on one resource, never globally, with its reason beside it:

    Metadata:
      checkov:
        skip:
          - id: CKV_AWS_116
            comment: why this check does not apply here

Prints one line per skip (template, resource, check, reason). With --require-reasons it exits 1
when a skip has no reason. Standard library only (it runs in checkov's own virtualenv too):
templates are read with a small reader of this one block, not a YAML library.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Skip:
    template: str
    resource: str
    check: str
    reason: str


def skips_in(path: Path) -> list[Skip]:
    """Every `Metadata: checkov: skip:` entry under the template's resources."""
    found: list[Skip] = []
    resource, in_resources, in_skip = "", False, False
    check: str | None = None
    reason_lines: list[str] = []

    def close() -> None:
        nonlocal check, reason_lines
        if check is not None:
            found.append(Skip(path.name, resource, check, " ".join(reason_lines).strip()))
        check, reason_lines = None, []

    for line in path.read_text(encoding="utf-8").splitlines():
        if re.match(r"^\S", line):
            close()
            in_resources, in_skip = line.startswith("Resources:"), False
            continue
        if not in_resources:
            continue
        if match := re.match(r"^  ([A-Za-z0-9]+):\s*$", line):
            close()
            resource, in_skip = match.group(1), False
        elif re.match(r"^\s+skip:\s*$", line):
            in_skip = True
        elif in_skip and (match := re.match(r"^\s+- id:\s*(\S+)\s*$", line)):
            close()
            check = match.group(1).strip("\"'")
        elif in_skip and check and (match := re.match(r"^\s+comment:\s*(.*)$", line)):
            reason_lines = [match.group(1).strip().strip("\"'>-|")]
        elif in_skip and check and reason_lines and re.match(r"^\s{12,}\S", line):
            reason_lines.append(line.strip())  # a folded reason continues on deeper lines
        elif in_skip and not re.match(r"^\s{8,}", line):
            close()
            in_skip = False
    close()
    return found


def main(argv: list[str]) -> int:
    require = "--require-reasons" in argv
    templates = [Path(a) for a in argv if not a.startswith("--")]
    if not templates:
        print(__doc__, file=sys.stderr)
        return 2
    missing = 0
    for path in templates:
        for skip in skips_in(path):
            if not skip.reason:
                missing += 1
                print(
                    f"checkov_skips: {skip.template} {skip.resource} skips {skip.check} without a reason",
                    file=sys.stderr,
                )
            elif not require:
                print(f"{skip.template}\t{skip.resource}\t{skip.check}\t{skip.reason}")
    return 1 if require and missing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
