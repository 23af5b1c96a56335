# Shared by start.sh and stop.sh (sourced, not run): the pinned version, which binary to
# run, and small helpers. Kept in one file so the scripts (and @isara/testkit and @isara/stack, which
# call them) cannot disagree about where the binary is or how a running server is recognised.
# shellcheck shell=bash

qdrant_here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=versions.env
source "$qdrant_here/versions.env"
: "${QDRANT_VERSION:?versions.env must set QDRANT_VERSION}"

# QDRANT_BIN wins; else the binary kept next to the repository (../shared/bin/qdrant from its root),
# which no package registry ships and a user's clone does not have.
qdrant_default_bin="$(cd "$qdrant_here/../../.." && pwd)/shared/bin/qdrant"
qdrant_bin="${QDRANT_BIN:-$qdrant_default_bin}"

qdrant_say() { printf '%s: %s\n' "$qdrant_script" "$*" >&2; }
qdrant_fail() {
  printf '%s: %s\n' "$qdrant_script" "$*" >&2
  exit 1
}

# Why $qdrant_bin cannot be run (printed), or nothing and status 0 when it is the pinned version.
qdrant_check_bin() {
  local from="from QDRANT_BIN" version
  [[ -n ${QDRANT_BIN:-} ]] || from="the default, ../shared/bin/qdrant from the repository root"
  if [[ ! -e $qdrant_bin ]]; then
    echo "no Qdrant server binary at $qdrant_bin ($from); set QDRANT_BIN to a qdrant $QDRANT_VERSION binary"
    return 1
  fi
  [[ -x $qdrant_bin ]] || { echo "$qdrant_bin ($from) is not executable; chmod +x it"; return 1; }
  version="$("$qdrant_bin" --version 2>&1)" || { echo "$qdrant_bin --version failed: $version"; return 1; }
  [[ $version == "qdrant $QDRANT_VERSION" ]] ||
    { echo "$qdrant_bin is '$version', not qdrant $QDRANT_VERSION (infra/qdrant/versions.env)"; return 1; }
}

# True when something accepts TCP connections on 127.0.0.1:$1.
qdrant_port_open() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# True when GET /readyz on 127.0.0.1:$1 answers 200 (every shard loaded, the server takes requests).
qdrant_ready() {
  local status
  status="$(
    exec 2>/dev/null
    exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
    printf 'GET /readyz HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' >&3
    timeout 5 head -n1 <&3
  )" || return 1
  [[ $status == "HTTP/"*" 200"* ]]
}

# True when $1 is the PID of a live Qdrant started on the data folder $2: its working directory is the
# folder (start.sh runs it there), which guards against a stale PID file whose number the kernel has
# since given to another process.
qdrant_is_server() {
  local pid=$1 dir=$2 cwd
  [[ -r /proc/$pid/cmdline ]] || return 1
  cwd="$(readlink "/proc/$pid/cwd" 2>/dev/null)" || return 1
  [[ $cwd == "$dir" ]] && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q qdrant
}
