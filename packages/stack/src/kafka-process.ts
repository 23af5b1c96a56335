/**
 * The stack's Kafka broker, through the repository's own scripts (`infra/kafka/start.sh` formats a
 * KRaft single node on first use and starts it in the background on loopback; `stop.sh` stops it).
 * The data folder is kept, so `make up` after `make down` finds the same topics and offsets.
 */
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { IsaraError } from "@isara/core";

const run = promisify(execFile);

async function script(root: string, name: string, args: readonly string[]): Promise<string> {
  try {
    const { stdout } = await run("bash", [join(root, "infra/kafka", name), ...args], {
      timeout: 180_000,
      maxBuffer: 1 << 20,
    });
    return stdout;
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new IsaraError("unavailable", `infra/kafka/${name} failed: ${(e.stderr ?? e.message).trim()}`);
  }
}

/** Starts the broker on `dataDir` and returns its bootstrap address, `127.0.0.1:PORT`. */
export async function startBroker(root: string, dataDir: string): Promise<string> {
  const out = await script(root, "start.sh", ["--data-dir", dataDir, "--timeout", "120"]);
  const bootstrap = out.trim().split("\n").pop() ?? "";
  if (!/^127\.0\.0\.1:\d+$/.test(bootstrap)) {
    throw new IsaraError("internal", `infra/kafka/start.sh printed '${bootstrap}', not 127.0.0.1:PORT`);
  }
  return bootstrap;
}

/** Stops the broker of `dataDir`, if one runs there. */
export async function stopBroker(root: string, dataDir: string): Promise<void> {
  await script(root, "stop.sh", ["--data-dir", dataDir]);
}
