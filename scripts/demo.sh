#!/usr/bin/env bash
# `make run`: the web companion in the background, then a mock interview in this terminal.
# Pass chat options through: make run ARGS="--role devops --difficulty hard --questions 3"
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
mkdir -p .data
PIDFILE=.data/web.pid

web_running() { [ -f "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; }

if [ "${1:-}" = "--stop" ]; then
  if web_running; then kill "$(cat "$PIDFILE")" && echo "web companion stopped"; fi
  rm -f "$PIDFILE"
  exit 0
fi

"$BIN/interviewbot" migrate >/dev/null
if ! web_running; then
  nohup "$BIN/interviewbot" web >.data/web.log 2>&1 &
  echo $! >"$PIDFILE"
  # Wait until it answers: the interview then shares its quota and cache (the memory://
  # stand-in it serves), so the browser shows the same "sessions left today".
  for _ in $(seq 1 40); do
    "$BIN/python" -c "import urllib.request as u; u.urlopen('http://127.0.0.1:${WEB_PORT:-8000}/healthz', timeout=1)" \
      2>/dev/null && break
    kill -0 "$(cat "$PIDFILE")" 2>/dev/null || { echo "web companion did not start (see .data/web.log)"; break; }
    sleep 0.5
  done
fi
status=0
"$BIN/interviewbot" chat "$@" || status=$?
echo
echo "Your history is on the web companion: http://127.0.0.1:${WEB_PORT:-8000}  (log: .data/web.log; stop it with: make stop)"
# 3: today's sessions are used up; 130: paused with Ctrl-C. Both were explained above and
# are normal ends of a demo, not failures for make to report.
case $status in 3 | 130) exit 0 ;; *) exit $status ;; esac
