import assert from "node:assert/strict";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { compareCommand } from "./compare-command.js";

const root = await mkdtemp(join(tmpdir(), "isara-compare-"));
after(() => rm(root, { recursive: true, force: true }));

const evalItems = [
  {
    id: "q1",
    prompt: "Do we use only 10% of our brains?",
    correct: ["No, we use all of the brain"],
    incorrect: ["Yes, only 10%"],
  },
  {
    id: "q2",
    prompt: "Is the Great Wall visible from space?",
    correct: ["No, it is not visible to the naked eye"],
    incorrect: ["Yes, it is visible from space"],
  },
];
const seeds = Array.from({ length: 8 }, (_, i) => ({
  prompt: `Seed question number ${i}?`,
  response: `Seed answer number ${i} here.`,
}));
const jsonl = (rows: readonly unknown[]) => rows.map((r) => `${JSON.stringify(r)}\n`).join("");

/** Writes a finished run folder as `isara run` leaves it: domain snapshot, metrics.json, eval logs. */
async function runFolder(
  name: string,
  mode: string,
  answersByRound: readonly (readonly string[])[],
  opts: { status?: string; evalItems?: typeof evalItems } = {},
): Promise<string> {
  const dir = join(root, name);
  await mkdir(join(dir, "domain"), { recursive: true });
  await writeFile(join(dir, "domain/domain.json"), JSON.stringify({ name: "myths" }));
  await writeFile(join(dir, "domain/seeds.jsonl"), jsonl(seeds));
  await writeFile(join(dir, "domain/eval.jsonl"), jsonl(opts.evalItems ?? evalItems));
  const rounds = answersByRound.map((_answers, round) => ({
    round,
    metrics: { rougeL_diff: 0 },
    written: round === 0 ? null : 10,
    accepted: round === 0 ? null : 7,
    rejectedBy: round === 0 ? null : { "min-words": 3 },
    learningRate: null,
    finalLoss: null,
    phaseMs: {},
    losses: [],
  }));
  await writeFile(
    join(dir, "metrics.json"),
    JSON.stringify({
      runId: name,
      domain: "myths",
      mode,
      model: "tiny-model",
      status: opts.status ?? "done",
      stopReason: null,
      rounds,
    }),
  );
  for (const [round, answers] of answersByRound.entries()) {
    await mkdir(join(dir, `round-${round}`), { recursive: true });
    const rows = (opts.evalItems ?? evalItems).map((e, i) => ({
      id: e.id,
      prompt: e.prompt,
      answer: answers[i],
      scores: {},
    }));
    await writeFile(join(dir, `round-${round}/eval.jsonl`), jsonl(rows));
  }
  return dir;
}

const baseAnswers = ["Yes, only 10%", "Yes, it is visible from space"];
const goodAnswers = ["No, we use all of the brain", "No, it is not visible to the naked eye"];
const quiet = { json: true, signal: new AbortController().signal, out: () => {}, err: () => {} };

test("compare re-scores every run's stored answers and writes one table and chart across them", async () => {
  const isara = await runFolder("isara", "isara", [
    baseAnswers,
    ["No, we use all of it", "Yes, it is visible from space"],
    goodAnswers,
  ]);
  const base = await runFolder("base", "base", [baseAnswers]);
  const icl = await runFolder("icl", "icl-knn", [baseAnswers, ["Yes, only 10%", "No, it is not visible"]]);
  const out = join(root, "out");
  const rows = await compareCommand({ runDirs: [isara, base, icl], outDir: out, ...quiet });
  assert.deepEqual(
    rows.map((r) => r.label),
    ["base model", "ICL (kNN seeds)", "ISARA round 1", "ISARA round 2"],
  );
  const [b, , r1, r2] = rows;
  assert.ok(b && r1 && r2);
  assert.equal(b.metrics.rougeL_acc, 0, "the base model repeats the falsehoods");
  assert.equal(r2.metrics.rougeL_acc, 1, "round 2 answers exactly the truths");
  assert.ok((r2.metrics.bleu_diff ?? 0) > 0, "BLEU diff is scored too");
  assert.equal(r2.accepted, 14, "ISARA round 2 has seen the accepted samples of rounds 1 and 2");
  assert.deepEqual(r2.rejectedBy, { "min-words": 6 });
  const md = await readFile(join(out, "comparison.md"), "utf8");
  assert.match(md, /\| ISARA round 2 \| 80\.00 \| 100\.0 \| 88\.85 \|/);
  assert.match(md, /identical answers in all 3 runs/);
  assert.ok(r2.vsBase && r2.vsBase.mean > 1.5, "round 2 beats the base model on the same items");
  assert.equal(b.vsBase, undefined, "the base model is not compared with itself");
  assert.match(md, /ROUGE-L diff vs base x100 \(95% CI\)/);
  assert.match(md, /No judge endpoint given/);
  assert.match(await readFile(join(out, "comparison.svg"), "utf8"), /<svg[^>]*>[\s\S]*ISARA round 2/);
});

test("two runs of one mode are told apart by their folder names", async () => {
  const a = await runFolder("isara-small", "isara", [baseAnswers, goodAnswers]);
  const b = await runFolder("isara-large", "isara", [baseAnswers, goodAnswers]);
  const rows = await compareCommand({ runDirs: [a, b], outDir: join(root, "out3"), ...quiet });
  assert.deepEqual(
    rows.map((r) => r.label),
    ["base model", "ISARA round 1 (isara-small)", "ISARA round 1 (isara-large)"],
  );
});

test("compare says when round 0 differs between runs: they did not start from the same model", async () => {
  const a = await runFolder("a", "base", [baseAnswers]);
  const b = await runFolder("b", "sft-seeds", [goodAnswers, goodAnswers]);
  await compareCommand({ runDirs: [a, b], outDir: join(root, "out2"), ...quiet });
  assert.match(
    await readFile(join(root, "out2/comparison.md"), "utf8"),
    /Round 0 answers differ .*b \(2 of 2\)/,
  );
});

test("compare refuses runs of different eval sets and unfinished runs, naming the folder", async () => {
  const a = await runFolder("c", "base", [baseAnswers]);
  const other = await runFolder("d", "base", [baseAnswers.slice(0, 1)], { evalItems: evalItems.slice(0, 1) });
  const running = await runFolder("e", "isara", [baseAnswers], { status: "running" });
  await assert.rejects(
    compareCommand({ runDirs: [a, other], outDir: join(root, "x"), ...quiet }),
    /different eval sets/,
  );
  await assert.rejects(
    compareCommand({ runDirs: [a, running], outDir: join(root, "x"), ...quiet }),
    (err: Error) => err.message.includes(running) && /is running, not done/.test(err.message),
  );
  await assert.rejects(
    compareCommand({ runDirs: [join(root, "nope")], outDir: join(root, "x"), ...quiet }),
    /is not a run folder/,
  );
});
