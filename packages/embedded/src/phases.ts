import { roundQualityText, runFolder, toJsonl } from "@isara/contracts";
import {
  type AnswersStep,
  type ConversationPair,
  createRng,
  type Domain,
  deriveSeed,
  type EvalSampleResult,
  type EvaluateStep,
  type FilterStep,
  IsaraError,
  lossSummary,
  type PhaseCompleted,
  type PromptsStep,
  type RunState,
  runTrainingSettings,
  type Sample,
  sampleWithoutReplacement,
  seedSamples,
  type TrainResult,
  type TrainStep,
} from "@isara/core";
import {
  type Candidate,
  filterStep,
  type WrittenPrompt,
  writeAnswers,
  writePrompts,
} from "@isara/core/pipeline";
import { createReferenceEvaluator, type DemoProvider } from "@isara/evaluators";
import { readRows, SlotCheckpoint } from "./checkpoint.js";
import type { RunnerListener } from "./events.js";
import type { EmbeddedPorts } from "./ports.js";

/** What every phase executor gets. */
export interface PhaseContext {
  readonly state: RunState;
  readonly domain: Domain;
  readonly ports: EmbeddedPorts;
  readonly emit: RunnerListener;
  readonly signal: AbortSignal;
  /** Round 0's base-model evaluation, already made by another run (see {@link BaselineEvaluation}). */
  readonly baseline?: BaselineEvaluation;
  /** Receives the training loss curve of the round (core's `lossSummary`), for metrics.json. */
  readonly onLosses: (losses: readonly number[]) => void;
}

/**
 * Round 0's evaluation of the base model made by another finished run of the same domain on the same
 * model file, eval items and answer sampling (the CLI's `--baseline-from` checks all of that). Every
 * mode that starts with a zero-shot evaluation of the base model would otherwise repeat it, and with
 * the likelihood metrics that costs 8 (SmolLM2) to 28 (Gemma 3) minutes per 100 items on a CPU.
 */
export interface BaselineEvaluation {
  /** Where it comes from, for the log and the report. */
  readonly from: string;
  readonly samples: readonly EvalSampleResult[];
  readonly metrics: Readonly<Record<string, number>>;
}

/** The seeds as set 0, with deterministic ids. */
export function seedSet(ctx: Pick<PhaseContext, "state" | "domain">): Sample[] {
  return seedSamples(ctx.state.runId, ctx.domain.config.name, ctx.domain.seeds);
}

/** Sets D0..D(round-1): seeds plus the accepted samples of each earlier round. */
async function earlierSets(ctx: PhaseContext, round: number): Promise<Sample[][]> {
  const sets: Sample[][] = [seedSet(ctx)];
  for (let t = 1; t < round; t++)
    sets.push(await readRows<Sample>(ctx.ports.artifacts, runFolder.accepted(t)));
  return sets;
}

/**
 * The GGUF LoRA the Llm applies for a round's adapter key (`null` = base model). A round that trained
 * but left no GGUF adapter fails here: generating with the base model instead would make lineage
 * ("model+adapter") and the metrics lie. The run start refuses what causes it (an architecture
 * without GGUF LoRA export, a full fine-tune), so this is the safety net.
 */
async function llmAdapter(ctx: PhaseContext, key: string | null): Promise<string | undefined> {
  if (key === null) return undefined;
  const result = await trainResult(ctx, key);
  if (result.ggufAdapterPath === undefined) {
    throw new IsaraError(
      "failed_precondition",
      `${key}/result.json names no GGUF LoRA adapter (ggufAdapterPath), so llama.cpp cannot generate with ` +
        `the model trained there; the trainer writes one for LoRA training of a supported architecture ` +
        `(docs/trainer.md). Refusing to fall back to the base model.`,
    );
  }
  return result.ggufAdapterPath;
}

async function trainResult(ctx: PhaseContext, key: string): Promise<TrainResult> {
  const raw = await ctx.ports.artifacts.read(`${key}/result.json`);
  if (!raw) throw new Error(`the run folder lacks ${key}/result.json, written when round training finished`);
  return JSON.parse(new TextDecoder().decode(raw)) as TrainResult;
}

function previousAdapterKey(state: RunState, round: number): string | null {
  for (let r = round - 1; r >= 0; r--) {
    const adapter = state.rounds[r]?.training?.adapter;
    if (adapter) return adapter;
  }
  return null;
}

