import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { repoRoot } from "../index.js";
import { KAFKA_INFRA_DIR, type KafkaScriptOptions } from "./kafka-scripts.js";

/** The oldest Java the pinned Kafka 4.x broker runs on. */
export const MIN_JAVA_MAJOR = 17;

/**
 * Why tests that need a real Kafka broker cannot run here, or `false` when they can: the value for
 * node:test's `{ skip }`. It checks what {@link startKafka} needs, in the order a person fixes it:
 * a Java 17+ runtime (JAVA_HOME, else `java` on PATH, as the scripts pick it), then the broker's jars
 * in the cache that infra/kafka/fetch.sh fills (asked of `fetch.sh --check`, so the answer cannot
 * drift from the scripts). A machine without them then shows skipped tests with the fix, never a
 * failure deep inside a test or a silent pass.
 */
export function kafkaSkipReason(options: KafkaScriptOptions = {}): string | false {
  const env = options.env ?? process.env;
  const javaHome = env.JAVA_HOME;
  const java = javaHome !== undefined && javaHome !== "" ? join(javaHome, "bin", "java") : "java";
  const probe = spawnSync(java, ["-version"], { env, encoding: "utf8", timeout: 30_000 });
  if (probe.error !== undefined || probe.status !== 0) {
    const where = java === "java" ? "no `java` on PATH" : `${java} (from JAVA_HOME) does not run`;
    return `Kafka tests need Java ${MIN_JAVA_MAJOR}+, but ${where}; install a JDK (e.g. openjdk-17-jre-headless) or set JAVA_HOME`;
  }
  const major = javaMajor(probe.stderr);
  if (major !== undefined && major < MIN_JAVA_MAJOR) {
    return `Kafka tests need Java ${MIN_JAVA_MAJOR}+, but ${java} is Java ${major}; install a newer JDK or set JAVA_HOME`;
  }
  const script = join(options.root ?? repoRoot(), KAFKA_INFRA_DIR, "fetch.sh");
  const check = spawnSync("bash", [script, "--check"], { env, encoding: "utf8", timeout: 30_000 });
  if (check.error !== undefined || check.status !== 0) {
    const said = check.stderr.trim().replace(/^fetch-kafka: /, "");
    const why = said || `${script} --check failed (${check.error?.message ?? `exit ${check.status}`})`;
    return `Kafka tests need the broker's jars: ${why} (once; it needs Maven and Maven Central)`;
  }
  return false;
}

/** The major version in `java -version` output ("17.0.15" → 17, "1.8.0_392" → 8), if it says one. */
export function javaMajor(versionOutput: string): number | undefined {
  const match = /version "(\d+)(?:\.(\d+))?/.exec(versionOutput);
  if (match === null) return undefined;
  const first = Number(match[1]);
  return first === 1 && match[2] !== undefined ? Number(match[2]) : first;
}
