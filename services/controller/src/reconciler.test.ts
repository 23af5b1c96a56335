/**
 * The reconciler without Kafka: a recording publisher stands in for the broker (a test double: the
 * real broker is exercised in app.kafka.test.ts), the test-double workers answer the work it
 * records, and the stores are the real file stores over a temporary folder.
 */
import assert from "node:assert/strict";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import {
  type DeadLetter,
  DeadLetter as DeadLetterCodec,
  decodeTopicMessage,
  ErrorCode,
  RunLifecycle,
  RunMode,
  type RunSpec,
  TOPICS,
} from "@isara/contracts";
import { IsaraError, isIsaraError, type RunState, sampleId } from "@isara/core";
import type { OutgoingMessage } from "@isara/kafka-kit";
import { createMetrics, createRootLogger } from "@isara/kit";
import { controllerStores, tinyConfig, writeDomain } from "../testing/test-fixtures.js";
import { incomingOf, respondTo } from "../testing/test-workers.js";
import type { TenantLimits } from "./admission.js";
import { Reconciler } from "./reconciler.js";
import { checkSpec } from "./run-spec.js";
import type { SeedStore } from "./seed-store.js";
import { createControllerMetrics } from "./service-metrics.js";

let dir: string;
let domainsDir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), "isara-controller-"));
  domainsDir = join(dir, "domains");
  await writeDomain(domainsDir, "alpha");
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const logger = createRootLogger({ level: "silent", name: "controller-test" });

/**
 * TEST DOUBLE of the retrieval service's seed store (the real client is tested against the real
 * retrieval service in seed-store.test.ts): records the seeds it is given, or is down.
 */
function recordingSeedStore() {
  const stored: { run: string; ids: string[]; setIndexes: number[] }[] = [];
  let down = false;
  const store: SeedStore = {
    async storeSeeds(context, seeds) {
      if (down)
        throw new IsaraError("unavailable", "RetrievalService.Upsert failed (UNAVAILABLE); retry later");
      stored.push({
        run: context.run,
        ids: seeds.map((s) => s.id),
        setIndexes: seeds.map((s) => s.setIndex),
      });
    },
    close() {},
  };
  return { store, stored, setDown: (value: boolean) => (down = value) };
}

/**
 * A controller over `root` whose publisher records what it sends; `filterJudge`: FILTER_JUDGE;
 * `workWindow`: WORK_WINDOW (default large enough to release every slot at once); `stallTimeoutMs`:
 * STALL_TIMEOUT (the periodic check is off: a test calls `republishStalled`). The clock stands still
 * until a test moves it with `advance`.
 */
function controller(
  root: string,
  options: {
    filterJudge?: boolean;
    workWindow?: number;
    stallTimeoutMs?: number;
    tenantLimits?: TenantLimits;
  } = {},
) {
  const published: OutgoingMessage[] = [];
  const registry = createMetrics({ prefix: "isara_" });
  let now = Date.parse("2025-01-01T00:00:00Z");
  const stores = controllerStores(root);
  const seeds = recordingSeedStore();
  /** Which records the "broker" refuses: none, all (Kafka away), or a chosen kind. */
  let refused: (record: OutgoingMessage) => boolean = () => false;
  const reconciler: Reconciler = new Reconciler({
    ...stores,
    publish: async (records) => {
      if (records.some(refused))
        throw new IsaraError("unavailable", "Kafka is unavailable (broker away); retry later");
      published.push(...records);
    },
    pendingRetry: { attempts: 1, initialDelayMs: 20, maxDelayMs: 50 },
    clock: { now: () => now },
    adapterReference: "gguf",
    logger,
    domains: { domainsDir },
    defaultBaseModel: "tiny-base",
    seeds: seeds.store,
    filterJudge: options.filterJudge ?? false,
    workWindow: options.workWindow ?? 1000,
    ...(options.stallTimeoutMs === undefined ? {} : { stallTimeoutMs: options.stallTimeoutMs }),
    ...(options.tenantLimits === undefined ? {} : { tenantLimits: options.tenantLimits }),
    metrics: createControllerMetrics(registry, (): Record<string, number> => reconciler.countByStatus()),
  });
  const advance = (ms: number) => {
    now += ms;
  };
  /** Answers every work record not answered yet (each result `copies` times) until none is left. */
  async function pump(options: { copies?: number; skip?: (record: OutgoingMessage) => boolean } = {}) {
    let answered = 0;
    while (answered < published.length) {
      const record = published[answered++];
      if (record === undefined || options.skip?.(record)) continue;
      for (const result of await respondTo(record, stores.artifacts)) {
        for (let i = 0; i < (options.copies ?? 1); i++) await reconciler.apply(incomingOf(result));
      }
    }
  }
  const on = (topic: string) => published.filter((r) => r.topic === topic);
  const setKafkaDown = (value: boolean) => {
    refused = () => value;
  };
  /** The broker goes away after the run's events went out and before its work does. */
  const refuseWork = () => {
    refused = (record) => record.topic !== TOPICS.runEvents.name;
  };
  return { reconciler, published, pump, on, seeds, setKafkaDown, refuseWork, advance, registry, ...stores };
}

