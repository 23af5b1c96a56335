#!/usr/bin/env bash
# Stops the broker that start.sh started on a data folder: SIGTERM (a clean shutdown that flushes the
# logs), then SIGKILL if it is still alive after the timeout. Returns once the process is gone, so a
# restart on the same port can bind at once. The data folder is kept (delete it yourself, or start
# again on it to resume with the same topics and offsets).
#
# Stopping a folder whose broker is not running is not an error: it says so and exits 0, so teardown
# code can call it unconditionally.
#
# Usage: infra/kafka/stop.sh --data-dir DIR [--timeout SECONDS]
#   --timeout  how long to wait after SIGTERM before SIGKILL (default 30)
set -euo pipefail
kafka_script=stop-kafka
# shellcheck source=lib.sh
source "$(cd "$(dirname "$0")" && pwd)/lib.sh"

dir="" timeout=30
while [[ $# -gt 0 ]]; do
  case "$1" in
    --data-dir) dir="${2:?--data-dir needs a folder}"; shift 2 ;;
    --timeout) timeout="${2:?--timeout needs seconds}"; shift 2 ;;
    *) kafka_fail "unknown argument '$1' (use --data-dir DIR, --timeout SECONDS)" ;;
  esac
done
[[ -n $dir ]] || kafka_fail "say which broker to stop with --data-dir DIR (the folder given to start.sh)"
[[ -d $dir ]] || kafka_fail "no such data folder: $dir"
[[ $timeout =~ ^[0-9]+$ ]] || kafka_fail "--timeout '$timeout' is not a number of seconds"
dir="$(cd "$dir" && pwd)"
pidfile="$dir/kafka.pid"

if [[ ! -f $pidfile ]]; then
  kafka_say "no broker running on $dir (no kafka.pid)"
  exit 0
fi
pid="$(cat "$pidfile")"
if ! kafka_is_broker "$pid" "$dir/server.properties"; then
  kafka_say "no broker running on $dir (pid $pid is gone); removing the stale kafka.pid"
  rm -f "$pidfile"
  exit 0
fi

gone() { ! kill -0 "$pid" 2>/dev/null || ! kafka_is_broker "$pid" "$dir/server.properties"; }
# Polls every 0.1 s for up to $1 seconds; true once the process has exited.
wait_gone() {
  local tries=$(($1 * 10))
  while ((tries-- > 0)); do
    gone && return 0
    sleep 0.1
  done
  gone
}

kill -TERM "$pid" 2>/dev/null || true
if wait_gone "$timeout"; then
  kafka_say "stopped the broker on $dir (pid $pid)"
else
  kafka_say "the broker (pid $pid) ignored SIGTERM for ${timeout}s; sending SIGKILL"
  kill -KILL "$pid" 2>/dev/null || true
  wait_gone 10 || kafka_fail "pid $pid survived SIGKILL for 10 s; look at it with: ps -o pid,stat,cmd -p $pid"
  kafka_say "killed the broker on $dir (pid $pid)"
fi
rm -f "$pidfile"
