/**
 * SelectDemos over the VectorStore: reads the sets (or searches them) and hands them to core's pure
 * selectors, so the service picks exactly what the embedded wiring picks from the same data and seed.
 */
import {
  createRng,
  type DemoSelection,
  IsaraError,
  type Sample,
  type ScoredSample,
  selectNearestDemos,
  selectRandomDemos,
  type VectorStore,
} from "@isara/core";

/** Extra hits asked per set beyond its quota, since hits equal to the question or repeated are skipped. */
const SEARCH_SLACK = 8;
/** Largest search per set; beyond it a set with that many exact duplicates gives fewer demos. */
const MAX_SEARCH = 8192;

function requireSeeds(run: string, quotas: readonly number[], seeds: number): void {
  if ((quotas[0] ?? 0) > 0 && seeds === 0) {
    throw new IsaraError(
      "failed_precondition",
      `run ${JSON.stringify(run)} has no seed samples stored (set 0 is empty); upsert the seeds before selecting demos`,
    );
  }
}

/**
 * Random demos: `quotas[i]` uniform picks of set i, shuffled together (core's selectRandomDemos)
 * with an rng seeded by `seed`, so the same seed and stored sets give the same picks on every call.
 * Sets are read in (setIndex, slot) order, the order both stores list in.
 * @throws IsaraError `failed_precondition` when the seeds are asked for but none are stored.
 */
export async function selectRandomFromStore(
  store: VectorStore,
  run: string,
  quotas: readonly number[],
  seed: number,
): Promise<DemoSelection> {
  const sets: Sample[][] = await Promise.all(
    quotas.map((quota, setIndex) => (quota > 0 ? store.list({ run, setIndex }) : Promise.resolve([]))),
  );
  requireSeeds(run, quotas, sets[0]?.length ?? 0);
  return selectRandomDemos(sets, quotas, createRng(seed));
}

/**
 * Nearest-neighbour demos for `prompt` (core's selectNearestDemos): per set, the most similar hits,
 * skipping hits whose prompt is exactly `prompt` and prompts already picked. Each set is searched for
 * its quota plus a slack; a set that came back full but gave fewer picks than its quota (too many
 * skipped hits) is searched again with twice the depth, so skipping never costs a demo that exists.
 * @throws IsaraError `failed_precondition` when the seeds are asked for but none are stored.
 */
export async function selectNearestFromStore(
  store: VectorStore,
  run: string,
  quotas: readonly number[],
  prompt: string,
  vector: Float32Array,
): Promise<DemoSelection> {
  const depth = quotas.map((quota) => (quota > 0 ? quota + SEARCH_SLACK : 0));
  const search = (setIndex: number): Promise<ScoredSample[]> =>
    (depth[setIndex] ?? 0) > 0
      ? store.search(vector, depth[setIndex] ?? 0, { run, setIndex })
      : Promise.resolve([]);
  const results = await Promise.all(quotas.map((_, setIndex) => search(setIndex)));
  requireSeeds(run, quotas, results[0]?.length ?? 0);
  for (;;) {
    const selection = selectNearestDemos(prompt, results, quotas);
    const picked = quotas.map(() => 0);
    for (const pick of selection.picks) picked[pick.ref.setIndex] = (picked[pick.ref.setIndex] ?? 0) + 1;
    const deeper = quotas
      .map((_, setIndex) => setIndex)
      .filter((setIndex) => {
        const full = (results[setIndex]?.length ?? 0) >= (depth[setIndex] ?? 0);
        const short = (picked[setIndex] ?? 0) < (quotas[setIndex] ?? 0);
        return full && short && (depth[setIndex] ?? 0) < MAX_SEARCH;
      });
    if (deeper.length === 0) return selection;
    for (const setIndex of deeper) depth[setIndex] = Math.min(MAX_SEARCH, (depth[setIndex] ?? 0) * 2);
    await Promise.all(
      deeper.map(async (setIndex) => {
        results[setIndex] = await search(setIndex);
      }),
    );
  }
}