const spec = (runId: string, mode = RunMode.ISARA, tenant?: string): RunSpec => ({
  runId,
  domain: { name: "alpha", source: "" },
  mode,
  overrides: undefined,
  ...(tenant === undefined ? {} : { tenant }),
});

async function lines(path: string): Promise<unknown[]> {
  return (await readFile(path, "utf8"))
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l));
}

test("drives a run to done, counting each slot once even when every result comes twice", async () => {
  const root = join(dir, "a");
  const c = controller(root);
  const { run, created } = await c.reconciler.create(checkSpec(spec("alpha-1")), "req-create");
  assert.equal(created, true);
  assert.equal(run.runId, "alpha-1");
  assert.equal(c.on(TOPICS.evalWork.name).length, 1, "round 0's baseline evaluation is asked for at once");
  assert.deepEqual(c.seeds.stored, [
    {
      run: "alpha-1",
      ids: Array.from({ length: 8 }, (_, slot) => sampleId("alpha-1", 0, slot)),
      setIndexes: Array.from({ length: 8 }, () => 0),
    },
  ]);

  await c.pump({ copies: 2 });
  const state = (await c.runStore.load("alpha-1")) as RunState;
  assert.equal(state.status, "done");
  assert.equal(state.stopReason !== null, true);
  const round1 = state.rounds[1];
  assert.deepEqual(round1?.prompts, { written: 4 });
  assert.deepEqual(round1?.answers, { written: 4 });
  assert.deepEqual(round1?.filter, { written: 4, accepted: 2, rejectedBy: { "min-words": 2 } });
  assert.equal(round1?.training?.adapter, "alpha-1/round-1/train");

  const events = c
    .on(TOPICS.runEvents.name)
    .map((r) => decodeTopicMessage(TOPICS.runEvents, r.value).idempotencyKey);
  assert.deepEqual(events, [
    "alpha-1/0/evaluate",
    "alpha-1/1/prompts",
    "alpha-1/1/answers",
    "alpha-1/1/filter",
    "alpha-1/1/train",
    "alpha-1/1/evaluate",
  ]);
  assert.deepEqual(
    [TOPICS.promptWork, TOPICS.answerWork, TOPICS.filterWork, TOPICS.trainWork, TOPICS.evalWork].map(
      (t) => c.on(t.name).length,
    ),
    [4, 4, 1, 1, 2],
    "every work message once",
  );
  const lastEval = c.on(TOPICS.evalWork.name).at(-1);
  assert.ok(lastEval);
  assert.deepEqual(decodeTopicMessage(TOPICS.evalWork, lastEval.value).model, {
    baseModel: "tiny-base",
    adapter: "alpha-1/round-1/train/adapter.gguf",
  });
  assert.ok(
    c.published.every((r) => r.key === "alpha-1"),
    "every record is keyed by the run id",
  );

  const folder = join(root, "alpha-1");
  assert.equal((await lines(join(folder, "round-1/prompts.jsonl"))).length, 4);
  assert.equal((await lines(join(folder, "round-1/candidates.jsonl"))).length, 4);
  assert.equal((await lines(join(folder, "round-1/accepted.jsonl"))).length, 2);
  assert.equal((await lines(join(folder, "round-1/rejected.jsonl"))).length, 2);
  for (const phase of ["prompts", "answers", "filter"]) {
    assert.equal(
      (await lines(join(folder, `controller/round-1/${phase}.jsonl`))).length,
      4,
      `${phase}: 4 slots, once each`,
    );
  }
  const metrics = JSON.parse(await readFile(join(folder, "metrics.json"), "utf8"));
  assert.equal(metrics.status, "done");
  assert.equal(metrics.model, "tiny-base");
  assert.deepEqual(metrics.rounds[1].losses, [1, 0.7, 0.5]);
  assert.equal(metrics.rounds[1].accepted, 2);
  const snapshot = JSON.parse(await readFile(join(folder, "domain/domain.json"), "utf8"));
  assert.equal(snapshot.isara.promptsPerRound, 4);
  assert.equal(snapshot.filter.minWords, 5, "the snapshot holds the effective config, defaults filled");
});

test("a restarted controller resumes: only the missing slots are asked for again, each slot ends once", async () => {
  const root = join(dir, "restart");
  const first = controller(root);
  await first.reconciler.create(checkSpec(spec("alpha-2")), "req-2");
  // Answer everything up to the prompts phase, and the prompts of slots 0 and 1 only.
  await first.pump({
    skip: (r) =>
      r.topic === TOPICS.promptWork.name && decodeTopicMessage(TOPICS.promptWork, r.value).slot >= 2,
  });
  assert.equal(first.reconciler.status(first.reconciler.entry("alpha-2")).progress?.done, 2);

  const second = controller(root);
  const report = await second.reconciler.load();
  assert.deepEqual(report, { loaded: 1, resumed: 1, queued: 0, broken: [] });
  assert.deepEqual(
    second.on(TOPICS.promptWork.name).map((r) => decodeTopicMessage(TOPICS.promptWork, r.value).slot),
    [2, 3],
    "the restarted controller republishes the outstanding work only",
  );
  // The first controller's results for slots 0 and 1 arrive again (redelivery): nothing changes.
  for (const r of first.published.filter((p) => p.topic === TOPICS.promptWork.name).slice(0, 2)) {
    for (const result of await respondTo(r, second.artifacts)) {
      assert.equal(await second.reconciler.apply(incomingOf(result)), "duplicate");
    }
  }
  await second.pump();
  const state = (await second.runStore.load("alpha-2")) as RunState;
  assert.equal(state.status, "done");
  assert.deepEqual(state.rounds[1]?.prompts, { written: 4 });
  assert.equal((await lines(join(root, "alpha-2/controller/round-1/prompts.jsonl"))).length, 4);
});

