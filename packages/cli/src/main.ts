#!/usr/bin/env node
import { dirname, join, resolve } from "node:path";
/**
 * The `isara` command. The only file with process effects (argv, exit codes, signals); the commands
 * themselves are functions that take typed options.
 */
import { parseArgs } from "node:util";
import { IsaraError, isIsaraError, RUN_MODE_TABLE, RUN_MODES, type RunMode } from "@isara/core";
import { type ClassifierOptions, compareCommand } from "./compare-command.js";
import { loadDomain } from "./domain-files.js";
import type { JudgeOptions } from "./judge-options.js";
import { runCommand } from "./run-command.js";
import { defaultWiring } from "./wiring.js";

const USAGE = `isara — align a language model to a domain from a few seed examples (ISARA)

Usage:
  isara run <domain-dir> [options]     run ISARA on one machine (resumes the run in --run-dir if there is one)
  isara validate <domain-dir>          check a domain folder and say what to fix
  isara compare <run-dir>... [options] one table and chart across finished runs of one domain
                                       (ISARA and the baselines), re-scored from their stored answers

Options of run:
  --run-dir <dir>       run folder (default runs/<domain>-<mode>)
  --mode <mode>         ${RUN_MODES.join(" | ")} (default isara)
  --prompts <n>         new prompts per round (overrides the domain's isara.promptsPerRound)
  --rounds <n>          rounds (overrides isara.rounds)
  --model <file.gguf>   generation model (default: SmolLM2-135M-Instruct from the model cache)
  --embedder <dir>      sentence-embedding model folder (default: from the model cache)
  --python <path>       Python of the trainer's environment (default services/trainer/.venv/bin/python)
  --parallel <n>        sequences generated at once (default 2)
  --threads <n>         CPU threads for generation (default: all cores)
  --json                JSON lines on stdout instead of progress bars
  --baseline-from <dir> reuse round 0's base-model evaluation of a finished run of the same domain,
                        model, eval items and answer sampling (refused, saying what differs, otherwise)
  --judge-url <url>, --judge-model <name>, --judge-parallel <n>
                        an OpenAI-compatible judge for the judge-score filter (docs/filters.md)
Options of compare:
  --out <dir>                 where comparison.md/.svg/.json go (default: compare/ beside the first run)
  --judge-url <url>           OpenAI-compatible base URL of a judge model (adds judge scores, harm, win rate)
  --judge-model <name>        model name the judge endpoint serves (required with --judge-url)
  --judge-items <n>           judge only the first n eval items (default: all)
  --judge-parallel <n>        judge requests in flight (default 2); API key from ISARA_JUDGE_API_KEY
  --classifier-url <url>      moderation classifier base URL (adds the classifier's harmful rate)
  --classifier-format <f>     openai-moderations | tei (default openai-moderations)
  --classifier-label <label>  label whose score means harmful (required with --classifier-url)
  --classifier-threshold <t>  score at or above which an answer counts as harmful (default 0.5)
Modes:
${RUN_MODES.map((m) => `  ${m.padEnd(11)} ${RUN_MODE_TABLE[m].summary}`).join("\n")}
`;

/** Exit codes: 0 done, 1 failed, 2 bad input, 130 interrupted (resume with the same command). */
function exitCodeFor(err: unknown): number {
  if (
    isIsaraError(err, "invalid_argument") ||
    isIsaraError(err, "not_found") ||
    isIsaraError(err, "conflict")
  )
    return 2;
  if (isIsaraError(err, "cancelled")) return 130;
  return 1;
}

function positiveInt(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new IsaraError("invalid_argument", `--${name} must be a positive integer, got "${value}"`);
  return n;
}

type Values = Record<string, string | boolean | undefined>;

function judgeOptions(values: Values): JudgeOptions | undefined {
  const url = values["judge-url"];
  if (typeof url !== "string") return undefined;
  const model = values["judge-model"];
  if (typeof model !== "string")
    throw new IsaraError("invalid_argument", "--judge-url needs --judge-model <name the endpoint serves>");
  return {
    url,
    model,
    apiKey: process.env.ISARA_JUDGE_API_KEY,
    items: positiveInt("judge-items", values["judge-items"] as string | undefined),
    parallel: positiveInt("judge-parallel", values["judge-parallel"] as string | undefined) ?? 2,
  };
}

