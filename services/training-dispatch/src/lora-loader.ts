/**
 * Makes a freshly trained adapter servable: vLLM servers started with `--enable-lora` (and
 * VLLM_ALLOW_RUNTIME_LORA_UPDATING) load a LoRA adapter at run time through
 * `POST /v1/load_lora_adapter {lora_name, lora_path}`, after which a completion request naming
 * `lora_name` as its model uses it. The name is the adapter's artifact key, which is what the
 * controller puts in the next work's ModelRef (ADAPTER_REFERENCE=adapter), so generation and
 * evaluation ask for it by that name. Every server of the fleet gets it; one already holding it
 * (a redelivered TrainWork) counts as loaded.
 */
import { IsaraError } from "@isara/core";

/** Loads adapters into the serving fleet. */
export interface LoraLoader {
  /**
   * Loads the adapter at `path` (a PEFT folder on the volume the servers mount) as `name` on every server.
   * @throws IsaraError `unavailable` naming each server that did not take it (the TrainWork is retried).
   */
  load(name: string, path: string): Promise<void>;
}

/** A loader for the vLLM servers at `baseUrls` (e.g. `http://vllm-0.vllm:8000`); none = nothing to do. */
export function createLoraLoader(
  baseUrls: readonly string[],
  options: { readonly timeoutMs?: number; readonly fetch?: typeof fetch } = {},
): LoraLoader {
  const get = options.fetch ?? fetch;
  return {
    async load(name, path) {
      const problems: string[] = [];
      for (const base of baseUrls) {
        const url = `${base.replace(/\/+$/, "")}/v1/load_lora_adapter`;
        try {
          const res = await get(url, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({ lora_name: name, lora_path: path }),
            signal: AbortSignal.timeout(options.timeoutMs ?? 60_000),
          });
          if (res.ok) continue;
          const text = (await res.text()).slice(0, 300);
          // vLLM answers 400 "... has already been loaded" to a second load of the same name.
          if (res.status === 400 && /already been loaded/i.test(text)) continue;
          problems.push(`${url}: HTTP ${res.status} ${text}`);
        } catch (err) {
          problems.push(`${url}: ${err instanceof Error ? err.message : String(err)}`);
        }
      }
      if (problems.length > 0) {
        throw new IsaraError(
          "unavailable",
          `adapter ${name} could not be loaded into the serving fleet:\n  ${problems.join("\n  ")}`,
          problems,
        );
      }
    },
  };
}