test("a stage's dead letter fails the run with its reason; results after that change nothing", async () => {
  const c = controller(join(dir, "dlq"));
  await c.reconciler.create(checkSpec(spec("alpha-3")), "req-3");
  await c.pump({ skip: (r) => r.topic === TOPICS.promptWork.name });
  const letter: DeadLetter = {
    originalTopic: TOPICS.promptWork.name,
    partition: 3,
    offset: "9",
    key: Buffer.from("alpha-3"),
    payload: Buffer.alloc(0),
    reason: "gave up after 8 attempts (unavailable): the LLM is down",
    error: { code: ErrorCode.UNAVAILABLE, message: "the LLM is down" },
    attempts: 8,
    consumerGroup: "generation",
    context: { run: "alpha-3", domain: "alpha", round: 1, correlationId: "req-3" },
    failedAt: new Date(0),
  };
  const record = {
    topic: TOPICS.promptsDeadLetter.name,
    value: Buffer.from(DeadLetterCodec.encode(letter).finish()),
  };
  assert.equal(await c.reconciler.apply(incomingOf(record)), "failed");
  const status = c.reconciler.status(c.reconciler.entry("alpha-3"));
  assert.equal(status.error?.code, ErrorCode.UNAVAILABLE);
  assert.match(
    status.error?.message ?? "",
    /generation gave up on a isara.prompts.work message .* the LLM is down/,
  );
  const failed = c.on(TOPICS.runEvents.name).at(-1);
  assert.ok(failed);
  const event = decodeTopicMessage(TOPICS.runEvents, failed.value);
  assert.equal(event.event?.$case, "failed");
  assert.equal(event.idempotencyKey, "dead-letter/isara.prompts.work/3/9");

  assert.equal(
    await c.reconciler.apply(incomingOf(record)),
    "inactive",
    "the same letter again fails nothing twice",
  );
  const [work] = c.on(TOPICS.promptWork.name);
  assert.ok(work);
  const [late] = await respondTo(work, c.artifacts);
  assert.ok(late);
  assert.equal(await c.reconciler.apply(incomingOf(late)), "inactive");
  assert.equal((await c.runStore.load("alpha-3"))?.status, "failed");

  // RetryRun: the run resumes at the failed step; its missing prompt work goes out again.
  const before = c.on(TOPICS.promptWork.name).length;
  const resumed = await c.reconciler.retry("alpha-3", "the LLM is back", "req-retry");
  assert.equal(resumed.lifecycle, RunLifecycle.RUNNING);
  assert.equal(resumed.error, undefined);
  const again = c.on(TOPICS.promptWork.name).slice(before);
  assert.deepEqual(
    again.map((r) => decodeTopicMessage(TOPICS.promptWork, r.value).slot),
    [0, 1, 2, 3],
  );
  const resumedEvent = decodeTopicMessage(
    TOPICS.runEvents,
    c.on(TOPICS.runEvents.name).at(-1)?.value ?? Buffer.alloc(0),
  );
  assert.equal(resumedEvent.event?.$case, "resumed");
  assert.equal(resumedEvent.idempotencyKey, "retry/req-retry");
  assert.equal(
    (await c.reconciler.retry("alpha-3", "again", "req-retry-2")).lifecycle,
    RunLifecycle.RUNNING,
    "retrying a running run returns it unchanged",
  );
  assert.equal(c.on(TOPICS.promptWork.name).length, before + 4, "and publishes nothing more");
  await c.pump();
  assert.equal((await c.runStore.load("alpha-3"))?.status, "done");
  await assert.rejects(c.reconciler.retry("alpha-3", "", "req-retry-3"), (err: unknown) => {
    assert.ok(isIsaraError(err));
    assert.equal(err.code, "failed_precondition");
    assert.match(err.message, /run alpha-3 is done; only a failed run can be retried/);
    return true;
  });
});

test("a result the state machine refuses fails the run with the reason instead of hanging", async () => {
  const c = controller(join(dir, "refused"));
  await c.reconciler.create(checkSpec(spec("alpha-4")), "req-4");
  const [work] = c.on(TOPICS.evalWork.name);
  assert.ok(work);
  const w = decodeTopicMessage(TOPICS.evalWork, work.value);
  const done = await c.reconciler.apply({
    kind: "row",
    context: w.context ?? { run: "", domain: "", round: 0, correlationId: "" },
    phase: "evaluate",
    row: { slot: 0, metrics: { bleu: 0.3 }, items: 2, resultsKey: w.resultsKey },
  });
  assert.equal(done, "recorded");
  const status = c.reconciler.status(c.reconciler.entry("alpha-4"));
  assert.equal(status.error?.code, ErrorCode.INVALID_ARGUMENT);
  assert.match(status.error?.message ?? "", /stop.metric "rougeL_diff" is not among the metrics/);
});

