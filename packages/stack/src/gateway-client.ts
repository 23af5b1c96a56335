/**
 * A small client of the gateway's REST API for what a person trying the local stack does: upload a
 * domain folder, start a run, follow it to the end. The same calls a platform team's tooling makes;
 * the end-to-end tests and the distributed benchmark use it so they exercise the public API.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { decodeUtf8, IsaraError } from "@isara/core";

/** A run as `GET /v1/runs/:id` shows it (the fields this client reads). */
export interface RunView {
  readonly id: string;
  readonly state: "queued" | "running" | "done" | "failed" | "cancelled";
  readonly round: number;
  readonly phase: string | null;
  readonly progress: { readonly done: number; readonly total: number } | null;
  readonly stopReason: string | null;
  readonly error: { readonly code: string; readonly message: string } | null;
  readonly rounds: readonly Record<string, unknown>[];
}

/** `POST /v1/runs` body. */
export interface CreateRunBody {
  readonly domain: string;
  readonly mode?: string;
  readonly runId?: string;
  readonly overrides?: Readonly<Record<string, number | string>>;
}

/** The calls of {@link createGatewayClient}. */
export interface GatewayClient {
  /**
   * Uploads `domain.json`, `seeds.jsonl`, `eval.jsonl` of a folder; returns the domain's name. A file
   * that is not UTF-8 is refused here with its line, before anything is sent.
   */
  uploadDomain(folder: string): Promise<string>;
  createRun(body: CreateRunBody): Promise<RunView>;
  getRun(id: string): Promise<RunView>;
  /** Polls until the run is no longer queued or running; `onChange` sees each new phase or progress. */
  waitForRun(
    id: string,
    options?: { timeoutMs?: number; onChange?: (run: RunView) => void },
  ): Promise<RunView>;
  /** Any GET under the API, e.g. `/v1/runs/r1/samples?round=1`. */
  get(path: string): Promise<unknown>;
}

async function jsonl(path: string): Promise<unknown[]> {
  const lines = decodeUtf8(await readFile(path), path)
    .split("\n")
    .filter((l) => l.trim() !== "");
  return lines.map((line, i) => {
    try {
      return JSON.parse(line) as unknown;
    } catch {
      throw new IsaraError("invalid_argument", `${path}:${i + 1} is not JSON; fix that line`);
    }
  });
}

/** A client of the gateway at `baseUrl` acting as the tenant of `token`. */
export function createGatewayClient(baseUrl: string, token: string): GatewayClient {
  const call = async (method: string, path: string, body?: unknown): Promise<unknown> => {
    const res = await fetch(`${baseUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    const parsed = text === "" ? undefined : (JSON.parse(text) as unknown);
    if (!res.ok) {
      const error = (parsed as { error?: { code?: string; message?: string; details?: unknown } })?.error;
      throw new IsaraError(
        res.status === 404 ? "not_found" : res.status >= 500 ? "unavailable" : "invalid_argument",
        `${method} ${path} answered ${res.status}: ${error?.message ?? text}${error?.details === undefined ? "" : ` ${JSON.stringify(error.details)}`}`,
      );
    }
    return parsed;
  };
  const getRun = async (id: string) => (await call("GET", `/v1/runs/${encodeURIComponent(id)}`)) as RunView;
  return {
    uploadDomain: async (folder) => {
      const configPath = join(folder, "domain.json");
      const config = JSON.parse(decodeUtf8(await readFile(configPath), configPath)) as { name?: string };
      const body = {
        config,
        seeds: await jsonl(join(folder, "seeds.jsonl")),
        eval: await jsonl(join(folder, "eval.jsonl")),
      };
      await call("POST", "/v1/domains", body);
      return String(config.name);
    },
    createRun: async (body) => (await call("POST", "/v1/runs", body)) as RunView,
    getRun,
    waitForRun: async (id, options = {}) => {
      const deadline = Date.now() + (options.timeoutMs ?? 6 * 3600_000);
      let last = "";
      for (;;) {
        let run: RunView;
        try {
          run = await getRun(id);
        } catch (err) {
          // The gateway answers 503 while the controller restarts: keep following the run.
          if (!(err instanceof IsaraError && err.code === "unavailable") || Date.now() > deadline) throw err;
          await new Promise((r) => setTimeout(r, 1000));
          continue;
        }
        const seen = `${run.state} ${run.round} ${run.phase} ${run.progress?.done}/${run.progress?.total}`;
        if (seen !== last) options.onChange?.(run);
        last = seen;
        // A queued run waits for its tenant to have room; it is not over.
        if (run.state !== "running" && run.state !== "queued") return run;
        if (Date.now() > deadline) {
          throw new IsaraError("deadline_exceeded", `run ${id} is still ${seen} after the wait`);
        }
        await new Promise((r) => setTimeout(r, 500));
      }
    },
    get: (path) => call("GET", path),
  };
}