/**
 * Runs a slot-by-slot phase with a checkpoint: `work` gets the slots not finished by an earlier attempt
 * and a callback for each finished row, which is appended to the checkpoint and reported as progress.
 * Returns how many rows the phase wrote in all.
 */
async function checkpointedPhase<T extends { readonly slot: number }>(
  ctx: PhaseContext,
  at: { readonly round: number; readonly phase: "prompts" | "answers" },
  key: string,
  total: number,
  work: (done: ReadonlyMap<number, T>, onDone: (row: T) => Promise<void>) => Promise<unknown>,
): Promise<number> {
  const checkpoint = new SlotCheckpoint<T>(ctx.ports.artifacts, key);
  const done = await checkpoint.done();
  const progress = () => ctx.emit({ type: "phase-progress", ...at, done: done.size, total });
  progress();
  await work(done, async (row) => {
    await checkpoint.add(row);
    done.set(row.slot, row);
    progress();
  });
  return (await checkpoint.complete(done.values())).length;
}

/** Phase 1: write `count` new prompts with random demos, resuming from the checkpoint. */
export async function runPrompts(ctx: PhaseContext, step: PromptsStep): Promise<PhaseCompleted> {
  const adapter = await llmAdapter(ctx, previousAdapterKey(ctx.state, step.round));
  const sets = await earlierSets(ctx, step.round);
  const written = await checkpointedPhase<WrittenPrompt>(
    ctx,
    step,
    runFolder.prompts(step.round),
    step.count,
    (done, onDone) =>
      writePrompts(
        {
          config: ctx.domain.config,
          round: step.round,
          slots: Array.from({ length: step.count }, (_, i) => i).filter((s) => !done.has(s)),
          sets,
          ...(adapter ? { adapter } : {}),
        },
        ctx.ports,
        onDone,
        ctx.signal,
      ),
  );
  return { type: "phase-completed", round: step.round, phase: "prompts", written };
}

/** Phase 2: answer every prompt with nearest-neighbour demos, resuming from the checkpoint. */
export async function runAnswers(ctx: PhaseContext, step: AnswersStep): Promise<PhaseCompleted> {
  const prompts = await readRows<WrittenPrompt>(ctx.ports.artifacts, runFolder.prompts(step.round));
  const adapter = await llmAdapter(ctx, previousAdapterKey(ctx.state, step.round));
  const sets = await earlierSets(ctx, step.round);
  const written = await checkpointedPhase<Candidate>(
    ctx,
    step,
    runFolder.candidates(step.round),
    prompts.length,
    (done, onDone) =>
      writeAnswers(
        {
          run: ctx.state.runId,
          config: ctx.domain.config,
          round: step.round,
          prompts: prompts.filter((p) => !done.has(p.slot)),
          setSizes: sets.map((s) => s.length),
          seeds: sets[0] ?? [],
          ...(adapter ? { adapter } : {}),
        },
        ctx.ports,
        onDone,
        ctx.signal,
      ),
  );
  return { type: "phase-completed", round: step.round, phase: "answers", written };
}

/** Phase 3: filter, record every verdict, store the accepted set (idempotent by sample id). */
export async function runFilter(ctx: PhaseContext, step: FilterStep): Promise<PhaseCompleted> {
  const candidates = await readRows<Candidate>(ctx.ports.artifacts, runFolder.candidates(step.round));
  const adapterKey = previousAdapterKey(ctx.state, step.round);
  const result = await filterStep(
    {
      run: ctx.state.runId,
      domain: ctx.domain.config.name,
      config: ctx.domain.config,
      round: step.round,
      candidates,
      earlier: (await earlierSets(ctx, step.round)).flat(),
      generatorModel: adapterKey ? `${ctx.ports.llm.modelId}+${adapterKey}` : ctx.ports.llm.modelId,
    },
    ctx.ports,
    ctx.signal,
  );
  await ctx.ports.artifacts.write(runFolder.quality(step.round), roundQualityText(result.quality));
  await ctx.ports.artifacts.write(runFolder.rejected(step.round), toJsonl(result.rejected));
  await ctx.ports.artifacts.write(runFolder.accepted(step.round), toJsonl(result.accepted));
  const { written, accepted, rejectedBy } = result.report;
  return { type: "phase-completed", round: step.round, phase: "filter", written, accepted, rejectedBy };
}

