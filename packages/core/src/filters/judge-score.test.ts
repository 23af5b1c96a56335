import assert from "node:assert/strict";
import { test } from "node:test";
import { domainConfigSchema, filterSettingsSchema } from "../domain.js";
import { isIsaraError } from "../errors.js";
import type { SampleJudge, SampleRating } from "../ports.js";
import { runFilterChain } from "./chain.js";
import { createJudgeScoreFilter } from "./judge-score.js";
import { checkFilterChain, checkFilterPorts, createFilterChain, missingFilterPorts } from "./registry.js";

/**
 * A judge stand-in with fixed replies per answer: these tests are about the filter's rule, its
 * bound on requests in flight and the chain's refusal without a judge. The filter over a real judge
 * model behind a real OpenAI-compatible server is tests/src/evaluation/judge-over-http.test.ts.
 */
function fixedJudge(ratings: Record<string, SampleRating>, parallelism = 2) {
  let inFlight = 0;
  let most = 0;
  const judge: SampleJudge = {
    ref: "judge with quality@1",
    min: 1,
    max: 10,
    parallelism,
    async rate(_prompt, answer) {
      inFlight++;
      most = Math.max(most, inFlight);
      await new Promise((r) => setTimeout(r, 5));
      inFlight--;
      return ratings[answer] ?? { rating: null, reason: 'no "Rating:" line' };
    },
  };
  return { judge, most: () => most };
}

const pair = (slot: number, response: string) => ({
  slot,
  prompt: "Can you see the Great Wall of China from space?",
  response,
  promptDemos: [],
});

test("judge-score keeps ratings at or above minScore and rejects lower and unreadable ones, quoting the judge", async () => {
  // Answers of the kind a 135M model writes on TruthfulQA: fluent, and the second is false.
  const { judge } = fixedJudge({
    "No, it is too narrow to see with the naked eye.": { rating: 8, reason: "Correct and clear." },
    "Yes, it is the only structure visible from the moon.": { rating: 2, reason: "A common myth." },
  });
  const filter = createJudgeScoreFilter(judge, 6);
  const results = await runFilterChain(
    [
      pair(0, "No, it is too narrow to see with the naked eye."),
      pair(1, "Yes, it is the only structure visible from the moon."),
      pair(2, "No, but the answer is yes."),
    ],
    [filter],
    { earlier: [] },
  );
  const verdicts = results.map((r) => r.verdicts[0]);
  assert.deepEqual(
    verdicts.map((v) => [v?.accepted, v?.score]),
    [
      [true, 8],
      [false, 2],
      [false, undefined],
    ],
  );
  assert.equal(verdicts[0]?.reason, "judge with quality@1 rated 8/10: Correct and clear. (at least 6)");
  assert.equal(verdicts[1]?.reason, "judge with quality@1 rated 2/10: A common myth. (under 6)");
  assert.equal(verdicts[2]?.reason, 'judge with quality@1 gave no rating: no "Rating:" line');
});

test("judge-score keeps no more requests in flight than the judge serves", async () => {
  const { judge, most } = fixedJudge({}, 3);
  const filter = createJudgeScoreFilter(judge, 6);
  const candidates = Array.from({ length: 20 }, (_, i) => pair(i, `answer ${i}`));
  await runFilterChain(candidates, [filter], { earlier: [] }, { concurrency: 8 });
  assert.equal(most(), 3);
});

test("judge-score's minScore must be on the judge's scale, and an off-scale one is refused when the domain is checked", () => {
  const { judge } = fixedJudge({});
  assert.throws(() => createJudgeScoreFilter(judge, 11), /off the judge's 1-10 scale/);
  const { problems } = checkFilterChain({
    filter: filterSettingsSchema.parse({}),
    filters: [{ name: "judge-score", minScore: 11 }],
  });
  assert.equal(problems.length, 1);
  assert.equal(problems[0]?.field, "filters[0].minScore");
});

test("a chain naming judge-score is refused, naming the fix, where no judge is configured", () => {
  const config = {
    filter: filterSettingsSchema.parse({}),
    filters: [{ name: "min-words" }, { name: "judge-score", minScore: 7 }],
  };
  const [problem, ...more] = missingFilterPorts(config, {});
  assert.equal(more.length, 0);
  assert.match(problem ?? "", /filter "judge-score" needs a judge/);
  assert.match(problem ?? "", /--judge-url/);
  assert.deepEqual(missingFilterPorts(config, { judge: fixedJudge({}).judge }), []);
  assert.throws(
    () => createFilterChain(config),
    (err) => isIsaraError(err, "failed_precondition") && /needs a judge/.test(err.message),
  );
  const chain = createFilterChain(config, undefined, { judge: fixedJudge({}).judge });
  assert.deepEqual(
    chain.map((f) => f.name),
    ["min-words", "judge-score"],
  );
  assert.deepEqual(
    missingFilterPorts({ filter: filterSettingsSchema.parse({}) }, {}),
    [],
    "the presets need no judge",
  );
});

test("a run is refused at the door only when its mode filters with a chain that needs a missing judge", () => {
  const config = domainConfigSchema.parse({
    name: "judged",
    filters: [{ name: "min-words" }, { name: "judge-score" }],
  });
  assert.throws(
    () => checkFilterPorts(config, "isara", {}),
    (err) =>
      isIsaraError(err, "failed_precondition") &&
      /filter "judge-score" needs a judge/.test(err.message) &&
      /JUDGE_URL and JUDGE_MODEL for the filtering service and FILTER_JUDGE=true for the controller/.test(
        err.message,
      ) &&
      Array.isArray(err.details) &&
      err.details.length === 1,
  );
  checkFilterPorts(config, "isara", { judge: true });
  for (const mode of ["base", "sft-seeds", "icl-knn", "icl-random"] as const) {
    checkFilterPorts(config, mode, {});
  }
  assert.throws(() => checkFilterPorts(config, "one-shot", {}), /needs a judge/);
  checkFilterPorts(domainConfigSchema.parse({ name: "plain" }), "isara", {});
});
