import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { isIsaraError, sampleId } from "@isara/core";
import { packageRootOf } from "@isara/kit";
import { DeadLetter, PromptWork } from "./gen/isara/v1/topics.js";
import { decodeTopicMessage, encodeTopicMessage, topicKey } from "./topic-codec.js";
import { retentionMs, TOPIC_LIST, TOPICS } from "./topics.js";

const _here = dirname(fileURLToPath(import.meta.url));
const catalogue = resolve(packageRootOf(import.meta.url), "../../docs/topics.md");

/** Rows of the catalogue table in docs/topics.md, by topic name: the cells after the name. */
function documentedTopics(): Map<string, string[]> {
  const rows = new Map<string, string[]>();
  for (const line of readFileSync(catalogue, "utf8").split("\n")) {
    const cells = line.split("|").map((c) => c.trim().replaceAll("`", ""));
    const name = cells[1];
    if (cells.length === 10 && name?.startsWith("isara.")) rows.set(name, cells.slice(2, 9));
  }
  return rows;
}

test("docs/topics.md lists exactly the catalogue's topics, with the same message, producer, consumers, partitions, retention and dead-letter topic", () => {
  const documented = documentedTopics();
  assert.deepEqual([...documented.keys()].sort(), TOPIC_LIST.map((t) => t.name).sort());
  for (const t of TOPIC_LIST) {
    const expected = [
      t.message.replace("isara.v1.", ""),
      t.producer,
      t.consumers.length === 0 ? "—" : t.consumers.join(", "),
      "run id",
      String(t.partitions),
      `${t.retentionDays} days`,
      t.deadLetter ?? "—",
    ];
    assert.deepEqual(documented.get(t.name), expected, t.name);
  }
});

test("every consumed topic has a dead-letter topic that exists in the catalogue and carries DeadLetter", () => {
  const byName = new Map(TOPIC_LIST.map((t) => [t.name, t]));
  for (const t of TOPIC_LIST) {
    if (t.deadLetter === null) {
      assert.equal(t.message, "isara.v1.DeadLetter", `${t.name} has no dead-letter topic`);
      continue;
    }
    assert.equal(byName.get(t.deadLetter)?.message, "isara.v1.DeadLetter", `${t.name} -> ${t.deadLetter}`);
  }
  assert.equal(retentionMs(TOPICS.runEvents), 30 * 24 * 60 * 60 * 1000);
});

test("a work message is keyed by its run and survives the topic's codec", () => {
  const context = { run: "run-1", domain: "truthful", round: 2, correlationId: "req-1" };
  const work = PromptWork.fromPartial({
    context,
    idempotencyKey: sampleId("run-1", 2, 5),
    slot: 5,
    quotas: [7, 1],
    demoSeed: 4_000_000_000,
    samplingSeed: 17,
    sampling: { maxTokens: 200, temperature: 0.7, topP: 0.9, repetitionPenalty: 1.05 },
    promptBudgetTokens: 2000,
    model: { baseModel: "SmolLM2-135M-Instruct", adapter: "run-1/1/train" },
  });
  assert.equal(topicKey(work.context), "run-1");
  assert.deepEqual(decodeTopicMessage(TOPICS.promptWork, encodeTopicMessage(TOPICS.promptWork, work)), work);
  assert.throws(
    () => topicKey(undefined),
    (err: unknown) => isIsaraError(err, "invalid_argument"),
  );
});

test("a value that is missing or not the topic's message type is poison: invalid_argument naming the topic", () => {
  const poison = [null, Uint8Array.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f]), Uint8Array.from([0x08])];
  for (const value of poison) {
    assert.throws(
      () => decodeTopicMessage(TOPICS.promptWork, value),
      (err: unknown) => isIsaraError(err, "invalid_argument") && err.message.includes("isara.prompts.work"),
      String(value),
    );
  }
});

test("a dead letter keeps the original payload and key byte for byte", () => {
  const payload = encodeTopicMessage(TOPICS.promptWork, PromptWork.fromPartial({ slot: 3 }));
  const letter = DeadLetter.fromPartial({
    originalTopic: "isara.prompts.work",
    partition: 4,
    offset: "9007199254740993",
    key: Buffer.from("run-1"),
    payload,
    reason: "LLM refused the prompt after 5 attempts",
    error: { code: 7, message: "vLLM unavailable" },
    attempts: 5,
    consumerGroup: "generation",
    failedAt: new Date(Date.UTC(2025, 0, 2, 3, 4, 5, 678)),
  });
  const back = decodeTopicMessage(
    TOPICS.promptsDeadLetter,
    encodeTopicMessage(TOPICS.promptsDeadLetter, letter),
  );
  assert.deepEqual(Buffer.from(back.payload), payload);
  assert.equal(Buffer.from(back.key).toString(), "run-1");
  assert.equal(back.offset, "9007199254740993");
  assert.equal(back.failedAt?.toISOString(), "2025-01-02T03:04:05.678Z");
  assert.equal(decodeTopicMessage(TOPICS.promptWork, back.payload).slot, 3);
});
