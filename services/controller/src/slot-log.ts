/**
 * A phase's results as they arrive, one JSON line per slot appended to `<run>/controller/round-<t>/
 * <phase>.jsonl` (and flushed to disk) before the controller commits the Kafka offset of the result.
 * This is how per-run progress survives a restart: a restarted controller reads the log of each
 * active run's current phase and knows which slots are done, without re-reading any topic.
 *
 * A crash can leave the last line torn. Its result was not committed, so Kafka delivers it again;
 * reading drops a line that does not parse, and an append after a torn line starts a new line first,
 * so the torn one never swallows the row after it.
 */
import { mkdir, open } from "node:fs/promises";
import { dirname } from "node:path";
import { fromJsonl, toJsonl } from "@isara/contracts";
import type { ArtifactStore } from "@isara/core";

function hasSlot(row: unknown): row is { slot: number } {
  return typeof row === "object" && row !== null && Number.isInteger((row as { slot?: unknown }).slot);
}

/** One phase's slot log on the artifact volume. */
export class SlotLog<Row extends { readonly slot: number }> {
  constructor(
    private readonly artifacts: ArtifactStore,
    private readonly key: string,
  ) {}

  /** Rows in arrival order; a slot's first row wins (later ones are duplicates and are dropped). */
  async read(): Promise<Row[]> {
    const bytes = await this.artifacts.read(this.key);
    if (bytes === undefined) return [];
    const seen = new Set<number>();
    const rows: Row[] = [];
    // A line torn by a crash does not parse and is dropped: its result comes again.
    for (const row of fromJsonl<unknown>(new TextDecoder().decode(bytes))) {
      if (!hasSlot(row) || seen.has(row.slot)) continue;
      seen.add(row.slot);
      rows.push(row as Row);
    }
    return rows;
  }

  /** Appends one row and flushes it to disk; resolves once it is durable. */
  async append(row: Row): Promise<void> {
    const path = this.artifacts.locate(this.key);
    await mkdir(dirname(path), { recursive: true });
    const file = await open(path, "a+");
    try {
      const { size } = await file.stat();
      let prefix = "";
      if (size > 0) {
        const last = Buffer.alloc(1);
        await file.read(last, 0, 1, size - 1);
        if (last[0] !== 0x0a) prefix = "\n";
      }
      await file.appendFile(`${prefix}${toJsonl([row])}`);
      await file.datasync();
    } finally {
      await file.close();
    }
  }
}
