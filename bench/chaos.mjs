#!/usr/bin/env node
/**
 * Chaos benchmark of the distributed mode (not in CI): the local stack on a real broker, the real
 * small model and trainer, two runs of different domains in flight at once, while the broker is
 * restarted `--broker-restarts` times at random moments, every service is killed with SIGKILL once at
 * a random moment (and started again a second later, as a kubelet would), and a competing process
 * keeps both CPU cores busy. The whole round is repeated `--repeats` times on one stack.
 *
 * Reports, per repeat and run: the end state, every slot's fate (ended once, missing, duplicated), the
 * training-set accounting of the fault test, and the time lost per fault against a clean pair of runs
 * measured first in the same invocation, on the same stack, beside the same CPU load. Goal: every
 * run finishes, every slot exactly once. Results and the command: docs/benchmarks.md.
 *
 *   node bench/chaos.mjs [--repeats 10] [--broker-restarts 10] [--seed 1] [--no-hog] [--out runs/bench-chaos]
 */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const { values } = parseArgs({
  options: {
    repeats: { type: "string", default: "10" },
    "broker-restarts": { type: "string", default: "10" },
    seed: { type: "string", default: "1" },
    "no-hog": { type: "boolean", default: false },
    out: { type: "string", default: join(root, "runs/bench-chaos") },
  },
});
const REPEATS = Number(values.repeats);
const RESTARTS = Number(values["broker-restarts"]);
const SLOTS = 6;
const SEEDS = 8;
const out = resolve(values.out);
// A fresh stack every time: runs of an earlier invocation would answer CreateRun of the same ids at once.
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

const dist = (p) => import(join(root, p));
const { distributedSkip, startTestStack } = await dist("tests/dist/distributed/stack-fixture.js");
const { allSamples, assertRoundAccounted, slotFates } = await dist(
  "tests/dist/distributed/run-accounting.js",
);
const { startCpuHog } = await dist("tests/dist/distributed/cpu-hog.js");
const { writeSmallDomain } = await dist("tests/dist/embedded/fixtures.js");
const { START_ORDER } = await dist("packages/stack/dist/index.js");

const skip = distributedSkip();
if (skip) {
  console.error(`chaos: cannot run here: ${skip}`);
  process.exit(2);
}

