# Shared by fetch.sh, start.sh and stop.sh (sourced, not run): the pinned version, where the jars are
# cached, which java to use, and small helpers. Kept in one file so the three scripts (and
# @isara/testkit/kafka, which calls them) cannot disagree about paths.
# shellcheck shell=bash

kafka_here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=versions.env
source "$kafka_here/versions.env"
: "${KAFKA_VERSION:?versions.env must set KAFKA_VERSION}"

# Cache root shared with the other infra scripts; the jars live outside the repo.
kafka_cache="${ISARA_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/isara}/kafka"
kafka_libs="$kafka_cache/$KAFKA_VERSION/libs"
# Written last into the libs folder; its content says which pom.xml + versions.env built it.
kafka_stamp=".isara-recipe"
# JAVA_HOME wins over PATH, as with Kafka's own scripts.
kafka_java="${JAVA_HOME:+$JAVA_HOME/bin/}java"

kafka_recipe() {
  cat "$kafka_here/pom.xml" "$kafka_here/versions.env" | sha256sum | cut -d' ' -f1
}

kafka_installed() {
  [[ -f $kafka_libs/$kafka_stamp && $(cat "$kafka_libs/$kafka_stamp") == "$(kafka_recipe)" ]]
}

kafka_say() { printf '%s: %s\n' "$kafka_script" "$*" >&2; }
kafka_fail() {
  printf '%s: %s\n' "$kafka_script" "$*" >&2
  exit 1
}

# True when something accepts TCP connections on 127.0.0.1:$1.
kafka_port_open() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# True when $1 is the PID of a live Kafka broker started with the config $2 (guards against a stale
# PID file whose number the kernel has since given to an unrelated process).
kafka_is_broker() {
  local pid=$1 config=$2 cmdline
  [[ -r /proc/$pid/cmdline ]] || return 1
  cmdline="$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)" || return 1
  [[ $cmdline == *kafka.Kafka* && $cmdline == *"$config"* ]]
}
