#!/usr/bin/env bash
# Install the front-end packages (chart.js) and copy their browser builds into web/static/vendor
# (served locally; uploaded to S3 in production; never linked from a CDN).
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v npm >/dev/null; then
  echo "build-assets: npm not found; the web pages work but the charts need web/static/vendor" >&2
  exit 0
fi
if [ ! -d web/node_modules ] || [ web/package-lock.json -nt web/node_modules ]; then
  npm ci --prefix web --no-audit --no-fund --loglevel=error
fi
vendor=web/static/vendor/chart.umd.js
if [ ! -f "$vendor" ] || [ web/package-lock.json -nt "$vendor" ]; then
  npm run --silent build --prefix web
fi
