#!/usr/bin/env bash
# Debian's chromium for the browser tests (Playwright drives it by path; no browser download).
set -euo pipefail
if [ -n "${CHROMIUM_PATH:-}" ] && [ -x "$CHROMIUM_PATH" ]; then exit 0; fi  # the tests use it too
if [ -x /usr/bin/chromium ]; then exit 0; fi
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
if command -v apt-get >/dev/null; then
  echo "ensure-chromium: installing Debian's chromium"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
else
  echo "ensure-chromium: install Chromium at /usr/bin/chromium to run the browser tests" >&2
  exit 1
fi
