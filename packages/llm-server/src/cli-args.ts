import { parseArgs } from "node:util";
import { IsaraError } from "@isara/core";
import { LOG_LEVELS, type LogLevel } from "@isara/kit";
import { defaultModelPath } from "@isara/llm-llama";

/** Port the server listens on by default: vLLM's, so clients configured for a local vLLM work unchanged. */
export const DEFAULT_PORT = 8000;

/** The server's configuration, from the command line. */
export interface ServerConfig {
  /** GGUF model to serve. */
  readonly modelPath: string;
  /** Name the base model is served under (default: the model's file name without `.gguf`). */
  readonly modelName: string | undefined;
  readonly host: string;
  /** 0 picks a free port; the printed URL says which. */
  readonly port: number;
  /** Completions run at once; more requests queue. */
  readonly parallel: number | undefined;
  /** Tokens per sequence, prompt plus answer. */
  readonly contextSize: number | undefined;
  /** CPU threads in all. */
  readonly threads: number | undefined;
  /** LoRA adapters served as models: name → GGUF path. */
  readonly adapters: Readonly<Record<string, string>>;
  readonly logLevel: LogLevel;
  /** `--help` was given: print {@link USAGE} and exit. */
  readonly help: boolean;
}

/** What `isara-llm-server --help` prints. */
export const USAGE = `usage: isara-llm-server [options]

An OpenAI-compatible server (/v1/models, /v1/completions, /v1/chat/completions) over a GGUF model
run in process by llama.cpp. Prints the server's URL on one line of stdout; logs go to stderr.

  --model <gguf>         model to serve (default: $ISARA_LLM_MODEL, else the cached SmolLM2)
  --model-name <name>    name to serve it under (default: the file name without .gguf)
  --host <host>          address to listen on (default 127.0.0.1)
  --port <port>          port, 0 for any free one (default ${DEFAULT_PORT})
  --parallel <n>         completions at once (default 2)
  --context-size <n>     tokens per sequence, prompt plus answer (default 4096)
  --threads <n>          CPU threads in all (default: one per parallel completion)
  --adapter <name=path>  serve a GGUF LoRA adapter as model <name>; repeatable
  --log-level <level>    ${LOG_LEVELS.join(", ")} (default info)
  --help                 print this text`;

/**
 * Parses the command line; every problem (unknown flag, bad number, malformed or duplicate adapter)
 * is reported at once in one `invalid_argument` error, so a bad invocation is fixed in one go.
 * `env` only supplies the default model path.
 */
export function parseServerArgs(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): ServerConfig {
  let values: ReturnType<typeof parse>["values"];
  try {
    values = parse(argv).values;
  } catch (err) {
    throw new IsaraError(
      "invalid_argument",
      `${err instanceof Error ? err.message : String(err)}\n\n${USAGE}`,
    );
  }
  const problems: string[] = [];
  const integer = (flag: string, text: string | undefined, min: number, max: number): number | undefined => {
    if (text === undefined) return undefined;
    const n = Number(text);
    if (!/^\d+$/.test(text.trim()) || n < min || n > max) {
      problems.push(`--${flag} must be an integer from ${min} to ${max}, got "${text}"`);
    }
    return n;
  };
  const adapters: Record<string, string> = {};
  for (const spec of values.adapter ?? []) {
    const at = spec.indexOf("=");
    const name = spec.slice(0, at).trim();
    const path = spec.slice(at + 1).trim();
    if (at < 0 || name === "" || path === "") {
      problems.push(`--adapter must be name=path (e.g. round-1=out/adapter.gguf), got "${spec}"`);
    } else if (name in adapters) {
      problems.push(`--adapter "${name}" is given twice; give each adapter its own name`);
    } else {
      adapters[name] = path;
    }
  }
  const logLevel = values["log-level"] ?? "info";
  if (!isLogLevel(logLevel))
    problems.push(`--log-level must be one of ${LOG_LEVELS.join(", ")}, got "${logLevel}"`);
  const config: ServerConfig = {
    modelPath: values.model ?? defaultModelPath(env),
    modelName: values["model-name"],
    host: values.host ?? "127.0.0.1",
    port: integer("port", values.port, 0, 65535) ?? DEFAULT_PORT,
    parallel: integer("parallel", values.parallel, 1, 64),
    contextSize: integer("context-size", values["context-size"], 32, 1 << 20),
    threads: integer("threads", values.threads, 1, 1024),
    adapters,
    logLevel: isLogLevel(logLevel) ? logLevel : "info",
    help: values.help ?? false,
  };
  if (problems.length > 0) {
    throw new IsaraError("invalid_argument", `invalid arguments: ${problems.join("; ")}`, { problems });
  }
  return config;
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      model: { type: "string" },
      "model-name": { type: "string" },
      host: { type: "string" },
      port: { type: "string" },
      parallel: { type: "string" },
      "context-size": { type: "string" },
      threads: { type: "string" },
      adapter: { type: "string", multiple: true },
      "log-level": { type: "string" },
      help: { type: "boolean" },
    },
  });
}

function isLogLevel(value: string): value is LogLevel {
  return (LOG_LEVELS as readonly string[]).includes(value);
}
