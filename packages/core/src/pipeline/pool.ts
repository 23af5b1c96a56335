import { IsaraError } from "../index.js";

/**
 * Runs `work(item, index)` over `items` with at most `concurrency` in flight and returns results in
 * input order. Generation backends run a few sequences at once; keeping exactly that many requests
 * in flight keeps every core busy without queueing thousands of promises. Stops starting new work
 * once `signal` aborts, and rejects with the first error after the in-flight work settles.
 */
export async function mapPool<T, R>(
  items: readonly T[],
  concurrency: number,
  work: (item: T, index: number) => Promise<R>,
  signal?: AbortSignal,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let failure: unknown;
  const worker = async () => {
    while (failure === undefined && next < items.length) {
      if (signal?.aborted) {
        failure ??= new IsaraError("cancelled", "stopped on request");
        return;
      }
      const index = next++;
      try {
        results[index] = await work(items[index] as T, index);
      } catch (err) {
        failure ??= err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, worker));
  if (failure !== undefined) throw failure;
  return results;
}
