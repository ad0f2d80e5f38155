#!/usr/bin/env bash
# Install the front-end packages (chart.js) and copy their browser builds into web/static/vendor.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f package.json ] || exit 0
if ! command -v npm >/dev/null; then
  echo "build-assets: npm not found; the web pages work but charts need web/static/vendor" >&2
  exit 0
fi
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
npm run --silent build:assets
