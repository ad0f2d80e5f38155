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

`--build-dir .aws-sam/build` adds DeploymentDigest: a SHA-256 over the built artefacts, this
template and every value passed. The aliased functions (SnapStart, the migrate function) publish
a new version exactly when it changes; without it SAM would not notice a changed secret and the
alias would keep serving the version with the old value. One commit with the same values gives
the same digest (the build is reproducible), so a redeploy of nothing publishes nothing.
"""

from __future__ import annotations

import hashlib
import os
import re
import sys
from pathlib import Path

TEMPLATE = Path(__file__).resolve().parents[2] / "template.yaml"
DIGEST_PARAMETER = "DeploymentDigest"  # computed here, never read from the environment


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
    """DatabaseUrl -> DATABASE_URL; CloudFrontPriceClass -> CLOUDFRONT_PRICE_CLASS;
    OpenAiApiKey -> OPENAI_API_KEY (the names the app's settings read)."""
    for brand in ("CloudFront", "OpenAi"):
        parameter = parameter.replace(brand, brand.capitalize())
    words = re.findall(r"[A-Z][a-z0-9]*", parameter)
    return "_".join(words).upper()


def overrides(environ: dict[str, str], parameters: list[str], digest: str = "") -> str:
    pairs = [f'{DIGEST_PARAMETER}="{digest}"'] if digest else []
    for name in parameters:
        if name == DIGEST_PARAMETER:
            continue
        value = environ.get(variable_for(name), "")
        if not value:
            continue
        if "\\" in value:
            raise ValueError(f"{variable_for(name)} contains a backslash, which SAM cannot pass")
        pairs.append(f'{name}="{value.replace(chr(34), chr(92) + chr(34))}"')
    return " ".join(pairs)


def deployment_digest(build_dir: Path, template: Path, values: dict[str, str]) -> str:
    """SHA-256 of every built file, the template and the parameter values (sorted, framed)."""
    digest = hashlib.sha256()
    files = sorted(p for p in build_dir.rglob("*") if p.is_file())
    if not files:
        raise ValueError(f"{build_dir} holds no build: run `sam build` first")
    for path in [template, *files]:
        name = path.name if path == template else path.relative_to(build_dir).as_posix()
        digest.update(f"file {name}\0".encode() + hashlib.sha256(path.read_bytes()).digest())
    for name, value in sorted(values.items()):
        digest.update(f"value {name}\0{len(value)}\0{value}".encode())
    return digest.hexdigest()


def passed_values(environ: dict[str, str], parameters: list[str]) -> dict[str, str]:
    """The values this deploy passes (the unset ones keep their previous value: no change)."""
    return {
        name: environ[variable_for(name)]
        for name in parameters
        if name != DIGEST_PARAMETER and environ.get(variable_for(name))
    }


def main(argv: list[str]) -> int:
    parameters = template_parameters(TEMPLATE.read_text(encoding="utf-8"))
    if "--names" in argv:
        for name in parameters:
            if name != DIGEST_PARAMETER:
                print(f"{variable_for(name):34} -> {name}")
        return 0
    try:
        digest = ""
        if "--build-dir" in argv:
            build_dir = Path(argv[argv.index("--build-dir") + 1])
            values = passed_values(dict(os.environ), parameters)
            digest = deployment_digest(build_dir, TEMPLATE, values)
        print(overrides(dict(os.environ), parameters, digest))
    except (ValueError, IndexError) as exc:
        print(f"parameter_overrides: {exc or 'give --build-dir DIR'}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
