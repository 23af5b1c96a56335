#!/usr/bin/env node
/**
 * `isara-stack`: the distributed mode on one machine, without Kubernetes.
 *
 *   isara-stack up [--dir runs/stack] [--model GGUF] [--llm-parallel 2]   start Kafka + every service
 *   isara-stack submit <domain-folder> [--dir ...] [--run-id ID] [--mode M] [--rounds R] [--prompts N]
 *   isara-stack status [--dir ...]                                           what runs, where, how it is
 *   isara-stack down [--dir ...]                                             stop everything (data stays)
 *
 * `make up` / `make down` run the first and last after setup and build. `up` returns once every
 * service is ready; a detached supervisor keeps them running (`stack-launch.ts`). `status` exits 0
 * only when every service runs and answers ready.
 */
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { IsaraError } from "@isara/core";
import { packageRootOf } from "@isara/kit";
import { defaultModelPath } from "@isara/llm-llama";
import { createGatewayClient } from "./gateway-client.js";
import { chooseVectorStore } from "./qdrant-process.js";
import { stopStackIn } from "./stack-down.js";
import { readStackFile } from "./stack-file.js";
import { launchStack } from "./stack-launch.js";
import { allRunning, formatStackStatus, readStackStatus } from "./stack-status.js";

const ROOT = resolve(packageRootOf(import.meta.url), "../..");
const say = (line: string): void => void process.stderr.write(`${line}\n`);

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    dir: { type: "string", default: join(ROOT, "runs/stack") },
    model: { type: "string" },
    "llm-parallel": { type: "string", default: "2" },
    "run-id": { type: "string" },
    mode: { type: "string" },
    rounds: { type: "string" },
    prompts: { type: "string" },
  },
});

function positiveInt(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1)
    throw new IsaraError("invalid_argument", `--${flag} '${text}' is not a positive integer`);
  return n;
}

function runningStack() {
  const file = readStackFile(values.dir);
  if (file === undefined) {
    throw new IsaraError("failed_precondition", `no stack runs in ${values.dir}; start one with 'make up'`);
  }
  return file;
}

async function up(): Promise<void> {
  const modelPath = values.model ?? defaultModelPath();
  if (!existsSync(modelPath)) {
    throw new IsaraError(
      "failed_precondition",
      `the model ${modelPath} is missing; run 'make setup' or pass --model`,
    );
  }
  const store = chooseVectorStore(ROOT);
  say(
    store.kind === "qdrant"
      ? `vector store: Qdrant (${store.bin}; QDRANT_BIN picks another binary)`
      : `vector store: LanceDB in ${join(values.dir, "lancedb")}, because ${store.why}`,
  );
  const stack = await launchStack({
    root: ROOT,
    ...(store.kind === "qdrant" ? { qdrantBin: store.bin } : {}),
    dir: values.dir,
    modelPath,
    trainerPython: process.env.ISARA_TRAINER_PYTHON ?? join(ROOT, "services/trainer/.venv/bin/python"),
    llmParallel: positiveInt("llm-parallel", values["llm-parallel"]) ?? 2,
    log: say,
  });
  say(`\nThe stack is up in ${stack.dir} (logs in ${join(stack.dir, "logs")}).`);
  say(`Supervisor: pid ${stack.supervisorPid} restarts crashed services (log: logs/stack.log).`);
  say("Status: node packages/stack/dist/main.js status");
  say(`Gateway: ${stack.gatewayUrl}   tenant: ${stack.tenant}   token: ${join(stack.dir, "token")}`);
  say(`Try:  node packages/stack/dist/main.js submit examples/domains/misconceptions --prompts 16`);
  say(`      curl -H "Authorization: Bearer $(cat ${join(stack.dir, "token")})" ${stack.gatewayUrl}/v1/runs`);
  say("Stop: make down");
}

async function submit(): Promise<void> {
  const folder = positionals[1];
  if (folder === undefined)
    throw new IsaraError(
      "invalid_argument",
      "submit needs a domain folder, e.g. examples/domains/misconceptions",
    );
  const file = runningStack();
  const client = createGatewayClient(file.gatewayUrl, readFileSync(file.tokenFile, "utf8").trim());
  const domain = await client.uploadDomain(folder);
  const overrides = {
    ...(values.rounds === undefined ? {} : { rounds: positiveInt("rounds", values.rounds) ?? 1 }),
    ...(values.prompts === undefined ? {} : { promptsPerRound: positiveInt("prompts", values.prompts) ?? 1 }),
  };
  const run = await client.createRun({
    domain,
    ...(values.mode === undefined ? {} : { mode: values.mode }),
    ...(values["run-id"] === undefined ? {} : { runId: values["run-id"] }),
    ...(Object.keys(overrides).length === 0 ? {} : { overrides }),
  });
  say(`run ${run.id} of domain ${domain} started; following it (Ctrl-C stops following, not the run)`);
  const end = await client.waitForRun(run.id, {
    onChange: (r) =>
      say(
        `  round ${r.round} ${r.phase ?? ""} ${r.progress ? `${r.progress.done}/${r.progress.total}` : ""}`,
      ),
  });
  process.stdout.write(`${JSON.stringify(end, null, 2)}\n`);
  if (end.state !== "done") process.exitCode = 1;
}

async function status(): Promise<void> {
  const observed = await readStackStatus(values.dir);
  if (observed === undefined) {
    throw new IsaraError("failed_precondition", `no stack runs in ${values.dir}; start one with 'make up'`);
  }
  process.stdout.write(`${formatStackStatus(observed).join("\n")}\n`);
  if (!allRunning(observed)) process.exitCode = 1;
}

async function main(): Promise<void> {
  switch (positionals[0]) {
    case "up":
      return up();
    case "down":
      if (!(await stopStackIn(ROOT, values.dir, say))) say(`no stack runs in ${values.dir}`);
      return;
    case "status":
      return status();
    case "submit":
      return submit();
    default:
      throw new IsaraError(
        "invalid_argument",
        `unknown command '${positionals[0] ?? ""}'; use up, submit, status or down`,
      );
  }
}

main().catch((err: unknown) => {
  say(`isara-stack: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
});
