import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { type MetricsFile, runFolder } from "@isara/contracts";
import {
  checkFilterPorts,
  type Domain,
  domainConfigSchema,
  IsaraError,
  isIsaraError,
  type RunMode,
  type RunState,
} from "@isara/core";
import { type BaselineEvaluation, runEmbedded } from "@isara/embedded";
import { loadBaseline } from "./baseline-run.js";
import { loadDomain } from "./domain-files.js";
import { createProgressView } from "./progress-view.js";
import { checkRunModel, runModelRecord, writeRunModel } from "./run-model.js";
import { qualityTable, summaryTable } from "./summary-table.js";
import { checkTrainingFits, openEmbeddedPorts, runIdOfDir, type WiringOptions } from "./wiring.js";

/** Options of `isara run`. */
export interface RunCommandOptions extends WiringOptions {
  readonly domainDir: string;
  readonly runDir: string;
  readonly mode: RunMode;
  /** Override `isara.promptsPerRound` for a new run. */
  readonly prompts?: number;
  /** Override `isara.rounds` for a new run. */
  readonly rounds?: number;
  /** A finished run whose round-0 evaluation of the base model this run reuses (`--baseline-from`). */
  readonly baselineFrom?: string | undefined;
  /** Machine-readable output: JSON lines of events on stdout, then one summary object. */
  readonly json: boolean;
  readonly signal: AbortSignal;
}

/**
 * `isara run`: starts a run in `runDir`, or resumes the one there. A new run snapshots the domain
 * (with overrides applied) into the run folder, so the resumed run uses exactly what it started with
 * even if the domain folder changes meanwhile.
 */
export async function runCommand(o: RunCommandOptions): Promise<RunState> {
  const match = (loaded: { domain: Domain; texts: { seeds: string; eval: string } }) => ({
    domain: loaded.domain,
    evalText: loaded.texts.eval,
    seedsText: loaded.texts.seeds,
    modelPath: o.modelPath,
  });
  const runDir = resolve(o.runDir);
  const snapshot = join(runDir, "domain");
  const resuming = await readFile(join(runDir, runFolder.state)).then(
    () => true,
    () => false,
  );
  let domain: Domain;
  let baseline: BaselineEvaluation | undefined;
  if (resuming) {
    const loaded = await loadDomain(snapshot);
    domain = loaded.domain;
    await checkRunModel(runDir, o.modelPath);
    checkTrainingFits(o.modelPath, o.mode, domain.config);
    checkFilterPorts(domain.config, o.mode, { judge: o.judge });
    if (o.baselineFrom !== undefined) baseline = await loadBaseline(resolve(o.baselineFrom), match(loaded));
  } else {
    const loaded = await loadDomain(o.domainDir);
    domain = withOverrides(loaded.domain, o);
    // Before the run folder is made: a refused run leaves nothing behind.
    const model = await runModelRecord(o.modelPath);
    checkTrainingFits(o.modelPath, o.mode, domain.config);
    checkFilterPorts(domain.config, o.mode, { judge: o.judge });
    if (o.baselineFrom !== undefined) {
      baseline = await loadBaseline(resolve(o.baselineFrom), match({ domain, texts: loaded.texts }));
    }
    await mkdir(snapshot, { recursive: true });
    await writeFile(join(snapshot, "domain.json"), `${JSON.stringify(domain.config, null, 2)}\n`);
    await writeFile(join(snapshot, "seeds.jsonl"), loaded.texts.seeds);
    await writeFile(join(snapshot, "eval.jsonl"), loaded.texts.eval);
    await writeRunModel(runDir, model);
  }
  const out = (line: string) => process.stdout.write(line);
  const view = o.json
    ? (e: unknown) => out(`${JSON.stringify(e)}\n`)
    : createProgressView({
        write: (t) => process.stderr.write(t),
        isTTY: process.stderr.isTTY === true,
        columns: process.stderr.columns,
      });
  const ports = await openEmbeddedPorts(runDir, o, (message) => view({ type: "log", message }));
  try {
    const state = await runEmbedded(
      {
        runId: runIdOfDir(runDir),
        domain,
        mode: o.mode,
        onEvent: view,
        signal: o.signal,
        ...(baseline ? { baseline } : {}),
      },
      ports,
    ).catch((err: unknown) => {
      throw withResumeHint(err, runDir);
    });
    const metrics = JSON.parse(await readFile(join(runDir, runFolder.metrics), "utf8")) as MetricsFile;
    if (o.json) {
      out(
        `${JSON.stringify({ type: "summary", runDir, status: state.status, stopReason: state.stopReason, metrics })}\n`,
      );
    } else {
      process.stderr.write(`\n${summaryTable(metrics)}\n\n`);
      const quality = qualityTable(metrics);
      if (quality !== null) process.stderr.write(`Sample quality (docs/sample-quality.md):\n${quality}\n\n`);
      process.stderr.write(
        `Run ${state.status}${state.stopReason ? ` (${state.stopReason})` : ""}. Report: ${join(runDir, "report", "report.html")}\n`,
      );
    }
    return state;
  } finally {
    await ports.close();
  }
}

function withOverrides(domain: Domain, o: Pick<RunCommandOptions, "prompts" | "rounds">): Domain {
  if (o.prompts === undefined && o.rounds === undefined) return domain;
  const isara = {
    ...domain.config.isara,
    ...(o.prompts !== undefined ? { promptsPerRound: o.prompts } : {}),
    ...(o.rounds !== undefined ? { rounds: o.rounds } : {}),
  };
  const parsed = domainConfigSchema.safeParse({ ...domain.config, isara });
  if (!parsed.success) {
    const why = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new IsaraError("invalid_argument", `--prompts/--rounds give an invalid config: ${why}`);
  }
  return { ...domain, config: parsed.data };
}

/**
 * A step that failed left the run folder consistent (state saved as `failed` at that step), so the
 * person's next move is to fix the cause and run the same command; say so under the error.
 */
function withResumeHint(err: unknown, runDir: string): unknown {
  if (!isIsaraError(err) || err.code === "cancelled") return err;
  return new IsaraError(
    err.code,
    `${err.message}\nThe run folder ${runDir} is consistent: fix the cause and run the same command to resume from this step.`,
    err.details,
    { cause: err },
  );
}