/** mulberry32: the fault schedule is reproducible from --seed. */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = rng(Number(values.seed));
const log = (line) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${line}`);

const hog = values["no-hog"] ? undefined : startCpuHog();
if (hog) log(`competing CPU load: ${hog.pids.length} busy processes at nice 10`);
const t = await startTestStack({ dir: join(out, "stack") });
let stopping = false;
const cleanup = async () => {
  if (stopping) return;
  stopping = true;
  await t.stop().catch(() => {});
  await hog?.stop();
};
// Ctrl-C, or `kill` from a script that used the benchmark as load: stop the stack (services, Kafka,
// Qdrant) and the hog instead of leaving them running.
process.on("SIGINT", () => void cleanup().then(() => process.exit(130)));
process.on("SIGTERM", () => void cleanup().then(() => process.exit(143)));

try {
  await t.client.uploadDomain(await writeSmallDomain("small", 0));
  await t.client.uploadDomain(await writeSmallDomain("small-two", 20));

  /** Follows a run to its end through the gateway, riding out the gateway's own kill -9. */
  async function follow(id, deadline) {
    for (;;) {
      try {
        return await t.client.waitForRun(id, { timeoutMs: Math.max(0, deadline - Date.now()) });
      } catch (err) {
        // A refused connection (the gateway is being restarted) is not the run's fate; anything else is.
        if (err?.code !== undefined || Date.now() > deadline)
          return { state: "timeout", error: { message: String(err) } };
        await sleep(1000);
      }
    }
  }

  /** Starts the two runs of one repeat, applies `faults` (sorted by `at` ms) while they run. */
  async function pair(tag, faults) {
    const ids = [`${tag}-a`, `${tag}-b`];
    const started = Date.now();
    await t.client.createRun({ domain: "small", runId: ids[0] });
    await t.client.createRun({ domain: "small-two", runId: ids[1] });
    const ends = new Map();
    const watch = Promise.all(
      ids.map(async (id) => {
        const end = await follow(id, started + 30 * 60_000);
        ends.set(id, { end, seconds: (Date.now() - started) / 1000 });
      }),
    );
    const applied = [];
    for (const fault of faults) {
      const wait = started + fault.at - Date.now();
      if (wait > 0) await Promise.race([sleep(wait), watch]);
      if (ends.size === ids.length) break;
      const at = (Date.now() - started) / 1000;
      if (fault.kind === "broker") {
        await t.broker.restart();
      } else {
        await t.stack.kill(fault.kind, "SIGKILL");
        await sleep(1000);
        await t.stack.start(fault.kind);
      }
      applied.push({ kind: fault.kind, at });
      log(
        `${tag}: ${fault.kind === "broker" ? "broker restarted" : `kill -9 ${fault.kind}`} at ${at.toFixed(1)} s`,
      );
    }
    await watch;
    const result = [];
    for (const id of ids) {
      const { end, seconds } = ends.get(id);
      const fates = end.state === "done" ? slotFates(await allSamples(t.client, id, 1), SLOTS) : undefined;
      let accounting = "ok";
      if (end.state !== "done") accounting = `ended ${end.state}: ${JSON.stringify(end.error)}`;
      else
        await assertRoundAccounted(t.client, t.stack, id, SLOTS, SEEDS).catch((err) => {
          accounting = err.message.split("\n")[0];
        });
      result.push({ id, state: end.state, seconds, fates, accounting, faults: applied });
    }
    return result;
  }

  log("baseline: a clean pair of runs beside the same load");
  const baseline = await pair("clean", []);
  const baseSeconds = Math.max(...baseline.map((r) => r.seconds));
  log(`baseline: ${baseSeconds.toFixed(1)} s`);

  const repeats = [];
  for (let r = 1; r <= REPEATS; r++) {
    // Faults at random moments within the clean duration; each service once, the broker RESTARTS times.
    const span = baseSeconds * 1000;
    const faults = [
      ...Array.from({ length: RESTARTS }, () => ({ kind: "broker", at: random() * span })),
      ...START_ORDER.map((kind) => ({ kind, at: random() * span })),
    ].sort((a, b) => a.at - b.at);
    log(`repeat ${r}/${REPEATS}: ${faults.length} faults planned`);
    const runs = await pair(`chaos-${r}`, faults);
    repeats.push(runs);
    for (const run of runs)
      log(`repeat ${r}: ${run.id} ${run.state} in ${run.seconds.toFixed(0)} s, ${run.accounting}`);
    // Written after every repeat, so a long invocation that is stopped still leaves its figures.
    writeFileSync(join(out, "chaos.json"), JSON.stringify({ baseline, baseSeconds, repeats }, null, 2));
  }

  const rows = repeats.flatMap((runs, i) =>
    runs.map((run) => {
      const lost = run.faults.length === 0 ? 0 : (run.seconds - baseSeconds) / run.faults.length;
      const f = run.fates;
      return {
        repeat: i + 1,
        run: run.id,
        state: run.state,
        seconds: run.seconds.toFixed(0),
        faults: run.faults.length,
        "slots once": f ? SLOTS - f.missing.length - f.duplicated.length : "-",
        missing: f ? f.missing.length : "-",
        duplicated: f ? f.duplicated.length : "-",
        "accepted/rejected": f ? `${f.accepted}/${f.rejected}` : "-",
        "lost s/fault": lost.toFixed(1),
        accounting: run.accounting,
      };
    }),
  );
  console.log("\nChaos: two runs at once under broker restarts, kill -9 of every service and CPU load\n");
  console.table(rows);
  const passed = rows.filter((r) => r.accounting === "ok").length;
  const repeatsPassed = repeats.filter((runs) => runs.every((r) => r.accounting === "ok")).length;
  const faults = repeats.flat().reduce((n, r) => n + r.faults.length, 0) / 2;
  const lost = repeats
    .flat()
    .map((r) => (r.faults.length === 0 ? 0 : (r.seconds - baseSeconds) / r.faults.length));
  console.log(
    `\nruns finished with every slot exactly once: ${passed}/${rows.length}; repeats with both runs passing: ${repeatsPassed}/${REPEATS}`,
  );
  console.log(
    `faults applied: ${faults} (${(faults / REPEATS).toFixed(1)} per repeat); clean pair ${baseSeconds.toFixed(0)} s; ` +
      `time lost per fault: median ${median(lost).toFixed(1)} s, max ${Math.max(...lost).toFixed(1)} s`,
  );
  writeFileSync(join(out, "chaos.json"), JSON.stringify({ baseline, baseSeconds, repeats }, null, 2));
  log(`details: ${join(out, "chaos.json")}`);
} finally {
  await cleanup();
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? 0 : s[Math.floor((s.length - 1) / 2)];
}
