import type {
  ArtifactStore,
  Clock,
  Embedder,
  Llm,
  RunState,
  RunStore,
  SampleJudge,
  Tokenizer,
  Trainer,
  VectorStore,
} from "@isara/core";

/**
 * Everything the embedded runner needs, as ports. The CLI plugs in llama.cpp, the packaged encoder,
 * LanceDB, the Python trainer and the run folder; tests plug in the same real adapters on small data.
 */
export interface EmbeddedPorts {
  readonly llm: Llm;
  readonly tokenizer: Tokenizer;
  readonly embedder: Embedder;
  readonly store: VectorStore;
  readonly trainer: Trainer;
  /** Rooted at the run folder. */
  readonly artifacts: ArtifactStore;
  /** Saves the run state in the run folder. */
  readonly runStore: RunStore<RunState>;
  readonly clock: Clock;
  /** Base model as the trainer loads it (the same GGUF the Llm runs). */
  readonly baseModel: string;
  /** A judge model for the `judge-score` filter, when the run was given one (`--judge-url`). */
  readonly judge?: SampleJudge;
}
