import { appendFile, mkdir, rm } from "node:fs/promises";
import { dirname } from "node:path";
import { fromJsonl, PARTIAL, toJsonl } from "@isara/contracts";
import type { ArtifactStore } from "@isara/core";

/**
 * A phase's output built slot by slot: finished slots are appended to `<key>.partial` at once, so a
 * phase killed halfway resumes with only the missing slots; when the phase completes, the rows are
 * written to `<key>` in slot order (atomically) and the partial file is removed.
 */
export class SlotCheckpoint<T extends { readonly slot: number }> {
  private readonly partialPath: string;

  constructor(
    private readonly artifacts: ArtifactStore,
    private readonly key: string,
  ) {
    this.partialPath = artifacts.locate(`${key}${PARTIAL}`);
  }

  /** Rows already finished by an earlier, interrupted attempt (last copy of a slot wins). */
  async done(): Promise<Map<number, T>> {
    const raw = await this.artifacts.read(`${this.key}${PARTIAL}`);
    const rows = raw ? fromJsonl<T>(new TextDecoder().decode(raw)) : [];
    return new Map(rows.map((r) => [r.slot, r]));
  }

  /** Records one finished slot. */
  async add(row: T): Promise<void> {
    await mkdir(dirname(this.partialPath), { recursive: true });
    await appendFile(this.partialPath, toJsonl([row]));
  }

  /** Writes the complete output in slot order and drops the partial file. */
  async complete(rows: Iterable<T>): Promise<T[]> {
    const ordered = [...rows].sort((a, b) => a.slot - b.slot);
    await this.artifacts.write(this.key, toJsonl(ordered));
    await rm(this.partialPath, { force: true });
    return ordered;
  }
}

/** Reads a JSONL artifact the runner wrote earlier; a missing one is a broken run folder. */
export async function readRows<T>(artifacts: ArtifactStore, key: string): Promise<T[]> {
  const raw = await artifacts.read(key);
  if (!raw) return [];
  return fromJsonl<T>(new TextDecoder().decode(raw));
}
