#!/usr/bin/env bash
# Starts a single-node Apache Kafka broker (KRaft, broker + controller in one JVM) on 127.0.0.1 only,
# in the background, and returns once it accepts connections (ports and waiting: infra/lib/start-server.sh).
# Prints the bootstrap address (127.0.0.1:PORT) on stdout; messages go to stderr.
#
# Files in the data folder:
#   server.properties  the broker config written by this script (auto topic creation OFF)
#   data/              the topic and metadata logs (formatted once; kept across restarts)
#   kafka.log          the broker's own log (stdout + stderr of the JVM); format.log, the formatter's
#   kafka.pid          PID of the JVM, removed by stop.sh
#   bootstrap          the bootstrap address, e.g. 127.0.0.1:24817
#   port, controller-port  the ports, reused when the same folder is started again
#
# Restarting on the same folder keeps the data and, unless --port says otherwise, the ports, so a
# client that knew the old address finds the broker again.
#
# Usage: infra/kafka/start.sh [--data-dir DIR] [--port PORT] [--timeout SECONDS]
#   --data-dir  where everything goes (default: a new temporary folder, printed on stderr)
#   --port      the client port (default: the previous one of DIR, else a random free one)
#   --timeout   how long to wait for the port to accept connections (default 60)
# Env:   ISARA_CACHE, JAVA_HOME  see fetch.sh
#        ISARA_KAFKA_JVM_OPTS     extra JVM options, appended after the defaults (heap 512m)
set -euo pipefail
kafka_script=start-kafka
here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=lib.sh
source "$here/lib.sh"
# shellcheck source=../lib/start-server.sh
source "$here/../lib/start-server.sh"
fail() { kafka_fail "$@"; }
port_open() { kafka_port_open "$1"; }
server=broker

dir="" port="" timeout=60
while [[ $# -gt 0 ]]; do
  case "$1" in
    --data-dir) dir="${2:?--data-dir needs a folder}"; shift 2 ;;
    --port) port="${2:?--port needs a number}"; shift 2 ;;
    --timeout) timeout="${2:?--timeout needs seconds}"; shift 2 ;;
    *) kafka_fail "unknown argument '$1' (use --data-dir DIR, --port PORT, --timeout SECONDS)" ;;
  esac
done
[[ -z $port ]] || is_port "$port" || kafka_fail "--port '$port' is not a port number (1-65535)"
[[ $timeout =~ ^[0-9]+$ && $timeout -gt 0 ]] || kafka_fail "--timeout '$timeout' is not a positive number of seconds"

command -v "$kafka_java" >/dev/null ||
  kafka_fail "no '$kafka_java' found; install a JDK 17+ (e.g. apt-get install openjdk-17-jre-headless) or set JAVA_HOME"
kafka_installed || kafka_fail "Kafka $KAFKA_VERSION jars are not in $kafka_libs (or are stale); run infra/kafka/fetch.sh"

if [[ -z $dir ]]; then
  dir="$(mktemp -d "${TMPDIR:-/tmp}/isara-kafka.XXXXXX")"
  kafka_say "data folder: $dir"
fi
mkdir -p "$dir"
dir="$(cd "$dir" && pwd)"
config="$dir/server.properties"

if [[ -f $dir/kafka.pid ]]; then
  old="$(cat "$dir/kafka.pid")"
  if kafka_is_broker "$old" "$config"; then
    kafka_fail "a broker already runs on $dir (pid $old, $(cat "$dir/bootstrap" 2>/dev/null)); stop it with infra/kafka/stop.sh --data-dir $dir"
  fi
  rm -f "$dir/kafka.pid"
fi

[[ -n $port ]] || { [[ -f $dir/port ]] && port="$(cat "$dir/port")"; } || port="$(free_port)"
cport=""
[[ -f $dir/controller-port ]] && cport="$(cat "$dir/controller-port")"
[[ -n $cport && $cport != "$port" ]] || cport="$(free_port "$port")"
is_port "$port" && is_port "$cport" || kafka_fail "$dir/port or controller-port is corrupt; delete them"
kafka_port_open "$port" && kafka_fail "port $port on 127.0.0.1 is already in use; pick another with --port"
kafka_port_open "$cport" && cport="$(free_port "$port")"
echo "$port" >"$dir/port"
echo "$cport" >"$dir/controller-port"

cat >"$config" <<EOF
# Written by infra/kafka/start.sh on every start; edits are overwritten.
# One JVM is both the KRaft controller and the broker (node 1), reachable on loopback only.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$cport
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$cport
advertised.listeners=PLAINTEXT://127.0.0.1:$port
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$dir/data
# Services create their topics with explicit partition counts; a typo must fail, not create a topic.
auto.create.topics.enable=false
# A single node: internal topics cannot have more than one replica.
offsets.topic.replication.factor=1
offsets.topic.num.partitions=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
# Consumers join a group at once instead of waiting 3 s for more members.
group.initial.rebalance.delay.ms=0
# Few threads: this is a development broker on a small machine.
num.network.threads=2
num.io.threads=2
num.recovery.threads.per.data.dir=1
EOF

jvm=(-Xmx512m -Xms128m -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -Djava.awt.headless=true
  -Dorg.slf4j.simpleLogger.showDateTime=true "-Dorg.slf4j.simpleLogger.dateTimeFormat=yyyy-MM-dd'T'HH:mm:ss.SSS"
  # The full config dump at every client/server start is thousands of lines; keep warnings.
  -Dorg.slf4j.simpleLogger.log.org.apache.kafka.common.config.AbstractConfig=warn)
# shellcheck disable=SC2206 # word splitting of the user's options is intended
[[ -z ${ISARA_KAFKA_JVM_OPTS:-} ]] || jvm+=($ISARA_KAFKA_JVM_OPTS)

if [[ ! -f $dir/data/meta.properties ]]; then
  # Any 16 random bytes as URL-safe base64 make a valid cluster id; no extra JVM start needed. One id in
  # 64 starts with "-", which the tool's argument parser takes for an option ("expected one argument"),
  # so such an id gets "A" as its first character instead (still 22 base64 characters, 16 bytes).
  cluster="$(head -c16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')"
  [[ $cluster != -* ]] || cluster="A${cluster:1}"
  "$kafka_java" -Xmx256m -XX:TieredStopAtLevel=1 -cp "$kafka_libs/*" kafka.tools.StorageTool \
    format --cluster-id "$cluster" --config "$config" >"$dir/format.log" 2>&1 ||
    kafka_fail "formatting $dir/data failed:$(printf '\n'; tail -n 20 "$dir/format.log")"
fi

"$kafka_java" "${jvm[@]}" -cp "$kafka_libs/*" kafka.Kafka "$config" >>"$dir/kafka.log" 2>&1 </dev/null &
pid=$!
echo "$pid" >"$dir/kafka.pid"

# Ready = accepting connections on the client port.
wait_until_ready "$pid" "$dir/kafka.pid" "$dir/kafka.log" "$timeout" "127.0.0.1:$port" kafka_port_open "$port"

echo "127.0.0.1:$port" >"$dir/bootstrap"
kafka_say "Kafka $KAFKA_VERSION up on 127.0.0.1:$port (pid $pid, data $dir)"
echo "127.0.0.1:$port"
