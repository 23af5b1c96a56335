import assert from "node:assert/strict";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { javaMajor, kafkaSkipReason } from "./kafka-skip-reason.js";

const top = mkdtempSync(join(tmpdir(), "kafka-testkit-skip-"));
after(() => rmSync(top, { recursive: true, force: true }));

/** A JAVA_HOME whose `java -version` prints `versionLine` the way a JDK does (on stderr). */
function fakeJavaHome(name: string, versionLine: string): string {
  const home = join(top, name);
  mkdirSync(join(home, "bin"), { recursive: true });
  writeFileSync(join(home, "bin", "java"), `#!/bin/sh\necho '${versionLine}' >&2\n`);
  chmodSync(join(home, "bin", "java"), 0o755);
  return home;
}

test("javaMajor reads old and new version strings", () => {
  assert.equal(javaMajor('openjdk version "17.0.15" 2025-04-15'), 17);
  assert.equal(javaMajor('openjdk version "21" 2023-09-19'), 21);
  assert.equal(javaMajor('java version "1.8.0_392"'), 8);
  assert.equal(javaMajor("no version here"), undefined);
});

test("no Java at all: the reason says so and how to fix it", () => {
  const reason = kafkaSkipReason({ env: { PATH: join(top, "empty-path") } });
  assert.match(String(reason), /need Java 17\+, but no `java` on PATH/);
  assert.match(String(reason), /JAVA_HOME/);
});

test("a JAVA_HOME that does not hold a JDK is named in the reason", () => {
  const home = join(top, "no-jdk");
  const reason = kafkaSkipReason({ env: { PATH: process.env.PATH, JAVA_HOME: home } });
  assert.match(String(reason), new RegExp(`${join(home, "bin", "java")} \\(from JAVA_HOME\\) does not run`));
});

test("a Java older than 17 is refused by version", () => {
  const home = fakeJavaHome("jdk11", 'openjdk version "11.0.2" 2019-01-15');
  const reason = kafkaSkipReason({ env: { PATH: process.env.PATH, JAVA_HOME: home } });
  assert.match(String(reason), /need Java 17\+, but .* is Java 11/);
});

test("missing jars: the reason names the cache folder and infra/kafka/fetch.sh", () => {
  const home = fakeJavaHome("jdk17", 'openjdk version "17.0.15" 2025-04-15');
  const cache = join(top, "empty-cache");
  const reason = kafkaSkipReason({ env: { PATH: process.env.PATH, JAVA_HOME: home, ISARA_CACHE: cache } });
  assert.match(String(reason), /the broker's jars/);
  assert.match(String(reason), new RegExp(`not in ${join(cache, "kafka")}/[^ ]+/libs`));
  assert.match(String(reason), /run infra\/kafka\/fetch\.sh/);
});

test("jars built from another recipe are reported as stale, not used", () => {
  const home = fakeJavaHome("jdk17b", 'openjdk version "17.0.15" 2025-04-15');
  const cache = join(top, "stale-cache");
  const probe = kafkaSkipReason({ env: { PATH: process.env.PATH, JAVA_HOME: home, ISARA_CACHE: cache } });
  const libs = /not in (\S+\/libs)/.exec(String(probe))?.[1];
  assert.ok(libs !== undefined, `no libs folder in: ${probe}`);
  mkdirSync(libs, { recursive: true });
  writeFileSync(join(libs, ".isara-recipe"), "an older pom\n");
  const reason = kafkaSkipReason({ env: { PATH: process.env.PATH, JAVA_HOME: home, ISARA_CACHE: cache } });
  assert.match(String(reason), /was built from another pom\.xml\/versions\.env; run infra\/kafka\/fetch\.sh/);
});
