# Shared by the start.sh scripts of the servers that tests and the local stack start on a data folder
# (Kafka, Qdrant; sourced, not run), so they pick ports and wait alike.
# The caller defines fail() and port_open PORT (true while something accepts connections on
# 127.0.0.1:PORT), and sets $server to name the server in messages.

# is_port VALUE: true when VALUE is a TCP port number (1-65535).
is_port() { [[ $1 =~ ^[0-9]+$ ]] && ((10#$1 >= 1 && 10#$1 <= 65535)); }

# free_port [TAKEN...]: prints a port nothing listens on, random in 20000-32767 and none of TAKEN.
# Below Linux's ephemeral range (32768-60999), so an outgoing connection cannot take it as its local
# port between this check and the server's bind.
free_port() {
  local p
  for _ in $(seq 1 50); do
    p=$((20000 + RANDOM % 12768))
    [[ " $* " == *" $p "* ]] && continue
    port_open "$p" || { echo "$p"; return 0; }
  done
  fail "found no free port on 127.0.0.1 in 20000-32767 after 50 tries"
}

# wait_until_ready PID PIDFILE LOG TIMEOUT WHERE READY...: polls the command READY... every 0.1 s until
# it succeeds. Fails with the last 30 lines of LOG, after removing PIDFILE, when the server (PID, a
# child of this shell) exits first, or when TIMEOUT seconds pass (then it is killed first). WHERE
# says what the server was to be ready on, e.g. 127.0.0.1:24817.
wait_until_ready() {
  local pid=$1 pidfile=$2 log=$3 timeout=$4 where=$5 status
  shift 5
  local deadline=$((SECONDS + timeout))
  until "$@"; do
    if ! kill -0 "$pid" 2>/dev/null; then
      wait "$pid" && status=0 || status=$?
      rm -f "$pidfile"
      fail "the $server exited (status $status) before it was ready on $where; last lines of $log:$(printf '\n'; tail -n 30 "$log")"
    fi
    if ((SECONDS >= deadline)); then
      kill -KILL "$pid" 2>/dev/null || true
      rm -f "$pidfile"
      fail "the $server was not ready on $where within ${timeout}s (killed it); last lines of $log:$(printf '\n'; tail -n 30 "$log")"
    fi
    sleep 0.1
  done
}
