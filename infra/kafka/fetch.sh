#!/usr/bin/env bash
# Resolves the Apache Kafka broker (version pinned in versions.env) with all its runtime dependencies
# from Maven Central into one folder of jars, outside the repo:
#   ${ISARA_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/isara}/kafka/<version>/libs
# and prints that folder on stdout (messages go to stderr), so `libs=$(bash infra/kafka/fetch.sh)`.
#
# Maven does the resolving (pom.xml lists the broker and an slf4j binding); its local repository
# (~/.m2) is the download cache, so a rebuild on the same machine downloads nothing.
#
# Idempotent: exits at once when the folder was built from this very pom.xml + versions.env (a hash
# of both is stamped into it). Atomic: the jars are copied into a temporary folder next to the
# destination and renamed into place; concurrent runs take a lock.
#
# Usage: infra/kafka/fetch.sh [--check|--force]
#   --check  fetch nothing; exit 0 and print the folder when it is up to date, else exit 1 saying why
#   --force  rebuild the folder even when it is up to date
# Env:   ISARA_CACHE  cache root (default ${XDG_CACHE_HOME:-$HOME/.cache}/isara)
#        JAVA_HOME    the JDK Maven runs with (default: java on PATH)
set -euo pipefail
kafka_script=fetch-kafka
# shellcheck source=lib.sh
source "$(cd "$(dirname "$0")" && pwd)/lib.sh"

mode="${1:-}"
case "$mode" in
  --check | --force | "") ;;
  *) kafka_fail "unknown argument '$mode' (use --check, --force or nothing)" ;;
esac

if [[ $mode == --check ]]; then
  if kafka_installed; then
    echo "$kafka_libs"
    exit 0
  fi
  if [[ -d $kafka_libs ]]; then
    kafka_fail "$kafka_libs was built from another pom.xml/versions.env; run infra/kafka/fetch.sh"
  fi
  kafka_fail "Kafka $KAFKA_VERSION jars are not in $kafka_libs; run infra/kafka/fetch.sh"
fi

if [[ $mode != --force ]] && kafka_installed; then
  kafka_say "up to date ($kafka_libs)"
  echo "$kafka_libs"
  exit 0
fi

command -v mvn >/dev/null || kafka_fail "no 'mvn' on PATH; install Apache Maven 3.6+ (e.g. apt-get install maven)"
mkdir -p "$kafka_cache/$KAFKA_VERSION"
exec 9>"$kafka_cache/.$KAFKA_VERSION.lock"
flock 9
if [[ $mode != --force ]] && kafka_installed; then
  kafka_say "up to date ($kafka_libs, fetched by a concurrent run)"
  echo "$kafka_libs"
  exit 0
fi

work="$(mktemp -d "$kafka_cache/$KAFKA_VERSION/.libs.XXXXXX")"
trap 'rm -rf "$work"' EXIT

kafka_say "resolving org.apache.kafka:kafka_2.13:$KAFKA_VERSION and its runtime dependencies with Maven"
# Maven's stdout goes to stderr so that this script's stdout is only the folder; the sed drops the
# bare colour resets some Maven builds print even in batch mode.
mvn -B -q --no-transfer-progress -f "$kafka_here/pom.xml" \
  -Dkafka.version="$KAFKA_VERSION" \
  dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$work/libs" </dev/null 2>&1 |
  sed -e 's/\x1b\[[0-9;]*m//g' -e '/^$/d' >&2 ||
  kafka_fail "Maven could not resolve Kafka $KAFKA_VERSION (it needs Maven Central once; see the output above)"

[[ -f $work/libs/kafka_2.13-$KAFKA_VERSION.jar ]] ||
  kafka_fail "Maven finished but kafka_2.13-$KAFKA_VERSION.jar is not among the jars; refusing to install"
# The logging binding must match the slf4j API Kafka was built against, or every log line is lost.
api="$(cd "$work/libs" && ls slf4j-api-*.jar 2>/dev/null)" || kafka_fail "no slf4j-api jar among Kafka's dependencies"
binding="$(cd "$work/libs" && ls slf4j-simple-*.jar 2>/dev/null)" || kafka_fail "no slf4j-simple jar; pom.xml must list it"
[[ ${api#slf4j-api-} == "${binding#slf4j-simple-}" ]] ||
  kafka_fail "Kafka uses $api but pom.xml binds $binding; set slf4j.version in infra/kafka/pom.xml to match"

kafka_recipe >"$work/libs/$kafka_stamp"
# Swap into place: a rename within one file system, so readers see the old folder or the new one.
if [[ -e $kafka_libs ]]; then mv "$kafka_libs" "$work/previous"; fi
mv "$work/libs" "$kafka_libs"
kafka_say "installed Kafka $KAFKA_VERSION: $(find "$kafka_libs" -name '*.jar' | wc -l) jars, $(du -sh "$kafka_libs" | cut -f1)"
echo "$kafka_libs"
