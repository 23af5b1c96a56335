#!/usr/bin/env node
/**
 * The `isara` command. The only file with process effects (argv, exit codes, signals); the commands
 * themselves are functions that take typed options.
 */
import { parseArgs } from "node:util";
import { IsaraError, isIsaraError, RUN_MODE_TABLE, RUN_MODES, type RunMode } from "@isara/core";
import { loadDomain } from "./domain-files.js";
import { runCommand } from "./run-command.js";
import { defaultWiring } from "./wiring.js";

const USAGE = `isara — align a language model to a domain from a few seed examples (ISARA)

Usage:
  isara run <domain-dir> [options]     run ISARA on one machine (resumes the run in --run-dir if there is one)
  isara validate <domain-dir>          check a domain folder and say what to fix

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
      json: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  const [command, domainDir] = positionals;
  if (values.help || !command) {
    process.stdout.write(USAGE);
    return command || values.help ? 0 : 2;
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
      `unknown command '${command}'; use 'run' or 'validate' (see --help)`,
    );
  const mode = values.mode as RunMode;
  if (!RUN_MODES.includes(mode))
    throw new IsaraError(
      "invalid_argument",
      `--mode must be one of ${RUN_MODES.join(", ")}, got "${values.mode}"`,
    );
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
