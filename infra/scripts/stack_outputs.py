#!/usr/bin/env python3
"""Print the stack outputs deploy.yml needs as NAME=value lines (for $GITHUB_ENV or `eval`).

    python3 infra/scripts/stack_outputs.py STACK [--allow-missing]

Reads them with the AWS CLI (`aws cloudformation describe-stacks`). With --allow-missing a stack
that does not exist yet (the first deploy) prints nothing instead of failing. Outputs are names
and URLs, never secrets. Standard library only.
"""

from __future__ import annotations

import json
import subprocess
import sys

# Stack output -> the variable deploy.yml and infra/scripts/publish_static.sh use.
VARIABLES = {
    "StaticBucketName": "BUCKET",
    "DistributionId": "DISTRIBUTION_ID",
    "MigrateFunctionName": "MIGRATE_FUNCTION",
    "WebUrl": "WEB_URL",
}


def as_variables(outputs: list[dict[str, str]]) -> list[str]:
    """NAME=value for each output deploy.yml uses, in VARIABLES order; absent ones are skipped."""
    values = {o["OutputKey"]: o["OutputValue"] for o in outputs}
    return [f"{name}={values[key]}" for key, name in VARIABLES.items() if key in values]


def describe(stack: str) -> list[dict[str, str]] | None:
    """The stack's outputs; None when there is no such stack."""
    command = [
        "aws",
        "cloudformation",
        "describe-stacks",
        "--stack-name",
        stack,
        "--output",
        "json",
    ]
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode:
        if "does not exist" in result.stderr:
            return None
        raise RuntimeError(result.stderr.strip() or f"aws exited with {result.returncode}")
    [description] = json.loads(result.stdout)["Stacks"]
    return description.get("Outputs", [])


def main(argv: list[str]) -> int:
    names = [a for a in argv if not a.startswith("--")]
    if len(names) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    try:
        outputs = describe(names[0])
    except RuntimeError as exc:
        print(f"stack_outputs: {exc}", file=sys.stderr)
        return 1
    if outputs is None:
        if "--allow-missing" in argv:
            return 0
        print(f"stack_outputs: stack {names[0]} does not exist", file=sys.stderr)
        return 1
    for line in as_variables(outputs):
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
