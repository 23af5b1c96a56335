# Shared by the stop.sh scripts of the servers that tests and the local stack start on a data folder
# (Kafka, Qdrant; sourced, not run), so they stop alike: SIGTERM (a clean shutdown that flushes the
# server's logs), then SIGKILL if it is still alive after the timeout; return once the process is gone,
# so a restart on the same ports can bind at once. A folder whose server is not running is not an
# error (teardown code calls stop.sh unconditionally), and a stale PID file is removed.
# The caller defines say(), fail() and is_server PID: true while PID is still the server of this folder
# (a stale PID file's number may since belong to another process).

# stop_server_args "$@": parses `--data-dir DIR [--timeout SECONDS]` into $dir (absolute, as start.sh has it)
# and $timeout (default 30); $1... are the script's arguments, $server names it in messages.
stop_server_args() {
  dir="" timeout=30
  while [[ $# -gt 0 ]]; do
    case "$1" in
      --data-dir) dir="${2:?--data-dir needs a folder}"; shift 2 ;;
      --timeout) timeout="${2:?--timeout needs seconds}"; shift 2 ;;
      *) fail "unknown argument '$1' (use --data-dir DIR, --timeout SECONDS)" ;;
    esac
  done
  [[ -n $dir ]] || fail "say which $server to stop with --data-dir DIR (the folder given to start.sh)"
  [[ -d $dir ]] || fail "no such data folder: $dir"
  [[ $timeout =~ ^[0-9]+$ ]] || fail "--timeout '$timeout' is not a number of seconds"
  dir="$(cd "$dir" && pwd)"
}

# stop_server PIDFILE: stops the server whose PID is in PIDFILE (see the file comment), then removes it.
stop_server() {
  local pidfile=$1 pid
  if [[ ! -f $pidfile ]]; then
    say "no $server running on $dir (no $(basename "$pidfile"))"
    return 0
  fi
  pid="$(cat "$pidfile")"
  if ! is_server "$pid"; then
    say "no $server running on $dir (pid $pid is gone); removing the stale $(basename "$pidfile")"
    rm -f "$pidfile"
    return 0
  fi
  kill -TERM "$pid" 2>/dev/null || true
  if stop_server_wait_gone "$pid" "$timeout"; then
    say "stopped the $server on $dir (pid $pid)"
  else
    say "the $server (pid $pid) ignored SIGTERM for ${timeout}s; sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    stop_server_wait_gone "$pid" 10 ||
      fail "pid $pid survived SIGKILL for 10 s; look at it with: ps -o pid,stat,cmd -p $pid"
    say "killed the $server on $dir (pid $pid)"
  fi
  rm -f "$pidfile"
}

# Polls every 0.1 s for up to $2 seconds; true once the process $1 has exited (or is no longer ours).
stop_server_wait_gone() {
  local pid=$1 tries=$(($2 * 10))
  while ((tries-- > 0)); do
    { ! kill -0 "$pid" 2>/dev/null || ! is_server "$pid"; } && return 0
    sleep 0.1
  done
  ! kill -0 "$pid" 2>/dev/null || ! is_server "$pid"
}