test("CreateRun refuses a bad domain with every problem and stores nothing; same spec is idempotent, another conflicts", async () => {
  const root = join(dir, "create");
  await writeDomain(domainsDir, "broken", {
    config: JSON.stringify({ name: "broken", isara: { rounds: 0 } }),
    seeds: '{"prompt": "only one", "response": "seed"}\n{"prompt": ""}\n',
  });
  const c = controller(root);
  await assert.rejects(
    c.reconciler.create(checkSpec({ ...spec("broken-1"), domain: { name: "broken", source: "" } }), "req"),
    (err) =>
      isIsaraError(err, "invalid_argument") &&
      /isara.rounds/.test(err.message) &&
      /seeds.jsonl/.test(err.message) &&
      Array.isArray(err.details) &&
      err.details.length >= 3,
  );
  await assert.rejects(
    c.reconciler.create(checkSpec({ ...spec("ghost-1"), domain: { name: "ghost", source: "" } }), "req"),
    (err) => isIsaraError(err, "not_found") && /domain "ghost" is not registered/.test(err.message),
  );
  await assert.rejects(
    c.reconciler.create(checkSpec({ ...spec("alpha-x"), overrides: { rounds: 0 } }), "req"),
    (err) => isIsaraError(err, "invalid_argument") && /spec.overrides.rounds/.test(err.message),
  );
  assert.deepEqual(await readdir(root).catch(() => []), [], "nothing was stored");
  assert.equal(c.published.length, 0, "nothing was published");

  const first = await c.reconciler.create(checkSpec(spec("alpha-5")), "req-a");
  const again = await c.reconciler.create(checkSpec(spec("alpha-5")), "req-b");
  assert.equal(again.created, false);
  assert.deepEqual(again.run, first.run);
  await assert.rejects(
    c.reconciler.create(checkSpec(spec("alpha-5", RunMode.BASE)), "req-c"),
    (err) => isIsaraError(err, "conflict") && /already exists with another spec/.test(err.message),
  );
  const generated = await c.reconciler.create(checkSpec(spec("")), "req-d");
  assert.match(generated.run.runId, /^alpha-[0-9a-f]{8}$/);
});

test("cancelling stops a run: the event is published, later results are ignored, a done run cannot be cancelled", async () => {
  const c = controller(join(dir, "cancel"));
  await c.reconciler.create(checkSpec(spec("alpha-6")), "req-6");
  const cancelled = await c.reconciler.cancel("alpha-6", "changed my mind", "req-cancel");
  assert.equal(cancelled.lifecycle, 4);
  const event = decodeTopicMessage(
    TOPICS.runEvents,
    c.on(TOPICS.runEvents.name).at(-1)?.value ?? Buffer.alloc(0),
  );
  assert.equal(event.event?.$case, "cancelled");
  assert.equal(event.context?.correlationId, "req-cancel");
  assert.deepEqual(
    await c.reconciler.cancel("alpha-6", "again", "req-again"),
    cancelled,
    "cancelling twice changes nothing",
  );
  await c.pump();
  assert.equal((await c.runStore.load("alpha-6"))?.status, "cancelled");

  await c.reconciler.create(checkSpec(spec("alpha-7", RunMode.BASE)), "req-7");
  await c.pump();
  await assert.rejects(c.reconciler.cancel("alpha-7", "too late", "req"), (err) =>
    isIsaraError(err, "failed_precondition"),
  );
  await assert.rejects(c.reconciler.cancel("nobody", "?", "req"), (err) => isIsaraError(err, "not_found"));
  assert.equal(
    await c.reconciler.apply({
      kind: "failure",
      run: "nobody",
      round: 0,
      error: { code: "internal", message: "x" },
      key: "k",
    }),
    "unknown_run",
  );
});

test("a run exists only once its seeds are stored: with retrieval down CreateRun fails and nothing runs", async () => {
  const c = controller(join(dir, "seeds-down"));
  c.seeds.setDown(true);
  await assert.rejects(c.reconciler.create(checkSpec(spec("alpha-8")), "req-8"), (err) =>
    isIsaraError(err, "unavailable"),
  );
  assert.equal(await c.runStore.load("alpha-8"), undefined, "no state: the run does not exist");
  assert.equal(c.published.length, 0, "no work was published");
  assert.throws(
    () => c.reconciler.entry("alpha-8"),
    (err) => isIsaraError(err, "not_found"),
  );
  c.seeds.setDown(false);
  const { created } = await c.reconciler.create(checkSpec(spec("alpha-8")), "req-8b");
  assert.equal(created, true, "the same CreateRun later creates the run");
  assert.equal(c.on(TOPICS.evalWork.name).length, 1);
});

