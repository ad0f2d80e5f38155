#!/usr/bin/env bash
# cfn-lint on template.yaml (and infra/github-oidc-role.yaml), failing on any finding: error,
# warning or informational.
#
# cfn-lint 1.53.3 exactly: 1.54 and newer no longer run the SAM transform, so they would pass a
# template whose Serverless resources are wrong. It lives in its own virtualenv because its
# aws-sam-translator pins an older pydantic than the project's. The venv is reused while it holds
# the pinned set (infra/lint/cfn-lint-requirements.txt), rebuilt when that file changes.
#
#   infra/scripts/lint_template.sh [TEMPLATE...]   # default: both templates; CFN_LINT_VENV moves the venv
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
requirements="$root/infra/lint/cfn-lint-requirements.txt"
venv="${CFN_LINT_VENV:-$root/.cache/cfn-lint-venv}"
python="${PYTHON:-python3}"
stamp="$venv/.requirements-sha256"
wanted="$(sha256sum "$requirements" | cut -d' ' -f1)"

mkdir -p "$(dirname "$venv")"
# .cache/ holds tool installs only: keep it out of git without touching the root .gitignore.
[ -f "$root/.cache/.gitignore" ] || { mkdir -p "$root/.cache" && printf '*\n' > "$root/.cache/.gitignore"; }

if [ ! -x "$venv/bin/cfn-lint" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]; then
  echo "lint_template: installing cfn-lint into $venv" >&2
  rm -rf "$venv"
  "$python" -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps \
    --requirement "$requirements" 2> >(grep -v "^WARNING: Location" >&2)
  echo "$wanted" > "$stamp"
fi

# The SAM transform asks for a region even though nothing here talks to AWS.
export AWS_DEFAULT_REGION="${AWS_DEFAULT_REGION:-us-east-1}"
if [ "$#" -eq 0 ]; then set -- "$root/template.yaml" "$root/infra/github-oidc-role.yaml"; fi
# Exit status is a bit mask (2 errors, 4 warnings, 8 informational): any bit fails the run.
if "$venv/bin/cfn-lint" --format parseable -- "$@"; then
  echo "lint_template: clean: $* ($("$venv/bin/cfn-lint" --version))"
else
  status=$?
  echo "lint_template: cfn-lint found problems (exit $status): $*" >&2
  exit "$status"
fi