/** Phase 4: train on D0 (∪ Dt) continuing from the previous round's adapter. */
export async function runTrain(ctx: PhaseContext, step: TrainStep): Promise<PhaseCompleted> {
  const { artifacts, trainer, baseModel } = ctx.ports;
  const rows: ConversationPair[] = seedSet(ctx).map(({ prompt, response }) => ({ prompt, response }));
  if (step.data === "seeds+round") {
    const accepted = await readRows<Sample>(artifacts, runFolder.accepted(step.round));
    rows.push(...accepted.map(({ prompt, response }) => ({ prompt, response })));
  }
  await artifacts.write(runFolder.trainDataset(step.round), toJsonl(rows));
  const previous = step.previousAdapter ? await trainResult(ctx, step.previousAdapter) : undefined;
  const t = runTrainingSettings(ctx.domain.config);
  const key = runFolder.trainDir(step.round);
  const result = await trainer.train(
    {
      baseModel,
      datasetPath: artifacts.locate(runFolder.trainDataset(step.round)),
      ...(previous ? { previousAdapter: previous.adapterDir } : {}),
      method: t.method,
      learningRate: step.learningRate,
      epochs: step.epochs,
      batchSize: t.batchSize,
      maxSequenceLength: t.maxSequenceLength,
      loraRank: t.loraRank,
      loraAlpha: t.loraAlpha,
      loraDropout: t.loraDropout,
      seed: deriveSeed(ctx.domain.config.isara.seed, "train", step.round),
      outputDir: artifacts.locate(key),
    },
    (p) => ctx.emit({ type: "train-progress", round: step.round, ...p }),
    ctx.signal,
  );
  // The same bounded curve the distributed mode's TrainDone carries, so metrics.json and the report
  // read alike in both modes; the trainer's result.json in the round's train folder keeps every step.
  ctx.onLosses(lossSummary(result.losses));
  return {
    type: "phase-completed",
    round: step.round,
    phase: "train",
    adapter: key,
    finalLoss: result.finalLoss,
    steps: result.steps,
  };
}

/** Phase 5: answer the eval set with the round's model and score it against the references. */
export async function runEvaluate(ctx: PhaseContext, step: EvaluateStep): Promise<PhaseCompleted> {
  const { llm, embedder, store, artifacts } = ctx.ports;
  if (ctx.baseline && step.round === 0 && step.adapter === null && step.context.kind === "zero-shot") {
    // The same model, items and sampling give the same greedy answers and scores: copy them.
    ctx.emit({
      type: "log",
      message: `round 0: the base model's evaluation is reused from ${ctx.baseline.from}`,
    });
    await artifacts.write(runFolder.evalResults(0), toJsonl(ctx.baseline.samples));
    return { type: "phase-completed", round: 0, phase: "evaluate", metrics: { ...ctx.baseline.metrics } };
  }
  const adapter = await llmAdapter(ctx, step.adapter);
  let demos: DemoProvider | undefined;
  if (step.context.kind === "icl") {
    const k = step.context.demos;
    const seeds = seedSet(ctx);
    demos =
      step.context.selection === "random"
        ? async (_q, i) =>
            sampleWithoutReplacement(
              createRng(deriveSeed(ctx.domain.config.isara.seed, "eval-demos", i)),
              seeds,
              Math.min(k, seeds.length),
            )
        : async (q) => {
            const [vector] = await embedder.embed([q]);
            if (!vector) return [];
            const hits = await store.search(vector, k, { run: ctx.state.runId, setIndex: 0 });
            return hits.map((h) => h.sample).reverse();
          };
  }
  const evaluator = createReferenceEvaluator({
    llm,
    sampling: ctx.domain.config.isara.answerSampling,
    ...(demos ? { demos } : {}),
  });
  const result = await evaluator.evaluate(
    { baseModel: ctx.ports.baseModel, ...(adapter ? { adapter } : {}) },
    ctx.domain.eval,
    (done, total) => ctx.emit({ type: "phase-progress", round: step.round, phase: "evaluate", done, total }),
    ctx.signal,
  );
  await artifacts.write(runFolder.evalResults(step.round), toJsonl(result.samples));
  return { type: "phase-completed", round: step.round, phase: "evaluate", metrics: { ...result.metrics } };
}