/** Polls `done` every 20 ms; the 10 s deadline is a safety net for a hang, not a timing assertion. */
async function until(done: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!done() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
}

/**
 * Creates `runId` and applies the result of its baseline evaluation while the broker takes the run's
 * event but refuses the next phase's work: the phase completes (saved), its work does not go out.
 * Returns that result, for a redelivery.
 */
async function baselineDoneKafkaGoneBeforeWork(c: ReturnType<typeof controller>, runId: string) {
  await c.reconciler.create(checkSpec(spec(runId)), `req-${runId}`);
  const [baseline] = c.on(TOPICS.evalWork.name);
  assert.ok(baseline);
  const [result] = await respondTo(baseline, c.artifacts);
  assert.ok(result);
  c.refuseWork();
  await assert.rejects(c.reconciler.apply(incomingOf(result)), (err) => isIsaraError(err, "unavailable"));
  return result;
}

test("a run created while Kafka is away gets its work once Kafka is back, without another CreateRun", async () => {
  const c = controller(join(dir, "kafka-away"));
  c.setKafkaDown(true);
  await assert.rejects(c.reconciler.create(checkSpec(spec("alpha-9")), "req-9"), (err) =>
    isIsaraError(err, "unavailable"),
  );
  assert.notEqual(await c.runStore.load("alpha-9"), undefined, "the run exists: its state is saved");
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(c.published.length, 0, "nothing goes out while Kafka is away");
  c.setKafkaDown(false);
  await until(() => c.on(TOPICS.evalWork.name).length > 0);
  assert.equal(c.on(TOPICS.evalWork.name).length, 1, "the run's first work went out by itself");
  await c.pump();
  await c.reconciler.idle();
  assert.equal(c.reconciler.entry("alpha-9").state.status, "done");
  await c.reconciler.close();
});

test("work that a result's phase completion could not publish goes out on the result's redelivery", async () => {
  const c = controller(join(dir, "kafka-away-between"));
  const result = await baselineDoneKafkaGoneBeforeWork(c, "alpha-11");
  assert.equal(c.reconciler.entry("alpha-11").state.phase, "prompts", "the phase completed and was saved");
  assert.equal(c.on(TOPICS.promptWork.name).length, 0, "its work did not go out");
  await c.reconciler.close(); // No timer: only the redelivery publishes here.
  c.setKafkaDown(false);
  assert.equal(await c.reconciler.apply(incomingOf(result)), "stale");
  assert.equal(c.on(TOPICS.promptWork.name).length, 4, "the redelivered result sent the pending work");
});

test("work that a result's phase completion could not publish goes out by itself once Kafka is back", async () => {
  const c = controller(join(dir, "kafka-away-between-timer"));
  await baselineDoneKafkaGoneBeforeWork(c, "alpha-12");
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(c.on(TOPICS.promptWork.name).length, 0, "nothing goes out while Kafka is away");
  c.setKafkaDown(false);
  await until(() => c.on(TOPICS.promptWork.name).length > 0);
  assert.equal(c.on(TOPICS.promptWork.name).length, 4, "the pending work went out without the result");
  await c.pump();
  await c.reconciler.idle();
  assert.equal(c.reconciler.entry("alpha-12").state.status, "done");
  await c.reconciler.close();
});

test("after close, a run's pending work is not published again", async () => {
  const c = controller(join(dir, "kafka-away-closed"));
  c.setKafkaDown(true);
  await assert.rejects(c.reconciler.create(checkSpec(spec("alpha-10")), "req-10"));
  await c.reconciler.close();
  c.setKafkaDown(false);
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(c.published.length, 0);
});

test("CreateRun refuses a chain that names judge-score when the filtering service has no judge, storing nothing", async () => {
  await writeDomain(domainsDir, "judged", {
    config: JSON.stringify({
      ...tinyConfig("judged"),
      filters: [{ name: "min-words" }, { name: "judge-score", minScore: 7 }],
    }),
  });
  const judged = (runId: string, mode = RunMode.ISARA) =>
    checkSpec({ ...spec(runId, mode), domain: { name: "judged", source: "" } });
  const root = join(dir, "judge-door");
  const c = controller(root);
  await assert.rejects(c.reconciler.create(judged("judged-1"), "req"), (err) => {
    assert.ok(isIsaraError(err, "failed_precondition"), String(err));
    assert.match(err.message, /filter "judge-score" needs a judge and this runner has none/);
    assert.match(err.message, /FILTER_JUDGE=true for the controller/);
    assert.deepEqual(err.details, [err.message]);
    return true;
  });
  assert.deepEqual(await readdir(root).catch(() => []), [], "nothing was stored");
  assert.equal(c.published.length, 0, "nothing was published");
  assert.deepEqual(c.seeds.stored, [], "no seeds were stored");

  const base = await c.reconciler.create(judged("judged-base", RunMode.BASE), "req");
  assert.equal(base.created, true, "a mode that never filters does not need the judge");

  const withJudge = controller(join(dir, "judge-door-2"), { filterJudge: true });
  const created = await withJudge.reconciler.create(judged("judged-2"), "req");
  assert.equal(created.created, true);
  assert.equal(withJudge.on(TOPICS.evalWork.name).length, 1, "the run started");
});

