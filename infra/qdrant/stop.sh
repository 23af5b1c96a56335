#!/usr/bin/env bash
# Stops the Qdrant server that start.sh started on a data folder: SIGTERM (Qdrant flushes its write-
# ahead logs and exits), then SIGKILL if it is still alive after the timeout. Returns once the process
# is gone, so a restart on the same ports can bind at once. The data folder is kept (delete it
# yourself, or start again on it to find the same collections).
#
# Stopping a folder whose server is not running is not an error: it says so and exits 0, so teardown
# code can call it unconditionally.
#
# Usage: infra/qdrant/stop.sh --data-dir DIR [--timeout SECONDS]
#   --timeout  how long to wait after SIGTERM before SIGKILL (default 30)
set -euo pipefail
qdrant_script=stop-qdrant
# shellcheck source=lib.sh
source "$(cd "$(dirname "$0")" && pwd)/lib.sh"

dir="" timeout=30
while [[ $# -gt 0 ]]; do
  case "$1" in
    --data-dir) dir="${2:?--data-dir needs a folder}"; shift 2 ;;
    --timeout) timeout="${2:?--timeout needs seconds}"; shift 2 ;;
    *) qdrant_fail "unknown argument '$1' (use --data-dir DIR, --timeout SECONDS)" ;;
  esac
done
[[ -n $dir ]] || qdrant_fail "say which server to stop with --data-dir DIR (the folder given to start.sh)"
[[ -d $dir ]] || qdrant_fail "no such data folder: $dir"
[[ $timeout =~ ^[0-9]+$ ]] || qdrant_fail "--timeout '$timeout' is not a number of seconds"
dir="$(cd "$dir" && pwd -P)"
pidfile="$dir/qdrant.pid"

if [[ ! -f $pidfile ]]; then
  qdrant_say "no Qdrant running on $dir (no qdrant.pid)"
  exit 0
fi
pid="$(cat "$pidfile")"
if ! qdrant_is_server "$pid" "$dir"; then
  qdrant_say "no Qdrant running on $dir (pid $pid is gone); removing the stale qdrant.pid"
  rm -f "$pidfile"
  exit 0
fi

gone() { ! kill -0 "$pid" 2>/dev/null || ! qdrant_is_server "$pid" "$dir"; }
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
  qdrant_say "stopped Qdrant on $dir (pid $pid)"
else
  qdrant_say "Qdrant (pid $pid) ignored SIGTERM for ${timeout}s; sending SIGKILL"
  kill -KILL "$pid" 2>/dev/null || true
  wait_gone 10 || qdrant_fail "pid $pid survived SIGKILL for 10 s; look at it with: ps -o pid,stat,cmd -p $pid"
  qdrant_say "killed Qdrant on $dir (pid $pid)"
fi
rm -f "$pidfile"
