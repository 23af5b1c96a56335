#!/usr/bin/env bash
# Starts a Qdrant server (the pinned version, see versions.env) on 127.0.0.1 only, in the background,
# and returns once it is ready (GET /readyz answers 200; ports and waiting: infra/lib/start-server.sh).
# Prints its REST URL (http://127.0.0.1:PORT) on stdout; messages go to stderr. The server runs in the
# data folder, which has no ./config, so it takes Qdrant's defaults plus the QDRANT__* variables set
# here, and telemetry is off.
#
# Files in the data folder:
#   storage/, snapshots/  the collections and their snapshots (kept across restarts)
#   qdrant.log            the server's own log (stdout + stderr)
#   qdrant.pid            PID of the server, removed by stop.sh
#   url                   the REST URL, e.g. http://127.0.0.1:24817
#   http-port, grpc-port  the ports, reused when the same folder is started again
#
# Usage: infra/qdrant/start.sh [--data-dir DIR] [--http-port PORT] [--grpc-port PORT] [--timeout SECONDS]
#        infra/qdrant/start.sh --check
#   --data-dir   where everything goes (default: a new temporary folder, printed on stderr)
#   --http-port  the REST port (default: the previous one of DIR, else a random free one); --grpc-port alike
#   --timeout    how long to wait for readiness (default 60)
#   --check      only check the binary: print its path and exit 0, or say why it cannot run and exit 1
# Env:   QDRANT_BIN  the server binary (default: ../shared/bin/qdrant from the repository root)
set -euo pipefail
qdrant_script=start-qdrant
here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=lib.sh
source "$here/lib.sh"
# shellcheck source=../lib/start-server.sh
source "$here/../lib/start-server.sh"
fail() { qdrant_fail "$@"; }
port_open() { qdrant_port_open "$1"; }
server="Qdrant server"

dir="" http="" grpc="" timeout=60 check=false
while [[ $# -gt 0 ]]; do
  case "$1" in
    --data-dir) dir="${2:?--data-dir needs a folder}"; shift 2 ;;
    --http-port) http="${2:?--http-port needs a number}"; shift 2 ;;
    --grpc-port) grpc="${2:?--grpc-port needs a number}"; shift 2 ;;
    --timeout) timeout="${2:?--timeout needs seconds}"; shift 2 ;;
    --check) check=true; shift ;;
    *) qdrant_fail "unknown argument '$1' (use --data-dir DIR, --http-port PORT, --grpc-port PORT, --timeout SECONDS, --check)" ;;
  esac
done
if $check; then
  why="$(qdrant_check_bin)" || qdrant_fail "$why"
  echo "$qdrant_bin"
  exit 0
fi
[[ -z $http ]] || is_port "$http" || qdrant_fail "--http-port '$http' is not a port number (1-65535)"
[[ -z $grpc ]] || is_port "$grpc" || qdrant_fail "--grpc-port '$grpc' is not a port number (1-65535)"
[[ $timeout =~ ^[0-9]+$ && $timeout -gt 0 ]] || qdrant_fail "--timeout '$timeout' is not a positive number of seconds"
why="$(qdrant_check_bin)" || qdrant_fail "$why"

if [[ -z $dir ]]; then
  dir="$(mktemp -d "${TMPDIR:-/tmp}/isara-qdrant.XXXXXX")"
  qdrant_say "data folder: $dir"
fi
mkdir -p "$dir"
dir="$(cd "$dir" && pwd -P)"
[[ ! -e $dir/config ]] ||
  qdrant_fail "$dir/config exists; Qdrant would read it instead of this script's settings, so use a folder without it"

if [[ -f $dir/qdrant.pid ]]; then
  old="$(cat "$dir/qdrant.pid")"
  if qdrant_is_server "$old" "$dir"; then
    qdrant_fail "a Qdrant server already runs on $dir (pid $old, $(cat "$dir/url" 2>/dev/null)); stop it with infra/qdrant/stop.sh --data-dir $dir"
  fi
  rm -f "$dir/qdrant.pid"
fi

[[ -n $http || ! -f $dir/http-port ]] || http="$(cat "$dir/http-port")"
[[ -n $grpc || ! -f $dir/grpc-port ]] || grpc="$(cat "$dir/grpc-port")"
[[ -z $http ]] || is_port "$http" || qdrant_fail "$dir/http-port is corrupt; delete it"
[[ -z $grpc ]] || is_port "$grpc" || qdrant_fail "$dir/grpc-port is corrupt; delete it"
[[ -n $http ]] || http="$(free_port "$grpc")"
[[ -n $grpc && $grpc != "$http" ]] || grpc="$(free_port "$http")"
qdrant_port_open "$http" && qdrant_fail "port $http on 127.0.0.1 is already in use; pick another with --http-port"
qdrant_port_open "$grpc" && qdrant_fail "port $grpc on 127.0.0.1 is already in use; pick another with --grpc-port"
echo "$http" >"$dir/http-port"
echo "$grpc" >"$dir/grpc-port"

(
  cd "$dir"
  export QDRANT__SERVICE__HOST=127.0.0.1 QDRANT__SERVICE__HTTP_PORT="$http" QDRANT__SERVICE__GRPC_PORT="$grpc"
  export QDRANT__STORAGE__STORAGE_PATH="$dir/storage" QDRANT__STORAGE__SNAPSHOTS_PATH="$dir/snapshots"
  export QDRANT__TELEMETRY_DISABLED=true
  exec "$qdrant_bin" >>"$dir/qdrant.log" 2>&1 </dev/null
) &
pid=$!
echo "$pid" >"$dir/qdrant.pid"

# Ready = GET /readyz answers 200.
wait_until_ready "$pid" "$dir/qdrant.pid" "$dir/qdrant.log" "$timeout" "http://127.0.0.1:$http" qdrant_ready "$http"

echo "http://127.0.0.1:$http" >"$dir/url"
qdrant_say "Qdrant $QDRANT_VERSION up on http://127.0.0.1:$http, gRPC 127.0.0.1:$grpc (pid $pid, data $dir)"
echo "http://127.0.0.1:$http"
