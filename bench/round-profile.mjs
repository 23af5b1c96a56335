// Round profile: wall time and peak memory of one full embedded run (`isara run`, one round by default
// on the example domain), split by phase, for the node process and, separately, for its child
// processes (the Python trainer). Results and how to read them: docs/benchmarks.md.
//
// It starts `node packages/cli/dist/main.js run <domain> --run-dir <dir> --json`, stamps each JSON event
// line with the time it arrived, and every --interval ms reads /proc: the CLI's resident memory (VmRSS)
// and the summed resident memory of all its descendants (VmRSS, or VmHWM when larger: the peak a child
// reached since it started, so a short-lived trainer's peak is not missed between two polls). Samples are
// assigned to the phase whose phase-start/phase-done window holds them; time before the first phase is
// "startup" (loading models, embedding the seeds), time after the last one "shutdown".
//
// Usage (from the repo root, after `npx turbo run build`, `bash scripts/setup.sh models` and
// `bash infra/trainer-env.sh`; Linux only, it reads /proc):
//   node bench/round-profile.mjs [--prompts N] [--rounds N] [--domain examples/domains/misconceptions]
//                                [--run-dir DIR] [--keep] [--interval 200] [--json] [-- <more isara run options>]
// Without --run-dir the run goes to a fresh temporary folder, removed afterwards unless --keep is given.
// Prints a markdown table and one JSON line on stdout (only the JSON line with --json).
import { spawn } from "node:child_process";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { availableParallelism, cpus, loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";

const { values: args, positionals: extra } = parseArgs({
  allowPositionals: true,
  options: {
    prompts: { type: "string" },
    rounds: { type: "string" },
    domain: { type: "string", default: "examples/domains/misconceptions" },
    "run-dir": { type: "string" },
    keep: { type: "boolean", default: false },
    interval: { type: "string", default: "200" },
    json: { type: "boolean", default: false },
  },
});
const intervalMs = Number(args.interval);
if (!Number.isInteger(intervalMs) || intervalMs < 10) {
  console.error(`round-profile: --interval must be an integer of at least 10 (ms), got "${args.interval}"`);
  process.exit(2);
}
const runDir = resolve(args["run-dir"] ?? join(await mkdtemp(join(tmpdir(), "isara-round-profile-")), "run"));
/** Removes the temporary run folder this script made, unless asked to keep it. */
const removeRunDir = async () => {
  if (!args["run-dir"] && !args.keep) await rm(resolve(runDir, ".."), { recursive: true, force: true });
};
const cli = resolve("packages/cli/dist/main.js");
const cliArgs = [cli, "run", args.domain, "--run-dir", runDir, "--json"];
if (args.prompts) cliArgs.push("--prompts", args.prompts);
if (args.rounds) cliArgs.push("--rounds", args.rounds);
cliArgs.push(...extra);

/** Resident and peak resident KiB of a process from /proc/<pid>/status; undefined once it is gone. */
async function memoryOf(pid) {
  try {
    const status = await readFile(`/proc/${pid}/status`, "utf8");
    const kib = (key) => Number(new RegExp(`^${key}:\\s+(\\d+)`, "m").exec(status)?.[1] ?? 0);
    return { rss: kib("VmRSS"), hwm: kib("VmHWM") };
  } catch {
    return undefined;
  }
}

/** Every live descendant of `root`, found through the parent pid field of /proc/<pid>/stat. */
async function descendants(root) {
  const parentOf = new Map();
  for (const name of await readdir("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = await readFile(`/proc/${name}/stat`, "utf8");
      // Fields after the command (in parentheses, which may itself hold spaces): state, ppid, ...
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      parentOf.set(Number(name), ppid);
    } catch {
      // the process ended while we looked
    }
  }
  const found = new Set([root]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [pid, ppid] of parentOf)
      if (!found.has(pid) && found.has(ppid)) {
        found.add(pid);
        grew = true;
      }
  }
  found.delete(root);
  return [...found];
}

const t0 = performance.now();
const now = () => performance.now() - t0;
const loadStart = loadavg()[0];
const child = spawn(process.execPath, cliArgs, { stdio: ["ignore", "pipe", "pipe"] });
const events = [];
let stderrTail = "";
child.stderr.on("data", (chunk) => {
  stderrTail = (stderrTail + chunk).slice(-4000);
});
createInterface({ input: child.stdout }).on("line", (line) => {
  try {
    const event = JSON.parse(line);
    events.push({ t: now(), event });
    if (event.type === "phase-start" || event.type === "phase-done")
      process.stderr.write(
        `round-profile: ${(now() / 1000).toFixed(1)} s ${event.type} round ${event.round} ${event.phase}\n`,
      );
  } catch {
    // not an event line
  }
});

