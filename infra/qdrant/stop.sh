#!/usr/bin/env bash
# Stops the Qdrant server that start.sh started on a data folder (SIGTERM: Qdrant flushes its write-
# ahead logs and exits; SIGKILL after the timeout; see infra/lib/stop-server.sh). The data folder is
# kept (delete it yourself, or start again on it to find the same collections). A folder whose server
# is not running is not an error.
#
# Usage: infra/qdrant/stop.sh --data-dir DIR [--timeout SECONDS]
#   --timeout  how long to wait after SIGTERM before SIGKILL (default 30)
set -euo pipefail
qdrant_script=stop-qdrant
here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=lib.sh
source "$here/lib.sh"
# shellcheck source=../lib/stop-server.sh
source "$here/../lib/stop-server.sh"
say() { qdrant_say "$@"; }
fail() { qdrant_fail "$@"; }
# start.sh runs the server in the folder's physical path (what /proc/PID/cwd shows).
is_server() { qdrant_is_server "$1" "$(cd "$dir" && pwd -P)"; }
server="Qdrant server"

stop_server_args "$@"
stop_server "$dir/qdrant.pid"
