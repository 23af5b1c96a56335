import { IsaraError, isIsaraError } from "@isara/core";
import { linkSignals } from "./abort.js";
import { postJson } from "./http-request.js";
import type { ResolvedOpenAiOptions } from "./openai-options.js";

/**
 * The connection to one OpenAI-compatible server that both adapters share: builds URLs and headers,
 * runs requests through the retry loop, and on `close()` cancels every request in flight (they fail
 * with `unavailable` "closed", not `cancelled`, since their callers did not give up) and refuses new ones.
 */
export class OpenAiEndpoint {
  readonly config: ResolvedOpenAiOptions;
  /** One controller per request in flight, aborted on close. */
  readonly #active = new Set<AbortController>();
  readonly #inFlight = new Set<Promise<unknown>>();
  #closing: Promise<void> | undefined;

  constructor(config: ResolvedOpenAiOptions) {
    this.config = config;
  }

  /**
   * POSTs `body` to `{baseUrl}{path}` and returns the JSON answer. `model` is the name that was
   * asked for, quoted in the hint of a 404.
   */
  post(path: string, body: object, model: string, what: string, signal?: AbortSignal): Promise<unknown> {
    const run = this.#post(path, body, model, what, signal);
    this.#inFlight.add(run);
    const forget = (): void => {
      this.#inFlight.delete(run);
    };
    run.then(forget, forget);
    return run;
  }

  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #post(
    path: string,
    body: object,
    model: string,
    what: string,
    signal?: AbortSignal,
  ): Promise<unknown> {
    if (this.#closing !== undefined) throw closedError();
    const own = new AbortController();
    this.#active.add(own);
    const linked = linkSignals([signal, own.signal]);
    const { baseUrl, policy } = this.config;
    try {
      return await postJson({
        url: `${baseUrl}${path}`,
        body,
        headers: this.#headers(),
        policy,
        signal: linked.signal,
        what,
        hints: {
          notFound:
            `the server serves no model named "${model}" (or no ${path} route); ask GET ${baseUrl}/v1/models for ` +
            "the served names. For a LoRA adapter the request's adapter must be a name the server serves " +
            "(vLLM: --enable-lora --lora-modules NAME=PATH); check also that baseUrl is the server's root",
        },
      });
    } catch (err) {
      if (own.signal.aborted && !signal?.aborted && isIsaraError(err, "cancelled")) throw closedError();
      throw err;
    } finally {
      linked.dispose();
      this.#active.delete(own);
    }
  }

  /**
   * Caller headers, then the ones the protocol needs, so a caller cannot break the JSON exchange.
   * Headers from a function are checked here; a bad one is the caller's bug, not a network error.
   */
  #headers(): Headers {
    const { headers, apiKey } = this.config;
    let result: Headers;
    try {
      result = new Headers(typeof headers === "function" ? headers() : headers);
    } catch (err) {
      throw new IsaraError(
        "invalid_argument",
        `the headers option gave an invalid HTTP header (${(err as Error).message}); return only valid names and values`,
        undefined,
        { cause: err },
      );
    }
    result.set("content-type", "application/json");
    result.set("accept", "application/json");
    if (apiKey !== undefined) result.set("authorization", `Bearer ${apiKey}`);
    return result;
  }

  async #close(): Promise<void> {
    const closed = closedError();
    for (const controller of this.#active) controller.abort(closed);
    await Promise.allSettled([...this.#inFlight]);
  }
}

function closedError(): IsaraError {
  return new IsaraError(
    "unavailable",
    "the OpenAI-compatible client was closed; create a new one to send requests",
  );
}
