#!/usr/bin/env bash
# Start MariaDB and Redis on 127.0.0.1 if they are installed here and not answering.
# (The development machines run both; CI may find them stopped.)
set -euo pipefail

wait_for() {  # wait_for NAME COMMAND...
  local name=$1; shift
  for _ in $(seq 1 60); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.5
  done
  echo "ensure-services: $name did not come up" >&2
  return 1
}

if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  if command -v redis-server >/dev/null; then
    echo "ensure-services: starting Redis"
    redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no
    wait_for Redis redis-cli -h 127.0.0.1 -p 6379 ping
  else
    echo "ensure-services: Redis is not running and redis-server is not installed" >&2
  fi
fi

mariadb_up() { mariadb -h 127.0.0.1 -uroot -e 'SELECT 1' || mysql -h 127.0.0.1 -uroot -e 'SELECT 1'; }
if ! mariadb_up >/dev/null 2>&1; then
  if [ -x /usr/sbin/mariadbd ]; then
    echo "ensure-services: starting MariaDB"
    start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd
    wait_for MariaDB mariadb_up
  else
    echo "ensure-services: MariaDB is not running and /usr/sbin/mariadbd is not installed" >&2
  fi
fi