function classifierOptions(values: Values): ClassifierOptions | undefined {
  const url = values["classifier-url"];
  if (typeof url !== "string") return undefined;
  const label = values["classifier-label"];
  if (typeof label !== "string")
    throw new IsaraError(
      "invalid_argument",
      "--classifier-url needs --classifier-label <label meaning harmful>",
    );
  const format = values["classifier-format"];
  if (format !== "openai-moderations" && format !== "tei")
    throw new IsaraError(
      "invalid_argument",
      `--classifier-format must be openai-moderations or tei, got "${format}"`,
    );
  const threshold = Number(values["classifier-threshold"]);
  if (!(threshold >= 0 && threshold <= 1))
    throw new IsaraError("invalid_argument", "--classifier-threshold must be a number from 0 to 1");
  return { url, format, label, threshold };
}

async function main(argv: readonly string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      "run-dir": { type: "string" },
      mode: { type: "string", default: "isara" },
      prompts: { type: "string" },
      rounds: { type: "string" },
      model: { type: "string" },
      embedder: { type: "string" },
      python: { type: "string" },
      parallel: { type: "string" },
      threads: { type: "string" },
      "baseline-from": { type: "string" },
      json: { type: "boolean", default: false },
      out: { type: "string" },
      "judge-url": { type: "string" },
      "judge-model": { type: "string" },
      "judge-items": { type: "string" },
      "judge-parallel": { type: "string" },
      "classifier-url": { type: "string" },
      "classifier-format": { type: "string", default: "openai-moderations" },
      "classifier-label": { type: "string" },
      "classifier-threshold": { type: "string", default: "0.5" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  const [command, domainDir] = positionals;
  if (values.help || !command) {
    process.stdout.write(USAGE);
    return command || values.help ? 0 : 2;
  }
  const controller = new AbortController();
  let interrupts = 0;
  const onSignal = () => {
    interrupts++;
    if (interrupts > 1) process.exit(130);
    process.stderr.write(
      "\nStopping after the current step's in-flight work… (Ctrl-C again to quit at once)\n",
    );
    controller.abort();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  if (command === "compare") {
    await compareCommand({
      runDirs: positionals.slice(1),
      outDir: values.out ?? join(dirname(resolve(domainDir ?? ".")), "compare"),
      judge: judgeOptions(values),
      classifier: classifierOptions(values),
      json: values.json ?? false,
      signal: controller.signal,
    });
    return 0;
  }
  if (!domainDir)
    throw new IsaraError(
      "invalid_argument",
      `'isara ${command}' needs a domain folder, e.g. examples/domains/misconceptions`,
    );
  if (command === "validate") {
    const { domain } = await loadDomain(domainDir);
    process.stdout.write(
      `${domainDir}: domain "${domain.config.name}" is valid: ${domain.seeds.length} seeds, ${domain.eval.length} eval items\n`,
    );
    return 0;
  }
  if (command !== "run")
    throw new IsaraError(
      "invalid_argument",
      `unknown command '${command}'; use 'run', 'validate' or 'compare' (see --help)`,
    );
  const mode = values.mode as RunMode;
  if (!RUN_MODES.includes(mode))
    throw new IsaraError(
      "invalid_argument",
      `--mode must be one of ${RUN_MODES.join(", ")}, got "${values.mode}"`,
    );
  const wiring = defaultWiring();
  const state = await runCommand({
    domainDir,
    runDir: values["run-dir"] ?? `runs/${domainDir.split(/[\\/]/).filter(Boolean).at(-1)}-${mode}`,
    mode,
    prompts: positiveInt("prompts", values.prompts),
    rounds: positiveInt("rounds", values.rounds),
    json: values.json ?? false,
    signal: controller.signal,
    modelPath: values.model ?? wiring.modelPath,
    embedderDir: values.embedder ?? wiring.embedderDir,
    python: values.python ?? wiring.python,
    parallel: positiveInt("parallel", values.parallel) ?? 2,
    threads: positiveInt("threads", values.threads),
    judge: judgeOptions(values),
    baselineFrom: values["baseline-from"],
  });
  return state.status === "done" ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(`\nisara: ${message}\n`);
    if (!isIsaraError(err) && err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`);
    process.exitCode = exitCodeFor(err);
  },
);
