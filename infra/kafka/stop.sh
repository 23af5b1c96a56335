#!/usr/bin/env bash
# Stops the broker that start.sh started on a data folder (SIGTERM, then SIGKILL after the timeout;
# see infra/lib/stop-server.sh). The data folder is kept (delete it yourself, or start again on it to
# resume with the same topics and offsets). A folder whose broker is not running is not an error.
#
# Usage: infra/kafka/stop.sh --data-dir DIR [--timeout SECONDS]
#   --timeout  how long to wait after SIGTERM before SIGKILL (default 30)
set -euo pipefail
kafka_script=stop-kafka
here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=lib.sh
source "$here/lib.sh"
# shellcheck source=../lib/stop-server.sh
source "$here/../lib/stop-server.sh"
say() { kafka_say "$@"; }
fail() { kafka_fail "$@"; }
is_server() { kafka_is_broker "$1" "$dir/server.properties"; }
server=broker

stop_server_args "$@"
stop_server "$dir/kafka.pid"
