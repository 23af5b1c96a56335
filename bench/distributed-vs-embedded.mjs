#!/usr/bin/env node
/**
 * Distributed mode against embedded mode on the same work and model, in the same run: one ISARA
 * round of N prompts on the example domain, first with `isara run` (one process), then through the
 * local stack (Kafka + every service as its own process, driven through the gateway). Prints the
 * time of each phase, samples per second of the round and their ratio (goal: distributed / embedded
 * >= 0.9 on one machine), and Kafka latencies per stage read from the topics themselves: delivery
 * (a message's broker timestamp to a bench consumer receiving it) and work to result (a work
 * message's timestamp to its result's). Not a test; results and the command: docs/benchmarks.md.
 *
 *   node bench/distributed-vs-embedded.mjs [--prompts 32] [--parallel 2] [--out runs/bench-distributed]
 */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const { values } = parseArgs({
  options: {
    prompts: { type: "string", default: "32" },
    parallel: { type: "string", default: "2" },
    domain: { type: "string", default: join(root, "examples/domains/misconceptions") },
    out: { type: "string", default: join(root, "runs/bench-distributed") },
  },
});
const N = Number(values.prompts);
const P = Number(values.parallel);
const out = resolve(values.out);
for (const f of [
  "packages/cli/dist/main.js",
  "packages/stack/dist/index.js",
  "services/gateway/dist/main.js",
]) {
  if (!existsSync(join(root, f))) throw new Error(`${f} is missing; build first (npx turbo run build)`);
}
const { defaultModelPath } = await import(join(root, "packages/llm-llama/dist/index.js"));
const { startStack, createGatewayClient } = await import(join(root, "packages/stack/dist/index.js"));
const contracts = await import(join(root, "packages/contracts/dist/index.js"));
const { Kafka, logLevel } = (await import("kafkajs")).default;
const python = process.env.ISARA_TRAINER_PYTHON ?? join(root, "services/trainer/.venv/bin/python");

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const PHASES = ["prompts", "answers", "filter", "train", "evaluate"];

/** Phase → seconds, from ordered (time, round, phase) observations of phase starts and the end. */
function phaseSeconds(marks, end) {
  const seconds = {};
  for (let i = 0; i < marks.length; i++) {
    const m = marks[i];
    const next = marks[i + 1]?.t ?? end;
    if (m.round === 1) seconds[m.phase] = (seconds[m.phase] ?? 0) + (next - m.t) / 1000;
  }
  return seconds;
}

// ---- embedded: isara run --json, phase starts from its event stream
async function embedded() {
  const marks = [];
  const started = Date.now();
  const child = spawn(
    process.execPath,
    [
      join(root, "packages/cli/dist/main.js"),
      "run",
      values.domain,
      "--mode",
      "isara",
      "--prompts",
      String(N),
      "--rounds",
      "1",
      "--parallel",
      String(P),
      "--python",
      python,
      "--run-dir",
      join(out, "embedded"),
      "--json",
    ],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  let buf = "";
  child.stdout.on("data", (d) => {
    buf += d;
    for (let i = buf.indexOf("\n"); i >= 0; i = buf.indexOf("\n")) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      try {
        const e = JSON.parse(line);
        if (e.type === "phase-start") marks.push({ t: Date.now(), round: e.round, phase: e.phase });
      } catch {}
    }
  });
  const code = await new Promise((r) => child.on("exit", r));
  if (code !== 0) throw new Error(`embedded run exited ${code}`);
  const end = Date.now();
  return { total: (end - started) / 1000, phases: phaseSeconds(marks, end) };
}

// ---- distributed: the local stack, driven through the gateway, watched on Kafka
async function distributed() {
  const stack = await startStack({
    root,
    dir: join(out, "stack"),
    modelPath: defaultModelPath(),
    trainerPython: python,
    llmParallel: P,
    log: (l) => process.stderr.write(`${l}\n`),
  });
  const records = [];
  const kafka = new Kafka({ clientId: "bench", brokers: [stack.kafkaBootstrap], logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: `bench-${Date.now()}` });
  try {
    const client = createGatewayClient(stack.gatewayUrl, stack.token);
    const domain = await client.uploadDomain(values.domain);
    await consumer.connect();
    const topics = Object.values(contracts.TOPICS).filter((t) => !t.name.endsWith(".dlq"));
    await consumer.subscribe({ topics: topics.map((t) => t.name), fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ topic, message }) => {
        const spec = topics.find((t) => t.name === topic);
        const value = contracts.decodeTopicMessage(spec, message.value);
        records.push({
          topic,
          produced: Number(message.timestamp),
          received: Date.now(),
          key: value.idempotencyKey,
          round: value.context?.round,
        });
      },
    });
    const marks = [];
    const started = Date.now();
    await client.createRun({ domain, runId: "bench", overrides: { promptsPerRound: N, rounds: 1 } });
    let last = "";
    for (;;) {
      const run = await client.getRun("bench").catch(() => undefined);
      if (run?.phase && `${run.round}/${run.phase}` !== last) {
        last = `${run.round}/${run.phase}`;
        marks.push({ t: Date.now(), round: run.round, phase: run.phase });
      }
      if (run && run.state !== "running") {
        if (run.state !== "done")
          throw new Error(`distributed run ended ${run.state}: ${JSON.stringify(run.error)}`);
        break;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    const end = Date.now();
    await new Promise((r) => setTimeout(r, 2000));
    return { total: (end - started) / 1000, phases: phaseSeconds(marks, end), records };
  } finally {
    await consumer.disconnect().catch(() => {});
    await stack.stop();
  }
}