/** The slot of a prompt work record. */
const promptSlot = (r: OutgoingMessage) => decodeTopicMessage(TOPICS.promptWork, r.value).slot;

test("a run's per-slot work goes out in windows: never more than WORK_WINDOW slots in flight", async () => {
  await writeDomain(domainsDir, "wide", {
    config: JSON.stringify(tinyConfig("wide", { promptsPerRound: 10 })),
  });
  const c = controller(join(dir, "window"), { workWindow: 3 });
  await c.reconciler.create(checkSpec({ ...spec("wide-1"), domain: { name: "wide", source: "" } }), "req-w");
  const answered = new Set<number>();
  let most = 0;
  for (let i = 0; i < c.published.length; i++) {
    const record = c.published[i] as OutgoingMessage;
    const inFlight = new Set(
      c
        .on(TOPICS.promptWork.name)
        .map(promptSlot)
        .filter((s) => !answered.has(s)),
    );
    most = Math.max(most, inFlight.size);
    if (record.topic === TOPICS.promptWork.name) answered.add(promptSlot(record));
    for (const result of await respondTo(record, c.artifacts)) await c.reconciler.apply(incomingOf(result));
  }
  assert.equal(most, 3, "three prompts in flight at most, and the window was used");
  assert.deepEqual(c.on(TOPICS.promptWork.name).map(promptSlot), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  const state = (await c.runStore.load("wide-1")) as RunState;
  assert.equal(state.status, "done");
  assert.deepEqual(state.rounds[1]?.prompts, { written: 10 });
});

test("a small run's work is served before a big run's backlog drains", async () => {
  await writeDomain(domainsDir, "big", {
    config: JSON.stringify(tinyConfig("big", { promptsPerRound: 40 })),
  });
  await writeDomain(domainsDir, "small");
  /**
   * One stage worker taking work in the order it was published (one partition, as when both runs'
   * keys land on the same one): how many of the big run's prompts were answered when the small
   * run's prompts phase completed.
   */
  async function bigPromptsBeforeSmallIsDone(workWindow: number): Promise<number> {
    const c = controller(join(dir, `fair-${workWindow}`), { workWindow });
    await c.reconciler.create(checkSpec({ ...spec("big-1"), domain: { name: "big", source: "" } }), "r1");
    await c.reconciler.create(checkSpec({ ...spec("small-1"), domain: { name: "small", source: "" } }), "r2");
    let bigPrompts = 0;
    for (let i = 0; i < c.published.length; i++) {
      const record = c.published[i] as OutgoingMessage;
      if (record.topic === TOPICS.promptWork.name && record.key?.toString() === "big-1") bigPrompts++;
      for (const result of await respondTo(record, c.artifacts)) await c.reconciler.apply(incomingOf(result));
      if (c.reconciler.entry("small-1").state.rounds[1]?.prompts) return bigPrompts;
    }
    throw new Error("the small run never finished its prompts");
  }
  assert.equal(await bigPromptsBeforeSmallIsDone(1000), 40, "unwindowed, the small run waits for all 40");
  const windowed = await bigPromptsBeforeSmallIsDone(4);
  assert.ok(windowed <= 8, `windowed, at most two windows of the big run go first (was ${windowed})`);
});

test("work released and never answered is published again after STALL_TIMEOUT, not before", async () => {
  const c = controller(join(dir, "stall"), { workWindow: 2, stallTimeoutMs: 60_000 });
  await c.reconciler.create(checkSpec(spec("alpha-stall")), "req-s");
  let lost = false;
  // Slot 1's prompt work is lost on its way to the stage (the first time only).
  const loseSlot1 = (r: OutgoingMessage) => {
    if (lost || r.topic !== TOPICS.promptWork.name || promptSlot(r) !== 1) return false;
    lost = true;
    return true;
  };
  await c.pump({ skip: loseSlot1 });
  const stuck = c.reconciler.entry("alpha-stall");
  assert.equal(stuck.state.phase, "prompts");
  assert.equal(c.reconciler.status(stuck).progress?.done, 3);
  c.advance(59_000);
  assert.equal(await c.reconciler.republishStalled(), 0, "not stalled yet");
  c.advance(1_000);
  assert.equal(await c.reconciler.republishStalled(), 1);
  assert.deepEqual(c.on(TOPICS.promptWork.name).map(promptSlot).slice(-1), [1]);
  await c.pump();
  const state = (await c.runStore.load("alpha-stall")) as RunState;
  assert.equal(state.status, "done");
  assert.deepEqual(state.rounds[1]?.prompts, { written: 4 });
});

/** Limits of one running run and `queued` waiting runs per tenant, `tenants` with their own. */
const oneAtATime = (queued: number, tenants: [string, number, number][] = []): TenantLimits => ({
  maxRunningRuns: 1,
  maxQueuedRuns: queued,
  tenants: new Map(tenants.map(([t, r, q]) => [t, { maxRunningRuns: r, maxQueuedRuns: q }])),
});

test("admission: a tenant's runs over its running limit wait in order; another tenant's start at once; the next starts when one ends", async () => {
  const c = controller(join(dir, "admission"), { tenantLimits: oneAtATime(2) });
  const create = async (runId: string, tenant?: string) => {
    c.advance(1000); // creation order = queue order
    return (await c.reconciler.create(checkSpec(spec(runId, RunMode.ISARA, tenant)), `req-${runId}`)).run;
  };
  const workOf = (runId: string) =>
    c.published.filter((r) => r.key === runId && r.topic !== TOPICS.runEvents.name);
  const state = async (runId: string) => (await c.runStore.load(runId))?.status;

  const first = await create("acme--first", "acme");
  assert.equal(first.lifecycle, RunLifecycle.RUNNING);
  assert.equal(first.queuePosition, undefined);
  const second = await create("acme--second", "acme");
  assert.equal(second.lifecycle, RunLifecycle.QUEUED);
  assert.equal(second.queuePosition, 1);
  // No explicit tenant: the id's "acme--" prefix names it (the gateway's scoped ids).
  const third = await create("acme--third");
  assert.equal(third.lifecycle, RunLifecycle.QUEUED);
  assert.equal(third.queuePosition, 2);
  assert.equal(await state("acme--second"), "queued", "a queued run is saved");
  assert.equal(
    workOf("acme--second").length + workOf("acme--third").length,
    0,
    "a queued run publishes nothing",
  );

  await assert.rejects(create("acme--fourth", "acme"), (err) => {
    assert.ok(isIsaraError(err, "resource_exhausted"), String(err));
    assert.match(
      err.message,
      /tenant "acme" has 1 run\(s\) running and 2 waiting, its limit of 2 waiting run\(s\)/,
    );
    assert.match(err.message, /TENANT_MAX_RUNNING=1, TENANT_MAX_QUEUED=2/);
    assert.match(
      err.message,
      /TENANT_LIMITS="acme=<running>\/<queued>" \(chart: controller\.tenants\.limits\.acme\)/,
    );
    return true;
  });
  assert.equal(await c.runStore.load("acme--fourth"), undefined, "a refused run is not created");

  const other = await create("globex--only", "globex");
  assert.equal(other.lifecycle, RunLifecycle.RUNNING, "another tenant's run starts at once");
  assert.equal(workOf("globex--only").length, 1);
  assert.deepEqual(c.reconciler.countByStatus(), { queued: 2, running: 2, done: 0, failed: 0, cancelled: 0 });
  assert.match(await c.registry.render(), /isara_controller_queued_runs\{tenant="acme"\} 2/);
  assert.match(await c.registry.render(), /isara_controller_runs\{lifecycle="queued"\} 2/);

  const seen: (number | undefined)[] = [];
  c.reconciler.watch("acme--third", (s) => seen.push(s.queuePosition));

  // The first run goes to done: the oldest waiting run starts and its first work goes out.
  await c.pump({ skip: (r) => r.key !== "acme--first" });
  await c.reconciler.idle();
  assert.equal(await state("acme--first"), "done");
  assert.equal(await state("acme--second"), "running");
  assert.deepEqual(
    workOf("acme--second").map((r) => r.topic),
    [TOPICS.evalWork.name],
    "the started run's first step (round 0's evaluation) is published",
  );
  const waiting = c.reconciler.status(c.reconciler.entry("acme--third"));
  assert.equal(waiting.lifecycle, RunLifecycle.QUEUED);
  assert.equal(waiting.queuePosition, 1, "the places move up");
  assert.deepEqual(seen, [1], "a watcher of a waiting run sees its new place");
  assert.match(await c.registry.render(), /isara_controller_queued_runs\{tenant="acme"\} 1/);
  assert.match(await c.registry.render(), /isara_controller_queue_wait_seconds_count 1/);

  // Cancelling a waiting run takes it out of the queue; the one behind it moves up.
  const fifth = await create("acme--fifth", "acme");
  assert.equal(fifth.queuePosition, 2);
  const cancelled = await c.reconciler.cancel("acme--third", "not needed", "req-cancel-third");
  assert.equal(cancelled.lifecycle, RunLifecycle.CANCELLED);
  assert.equal(cancelled.queuePosition, undefined);
  assert.equal(await state("acme--third"), "cancelled");
  assert.equal(c.reconciler.status(c.reconciler.entry("acme--fifth")).queuePosition, 1);
  await c.reconciler.idle();
  assert.equal(await state("acme--fifth"), "queued", "cancelling a waiting run frees no running place");
  assert.equal(workOf("acme--third").length, 0, "a cancelled waiting run never published work");

  // The running run ends: the last waiting one starts.
  await c.pump({ skip: (r) => r.key !== "acme--second" });
  await c.reconciler.idle();
  assert.equal(await state("acme--second"), "done");
  assert.equal(await state("acme--fifth"), "running");
  await c.pump({ skip: (r) => r.key !== "acme--fifth" });
  assert.equal(await state("acme--fifth"), "done");
  assert.match(await c.registry.render(), /isara_controller_queued_runs\{tenant="acme"\} 0/);
});

test("admission: a tenant's own limits, a failed run frees its place, and no queue refuses at once", async () => {
  const c = controller(join(dir, "admission-own"), {
    tenantLimits: oneAtATime(5, [["big", 2, 0]]),
  });
  const create = (runId: string, tenant: string) =>
    c.reconciler.create(checkSpec(spec(runId, RunMode.ISARA, tenant)), `req-${runId}`);
  assert.equal((await create("big--a", "big")).run.lifecycle, RunLifecycle.RUNNING);
  assert.equal((await create("big--b", "big")).run.lifecycle, RunLifecycle.RUNNING);
  await assert.rejects(
    create("big--c", "big"),
    (err) =>
      isIsaraError(err, "resource_exhausted") &&
      /its limit of 0 waiting run\(s\) \(maxQueuedRuns; TENANT_LIMITS big=2\/0\)/.test(err.message),
  );
  // Runs without a tenant share the tenant "" and the default limits.
  assert.equal((await create("plain-a", "")).run.lifecycle, RunLifecycle.RUNNING);
  const plain = await create("plain-b", "");
  assert.equal(plain.run.lifecycle, RunLifecycle.QUEUED);
  await c.reconciler.apply({
    kind: "failure",
    run: "plain-a",
    round: 0,
    key: "dlq/plain-a",
    error: { code: "unavailable", message: "the evaluator is down" },
  });
  await c.reconciler.idle();
  assert.equal((await c.runStore.load("plain-a"))?.status, "failed");
  assert.equal((await c.runStore.load("plain-b"))?.status, "running", "a failed run holds no place");
  // Retrying the failed run resumes it at once: it was admitted before.
  const retried = await c.reconciler.retry("plain-a", "try again", "req-retry");
  assert.equal(retried.lifecycle, RunLifecycle.RUNNING);
});

test("admission: a restarted controller keeps the queue and starts the next run when room frees; a raised limit starts waiting runs", async () => {
  const root = join(dir, "admission-restart");
  const first = controller(root, { tenantLimits: oneAtATime(5) });
  for (const id of ["acme--a", "acme--b", "acme--c"]) {
    first.advance(1000);
    await first.reconciler.create(checkSpec(spec(id, RunMode.ISARA, "acme")), `req-${id}`);
  }
  await first.reconciler.close();

  const second = controller(root, { tenantLimits: oneAtATime(5) });
  assert.deepEqual(await second.reconciler.load(), { loaded: 3, resumed: 1, queued: 2, broken: [] });
  await second.reconciler.idle();
  const place = (c: typeof second, id: string) => c.reconciler.status(c.reconciler.entry(id)).queuePosition;
  assert.equal(place(second, "acme--b"), 1);
  assert.equal(place(second, "acme--c"), 2);
  assert.deepEqual(
    [...new Set(second.published.map((r) => r.key))],
    ["acme--a"],
    "only the running run's work goes out again",
  );
  await second.pump({ skip: (r) => r.key !== "acme--a" });
  await second.reconciler.idle();
  assert.equal((await second.runStore.load("acme--a"))?.status, "done");
  assert.equal((await second.runStore.load("acme--b"))?.status, "running");
  assert.equal(second.on(TOPICS.evalWork.name).filter((r) => r.key === "acme--b").length, 1);
  assert.equal(place(second, "acme--c"), 1);
  await second.reconciler.close();

  // An operator raised the limit: the waiting run starts when the controller comes back.
  const third = controller(root, { tenantLimits: oneAtATime(5, [["acme", 3, 5]]) });
  assert.equal((await third.reconciler.load()).queued, 1);
  await third.reconciler.idle();
  assert.equal((await third.runStore.load("acme--c"))?.status, "running");
  assert.equal(third.on(TOPICS.evalWork.name).filter((r) => r.key === "acme--c").length, 1);
});

test("a run's tenant: a prefix naming another tenant is refused, the same id under another tenant conflicts, generated ids carry the tenant", async () => {
  const c = controller(join(dir, "tenants"), { tenantLimits: oneAtATime(5) });
  assert.throws(
    () => checkSpec(spec("globex--x", RunMode.ISARA, "acme")),
    (err) =>
      isIsaraError(err, "invalid_argument") &&
      /spec.run_id "globex--x" is scoped to tenant "globex", but spec.tenant is "acme"/.test(err.message),
  );
  await c.reconciler.create(checkSpec(spec("shared-id", RunMode.ISARA, "acme")), "req-a");
  await assert.rejects(
    c.reconciler.create(checkSpec(spec("shared-id", RunMode.ISARA, "globex")), "req-b"),
    (err) =>
      isIsaraError(err, "conflict") &&
      /already exists for tenant "acme", not tenant "globex"/.test(err.message),
  );
  const generated = await c.reconciler.create(checkSpec(spec("", RunMode.ISARA, "acme")), "req-c");
  assert.match(generated.run.runId, /^acme--alpha-[0-9a-f]{8}$/);
  assert.equal(generated.run.lifecycle, RunLifecycle.QUEUED, "it counts under acme");
});
