#!/usr/bin/env bash
# checkov on template.yaml and infra/github-oidc-role.yaml, failing on any finding.
#
# checkov is pinned with its whole dependency set (infra/lint/checkov-requirements.txt) and lives
# in its own virtualenv, like cfn-lint: it pins boto3, pydantic-free but many other versions that
# must not meet the project's. The venv is reused while it holds the pinned set and rebuilt when
# that file changes. Every check a template does not meet is skipped in the template itself, on
# the resource, with the reason (Metadata: checkov: skip: [{id, comment}]); this script skips
# nothing, and refuses a skip that gives no reason.
#
#   infra/scripts/lint_checkov.sh [TEMPLATE...]   # default: both templates; CHECKOV_VENV moves the venv
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
requirements="$root/infra/lint/checkov-requirements.txt"
venv="${CHECKOV_VENV:-$root/.cache/checkov-venv}"
python="${PYTHON:-python3}"
stamp="$venv/.requirements-sha256"
wanted="$(sha256sum "$requirements" | cut -d' ' -f1)"

mkdir -p "$(dirname "$venv")"
# .cache/ holds tool installs only: keep it out of git without touching the root .gitignore.
[ -f "$root/.cache/.gitignore" ] || { mkdir -p "$root/.cache" && printf '*\n' > "$root/.cache/.gitignore"; }

if [ ! -x "$venv/bin/checkov" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]; then
  echo "lint_checkov: installing checkov into $venv" >&2
  rm -rf "$venv"
  "$python" -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps \
    --requirement "$requirements" 2> >(grep -v "^WARNING: Location" >&2)
  echo "$wanted" > "$stamp"
fi

if [ "$#" -eq 0 ]; then set -- "$root/template.yaml" "$root/infra/github-oidc-role.yaml"; fi

# A skip without a reason is no justification: refuse it before checkov accepts it silently.
"$venv/bin/python" "$root/infra/scripts/checkov_skips.py" --require-reasons "$@"

files=()
for template in "$@"; do files+=(--file "$template"); done
# No network: no Prisma Cloud API key, no download of external checks or of the newest version.
export BC_SKIP_MAPPING=TRUE CHECKOV_RUN_SCA_PACKAGE_SCAN_V2=false
if "$venv/bin/checkov" "${files[@]}" --framework cloudformation --compact --quiet \
    --skip-download; then
  echo "lint_checkov: clean: $* (checkov $("$venv/bin/checkov" --version))"
else
  status=$?
  echo "lint_checkov: checkov found problems (exit $status): $*" >&2
  exit "$status"
fi