const pct = (xs, p) => {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};

/** Per stage: delivery latency of its work and result messages, and work → result per item. */
function kafkaLatency(records) {
  const stages = [
    ["prompts", "isara.prompts.work", "isara.prompts.written"],
    ["answers", "isara.answers.work", "isara.answers.written"],
    ["filter", "isara.filter.work", "isara.samples.judged"],
    ["train", "isara.train.work", "isara.train.done"],
    ["evaluate", "isara.eval.work", "isara.eval.done"],
  ];
  return stages.map(([stage, work, result]) => {
    const works = records.filter((r) => r.topic === work);
    const results = records.filter((r) => r.topic === result);
    const delivery = [...works, ...results].map((r) => r.received - r.produced);
    const firstWork = new Map();
    for (const w of works) if (!firstWork.has(w.key)) firstWork.set(w.key, w.produced);
    const byRound = new Map();
    for (const w of works) if (!byRound.has(w.round)) byRound.set(w.round, w.produced);
    const turnaround = results
      .map(
        (r) =>
          r.produced -
          (firstWork.get(r.key) ?? (stage === "filter" ? byRound.get(r.round) : undefined) ?? NaN),
      )
      .filter((x) => Number.isFinite(x));
    return { stage, messages: works.length + results.length, delivery, turnaround };
  });
}

const e = await embedded();
const d = await distributed();
const generated = (phases) => (phases.prompts ?? 0) + (phases.answers ?? 0) + (phases.filter ?? 0);
const rows = [];
for (const phase of PHASES) {
  const a = e.phases[phase],
    b = d.phases[phase];
  if (a === undefined && b === undefined) continue;
  rows.push([`round 1 ${phase} (s)`, a?.toFixed(1), b?.toFixed(1), a && b ? (a / b).toFixed(2) : ""]);
}
const eSps = N / generated(e.phases),
  dSps = N / generated(d.phases);
const eR = N / Object.values(e.phases).reduce((x, y) => x + y, 0),
  dR = N / Object.values(d.phases).reduce((x, y) => x + y, 0);
rows.push(["samples/s, prompts→filter", eSps.toFixed(3), dSps.toFixed(3), (dSps / eSps).toFixed(2)]);
rows.push(["samples/s, whole round 1", eR.toFixed(3), dR.toFixed(3), (dR / eR).toFixed(2)]);
rows.push([
  "whole run incl. baseline eval (s)",
  e.total.toFixed(1),
  d.total.toFixed(1),
  (e.total / d.total).toFixed(2),
]);

let md = `One ISARA round, N=${N} prompts, ${P} sequences at once, same model and domain, same machine, same run.\n\n`;
md += "| measure | embedded | distributed | distributed speed / embedded |\n|---|---|---|---|\n";
for (const r of rows) md += `| ${r.join(" | ")} |\n`;
md +=
  "\nKafka latency per stage (ms): delivery = broker timestamp to a bench consumer; work→result = a work message to its result message (queueing + processing).\n\n";
md +=
  "| stage | messages | delivery p50 | delivery p95 | work→result p50 | work→result p95 |\n|---|---|---|---|---|---|\n";
for (const s of kafkaLatency(d.records)) {
  md += `| ${s.stage} | ${s.messages} | ${pct(s.delivery, 50)} | ${pct(s.delivery, 95)} | ${pct(s.turnaround, 50)} | ${pct(s.turnaround, 95)} |\n`;
}
writeFileSync(join(out, "result.md"), md);
writeFileSync(
  join(out, "result.json"),
  JSON.stringify({ N, P, embedded: e, distributed: { ...d, records: undefined } }, null, 2),
);
process.stdout.write(md);
