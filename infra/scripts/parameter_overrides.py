#!/usr/bin/env python3
"""Print `sam deploy --parameter-overrides` for template.yaml from environment variables.

Each parameter reads the variable with the app's own naming (DatabaseUrl <- DATABASE_URL,
SlackSigningSecret <- SLACK_SIGNING_SECRET, ...), so CI secrets, a local `.env` and the Lambda
environment all use one set of names:

    sam deploy --parameter-overrides "$(python3 infra/scripts/parameter_overrides.py)"

An unset or empty variable is left out: on a new stack the template's default applies, on an
existing one CloudFormation keeps the previous value (so an unset CI secret never wipes one).
Values are quoted for SAM's parser; it cannot carry a backslash, so one is refused.
Standard library only. `--names` lists the variables it reads (never their values).
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

TEMPLATE = Path(__file__).resolve().parents[2] / "template.yaml"


def template_parameters(text: str) -> list[str]:
    """The names under the top-level `Parameters:` key (two-space indented), in order."""
    names, inside = [], False
    for line in text.splitlines():
        if re.match(r"^\S", line):
            inside = line.startswith("Parameters:")
        elif inside and (match := re.match(r"^  ([A-Za-z0-9]+):\s*$", line)):
            names.append(match.group(1))
    return names


def variable_for(parameter: str) -> str:
    """DatabaseUrl -> DATABASE_URL; CloudFrontPriceClass -> CLOUDFRONT_PRICE_CLASS."""
    words = re.findall(r"[A-Z][a-z0-9]*", parameter.replace("CloudFront", "Cloudfront"))
    return "_".join(words).upper()


def overrides(environ: dict[str, str], parameters: list[str]) -> str:
    pairs = []
    for name in parameters:
        value = environ.get(variable_for(name), "")
        if not value:
            continue
        if "\\" in value:
            raise ValueError(f"{variable_for(name)} contains a backslash, which SAM cannot pass")
        pairs.append(f'{name}="{value.replace(chr(34), chr(92) + chr(34))}"')
    return " ".join(pairs)


def main(argv: list[str]) -> int:
    parameters = template_parameters(TEMPLATE.read_text(encoding="utf-8"))
    if "--names" in argv:
        for name in parameters:
            print(f"{variable_for(name):34} -> {name}")
        return 0
    try:
        print(overrides(dict(os.environ), parameters))
    except ValueError as exc:
        print(f"parameter_overrides: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