const samples = [];
let sampling = false;
const timer = setInterval(async () => {
  if (sampling) return; // a slow /proc scan never overlaps the next one
  sampling = true;
  try {
    const t = now();
    const node = await memoryOf(child.pid);
    if (node === undefined || node.rss === 0) return; // gone, or a zombie with no memory left
    let children = 0;
    const pids = await descendants(child.pid);
    for (const pid of pids) {
      const m = await memoryOf(pid);
      if (m) children += Math.max(m.rss, m.hwm);
    }
    samples.push({ t, node: node.rss, nodePeak: node.hwm, children, childCount: pids.length });
  } finally {
    sampling = false;
  }
}, intervalMs);
const exitCode = await new Promise((done) => child.on("close", (code) => done(code ?? 1)));
clearInterval(timer);
const total = now();
const loadEnd = loadavg()[0];
if (exitCode !== 0) {
  console.error(`round-profile: isara run exited with ${exitCode}; its last output:\n${stderrTail}`);
  await removeRunDir();
  process.exit(1);
}

// Phase windows from the event stream: [phase-start, phase-done] of each (round, phase).
const windows = [];
for (const { t, event } of events) {
  if (event.type === "phase-start")
    windows.push({ name: `${event.round}.${event.phase}`, start: t, end: total });
  if (event.type === "phase-done") {
    const open = windows.findLast((w) => w.name === `${event.round}.${event.phase}`);
    if (open) Object.assign(open, { end: t, runnerMs: event.ms });
  }
}
const first = windows[0]?.start ?? total;
const last = windows.at(-1)?.end ?? total;
const rows = [
  { name: "startup", start: 0, end: first },
  ...windows,
  { name: "shutdown", start: last, end: total },
].map((w) => {
  const inside = samples.filter((s) => s.t >= w.start && s.t <= w.end);
  const peak = (key) => (inside.length === 0 ? null : Math.max(...inside.map((s) => s[key])));
  return {
    phase: w.name,
    seconds: (w.end - w.start) / 1000,
    runnerSeconds: w.runnerMs === undefined ? null : w.runnerMs / 1000,
    peakNodeMiB: peak("node") === null ? null : peak("node") / 1024,
    peakChildrenMiB: peak("children") === null ? null : peak("children") / 1024,
    samples: inside.length,
  };
});
const peakOf = (key) => Math.max(0, ...samples.map((s) => s[key])) / 1024;
const summary = events.findLast((e) => e.event.type === "summary")?.event;
const result = {
  bench: "round-profile",
  date: new Date().toISOString(),
  cpu: cpus()[0]?.model ?? "unknown",
  cpus: availableParallelism(),
  loadavg: { start: loadStart, end: loadEnd },
  command: `node ${cliArgs.map((a) => (a === cli ? "packages/cli/dist/main.js" : a)).join(" ")}`,
  intervalMs,
  totalSeconds: total / 1000,
  peakNodeMiB: peakOf("node"),
  nodeHighWaterMiB: peakOf("nodePeak"),
  peakChildrenMiB: peakOf("children"),
  status: summary?.status ?? null,
  phases: rows,
};

if (!args.json) {
  const mib = (x) => (x === null ? "–" : x.toFixed(0));
  const lines = [
    `Round profile — ${args.domain}${args.prompts ? `, --prompts ${args.prompts}` : ""}, ${result.cpus} CPUs, ` +
      `load ${loadStart.toFixed(2)} → ${loadEnd.toFixed(2)}, RSS polled every ${intervalMs} ms`,
    "",
    "| phase | seconds | runner's phaseMs (s) | peak RSS node (MiB) | peak RSS trainer (MiB) |",
    "|---|---:|---:|---:|---:|",
    ...rows.map(
      (r) =>
        `| ${r.phase} | ${r.seconds.toFixed(1)} | ${r.runnerSeconds === null ? "–" : r.runnerSeconds.toFixed(1)} | ` +
        `${mib(r.peakNodeMiB)} | ${mib(r.peakChildrenMiB)} |`,
    ),
    `| **total** | **${result.totalSeconds.toFixed(1)}** | | **${mib(result.peakNodeMiB)}** (high-water ${mib(result.nodeHighWaterMiB)}) | **${mib(result.peakChildrenMiB)}** |`,
    "",
    `Run ${result.status ?? "?"}; run folder ${args.keep || args["run-dir"] ? runDir : "(removed)"}.`,
    "",
  ];
  process.stdout.write(lines.join("\n"));
}
process.stdout.write(`${JSON.stringify(result)}\n`);
await removeRunDir();
