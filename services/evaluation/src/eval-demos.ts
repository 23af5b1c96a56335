/**
 * The in-context demos an evaluated model sees before each eval question (the ICL baselines), chosen
 * exactly as the embedded mode chooses them, so both modes score the same prompts.
 */
import {
  createRng,
  type Domain,
  deriveSeed,
  type EvalContext,
  IsaraError,
  sampleWithoutReplacement,
} from "@isara/core";
import type { DemoProvider } from "@isara/evaluators";

/**
 * The demo provider for `evaluation`: none for zero-shot; for random ICL, `min(K, seeds)` seeds drawn
 * per question with `deriveSeed(isara.seed, "eval-demos", index)` (the embedded rule).
 * @throws IsaraError `failed_precondition` for kNN ICL: the nearest seeds come from the retrieval
 *   service (embeddings and a vector store), which this service does not call yet; run the icl-knn
 *   baseline in the embedded mode meanwhile.
 */
export function demoProviderFor(evaluation: EvalContext, domain: Domain): DemoProvider | undefined {
  if (evaluation.kind === "zero-shot") return undefined;
  if (evaluation.selection === "knn") {
    throw new IsaraError(
      "failed_precondition",
      "in-context evaluation with kNN demos needs the retrieval service, which the distributed evaluation " +
        "does not call yet; run the icl-knn baseline in the embedded mode (isara run --mode icl-knn)",
    );
  }
  const seeds = domain.seeds;
  const k = Math.min(evaluation.demos, seeds.length);
  const seed = domain.config.isara.seed;
  return async (_question, index) =>
    sampleWithoutReplacement(createRng(deriveSeed(seed, "eval-demos", index)), seeds, k);
}
