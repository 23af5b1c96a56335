/**
 * What both work handlers share: their dependencies, and the one place that decides which model
 * writes a slot and under which name it enters lineage.
 */
import { createRunDomains, type RunDomains } from "@isara/contracts";
import { type ArtifactStore, IsaraError, type ModelRef } from "@isara/core";
import type { LlmBackend } from "@isara/llm-backends";
import type { DemoSource } from "./demo-source.js";
import type { GenerationMetrics } from "./service-metrics.js";

/** What the handlers work with. */
export interface SlotHandlerDeps {
  /** Where slot records are kept (the shared artifact volume). */
  readonly artifacts: ArtifactStore;
  readonly backend: LlmBackend;
  /** The retrieval service's demo choice. */
  readonly demos: DemoSource;
  readonly metrics: GenerationMetrics;
  /**
   * The runs' domain snapshots, where a slot's sampling and token budget come from; pass one cache to
   * both handlers so a run's snapshot is read once (default: a cache of the handler's own over
   * `artifacts`).
   */
  readonly domains?: RunDomains;
}

/** The snapshot cache `deps` gives, or a new one over its artifact store. */
export function runDomainsOf(deps: SlotHandlerDeps): RunDomains {
  return deps.domains ?? createRunDomains(deps.artifacts);
}

/** The model a work asks for, as this backend runs it. */
export interface Writer {
  /** `CompletionRequest.adapter`: a GGUF path for llama, a served name for openai; none = base model. */
  readonly adapter: string | undefined;
  /**
   * Lineage name: the backend's model id, plus `+<adapter reference>` as the work named it (not the
   * resolved path), the form the embedded mode records, so it is the same on every replica.
   */
  readonly generatorModel: string;
}

/**
 * The writer of `model` on `backend`.
 * @throws IsaraError `failed_precondition` when the backend runs another base model: no retry helps
 *   (the work is dead-lettered and the controller fails the run with this reason).
 */
export function writerFor(backend: LlmBackend, model: ModelRef): Writer {
  if (!backend.serves(model.baseModel)) {
    throw new IsaraError(
      "failed_precondition",
      `this generation service runs model "${backend.llm.modelId}", but the work asks for "${model.baseModel}"; ` +
        "deploy a generation service for that model or start the run with this one",
    );
  }
  if (model.adapter === undefined) return { adapter: undefined, generatorModel: backend.llm.modelId };
  return {
    adapter: backend.adapterFor(model.adapter),
    generatorModel: `${backend.llm.modelId}+${model.adapter}`,
  };
}
