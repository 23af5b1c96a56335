/**
 * The sizes of the record batches a test broker stored, read from its log segments: what the broker
 * checked against its `message.max.bytes`, measured on its side rather than estimated by the client.
 */
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";

/** Bytes before a batch's own length counts: its base offset (int64) and the length field (int32). */
const BATCH_PREFIX_BYTES = 12;

/**
 * The size in bytes of each record batch in a log segment's contents, in file order: the log is batch
 * after batch, each a base offset, a length and that many bytes. A batch cut short at the end (the
 * broker still writing it) is left out.
 */
export function recordBatchSizesIn(segment: Buffer): number[] {
  const sizes: number[] = [];
  let at = 0;
  while (at + BATCH_PREFIX_BYTES <= segment.length) {
    const size = BATCH_PREFIX_BYTES + segment.readInt32BE(at + 8);
    if (size <= BATCH_PREFIX_BYTES || at + size > segment.length) break;
    sizes.push(size);
    at += size;
  }
  return sizes;
}

/**
 * The size in bytes of every record batch the broker whose data folder is `dataDir` (a
 * `KafkaBroker`'s, laid out by infra/kafka/start.sh: `data/<topic>-<partition>/*.log`) stored for
 * `topic`, over all its partitions; none for a topic it does not have.
 */
export async function recordBatchSizes(dataDir: string, topic: string): Promise<number[]> {
  const logDir = join(dataDir, "data");
  const partition = /^(.+)-(\d+)$/;
  const sizes: number[] = [];
  for (const folder of await readdir(logDir)) {
    if (partition.exec(folder)?.[1] !== topic) continue;
    for (const file of (await readdir(join(logDir, folder))).filter((f) => f.endsWith(".log")).sort()) {
      sizes.push(...recordBatchSizesIn(await readFile(join(logDir, folder, file))));
    }
  }
  return sizes;
}
