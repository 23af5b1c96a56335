import {
  loadRoundLogs,
  loadRoundQualities,
  metricsFile,
  metricsFileText,
  type RoundLog,
  runFolder,
} from "@isara/contracts";
import {
  admitRun,
  advance,
  checkFilterPorts,
  createRunState,
  type Domain,
  failedEvent,
  IsaraError,
  isIsaraError,
  nextStep,
  type PhaseCompleted,
  type RunMode,
  type RunState,
} from "@isara/core";
import type { RunnerListener } from "./events.js";
import {
  type BaselineEvaluation,
  type PhaseContext,
  runAnswers,
  runEvaluate,
  runFilter,
  runPrompts,
  runTrain,
  seedSet,
} from "./phases.js";
import type { EmbeddedPorts } from "./ports.js";
import { buildReport } from "./report/index.js";
import { reportInput } from "./report-input.js";

/** What to run. */
export interface EmbeddedRunOptions {
  readonly runId: string;
  /** The validated domain (on resume: the snapshot saved in the run folder). */
  readonly domain: Domain;
  readonly mode: RunMode;
  readonly onEvent?: RunnerListener;
  /** Aborting stops at the next safe point; the run resumes from the last completed step. */
  readonly signal?: AbortSignal;
  /** Round 0's base-model evaluation to reuse instead of repeating it (checked by the caller). */
  readonly baseline?: BaselineEvaluation;
}

/**
 * Runs (or resumes) one ISARA run to its end in this process. The loop asks the core state machine
 * for the next step, runs it through the ports, feeds the result back and saves the state after every
 * completed step; a step that throws marks the run failed with the reason (the next call resumes that
 * step), while a cancelled step leaves the state as it was. Returns the final state.
 */
export async function runEmbedded(options: EmbeddedRunOptions, ports: EmbeddedPorts): Promise<RunState> {
  const emit: RunnerListener = options.onEvent ?? (() => {});
  const signal = options.signal ?? new AbortController().signal;
  checkFilterPorts(options.domain.config, options.mode, { judge: ports.judge });
  const loaded = await ports.runStore.load(options.runId);
  if (loaded && loaded.domain !== options.domain.config.name) {
    throw new IsaraError(
      "conflict",
      `run ${options.runId} belongs to domain "${loaded.domain}", not "${options.domain.config.name}"; choose another run folder`,
    );
  }
  let state =
    loaded ?? createRunState({ runId: options.runId, config: options.domain.config, mode: options.mode });
  if (state.status === "failed") state = advance(state, { type: "resumed" });
  // The embedded mode has no admission: a queued run (a controller's run folder) starts at once.
  if (state.status === "queued") state = admitRun(state);
  if (!loaded) await ports.runStore.save(options.runId, state);
  emit({ type: "run-start", runId: options.runId, resumed: loaded !== undefined, state });

  const seeds = seedSet({ state, domain: options.domain });
  await ports.store.upsert(seeds, await ports.embedder.embed(seeds.map((s) => s.prompt)));

  const logs = await loadRoundLogs(ports.artifacts);
  const logOf = (round: number): RoundLog => {
    logs[round] ??= { phaseMs: {}, losses: [] };
    return logs[round];
  };
  for (;;) {
    const step = nextStep(state);
    if (step.type !== "phase") break;
    const ctx: PhaseContext = {
      state,
      domain: options.domain,
      ports,
      emit,
      signal,
      ...(options.baseline ? { baseline: options.baseline } : {}),
      onLosses: (losses) => {
        logOf(step.round).losses = [...losses];
      },
    };
    const total = step.phase === "evaluate" ? options.domain.eval.length : "count" in step ? step.count : 1;
    emit({ type: "phase-start", round: step.round, phase: step.phase, total });
    const started = ports.clock.now();
    let event: PhaseCompleted;
    try {
      signal.throwIfAborted();
      event = await runPhase(ctx, step);
    } catch (err) {
      if (signal.aborted || isIsaraError(err, "cancelled")) {
        throw new IsaraError(
          "cancelled",
          `stopped during round ${step.round} ${step.phase}; run the same command to resume`,
        );
      }
      state = advance(state, failedEvent(err));
      await ports.runStore.save(options.runId, state);
      await writeSummaries(state, logs, ports, seeds.length);
      emit({ type: "run-end", state });
      throw err;
    }
    logOf(step.round).phaseMs[step.phase] = ports.clock.now() - started;
    state = advance(state, event);
    await ports.runStore.save(options.runId, state);
    await writeSummaries(state, logs, ports, seeds.length);
    emit({
      type: "phase-done",
      round: step.round,
      phase: step.phase,
      ms: logOf(step.round).phaseMs[step.phase] ?? 0,
      state,
    });
  }
  emit({ type: "run-end", state });
  return state;
}

function runPhase(
  ctx: PhaseContext,
  step: Extract<ReturnType<typeof nextStep>, { type: "phase" }>,
): Promise<PhaseCompleted> {
  switch (step.phase) {
    case "prompts":
      return runPrompts(ctx, step);
    case "answers":
      return runAnswers(ctx, step);
    case "filter":
      return runFilter(ctx, step);
    case "train":
      return runTrain(ctx, step);
    case "evaluate":
      return runEvaluate(ctx, step);
  }
}

/** Rewrites metrics.json and the report; cheap, and keeps both true after every step. */
async function writeSummaries(
  state: RunState,
  logs: readonly RoundLog[],
  ports: EmbeddedPorts,
  seeds: number,
): Promise<void> {
  const qualities = await loadRoundQualities(ports.artifacts, state.rounds.length);
  const metrics = metricsFile(state, logs, ports.llm.modelId, qualities);
  await ports.artifacts.write(runFolder.metrics, metricsFileText(metrics));
  const files = buildReport(reportInput(state, metrics, ports.llm.modelId, seeds));
  for (const [name, text] of Object.entries(files)) await ports.artifacts.write(runFolder.report(name), text);
}
