import { IsaraError, type Sample, type SampleQuery, type ScoredSample, type VectorStore } from "@isara/core";
import { type Connection, connect, makeArrowTable, type Table } from "@lancedb/lancedb";
import { DataType, type FixedSizeList } from "apache-arrow";
import { sampleFilter } from "./sample-filter.js";
import { fromRow, SAMPLE_COLUMNS, sampleSchema, toRow, VECTOR_COLUMN } from "./sample-row.js";
import { checkSample, checkVector } from "./vector-input.js";

/** Where and how a {@link LanceVectorStore} keeps its table. */
export interface LanceVectorStoreOptions {
  /** Folder of the LanceDB database (e.g. `<run folder>/vectors`); created when missing. */
  readonly dir: string;
  /** Length of every embedding (the embedder's `dimension`); checked against an existing table. */
  readonly dimension: number;
  /** Table name; default `samples`. */
  readonly table?: string;
}

/**
 * The VectorStore port over LanceDB on local disk: one table of samples with their prompt
 * embeddings and full lineage. Search is exact (no ANN index: a run holds thousands of samples, not
 * millions), uses LanceDB's cosine distance and reports cosine similarity (`1 - distance`), so scores
 * do not depend on vector length. Filters are built from validated numbers and quoted strings only.
 * Upserts merge on `id`, so retried steps never double a sample; writes (upserts and run deletions)
 * from one process are queued so they never race each other's commits.
 */
export class LanceVectorStore implements VectorStore {
  private closed = false;
  private writes: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly db: Connection,
    private readonly table: Table,
    /** Length of every vector in the store. */
    readonly dimension: number,
  ) {}

  /** Opens (or creates) the table; fails with `failed_precondition` if it holds vectors of another length. */
  static async open(options: LanceVectorStoreOptions): Promise<LanceVectorStore> {
    const { dir, dimension } = options;
    if (!Number.isInteger(dimension) || dimension < 1) {
      throw new IsaraError(
        "invalid_argument",
        `vector dimension must be a positive integer, got ${dimension}`,
      );
    }
    const name = options.table ?? "samples";
    const db = await lanceCall(`open the vector store in ${dir}`, () => connect(dir));
    try {
      const table = await lanceCall(`open table ${name} in ${dir}`, async () =>
        (await db.tableNames()).includes(name)
          ? db.openTable(name)
          : db.createEmptyTable(name, sampleSchema(dimension), { mode: "create", existOk: true }),
      );
      const vectorField = (await table.schema()).fields.find((f) => f.name === VECTOR_COLUMN);
      // LanceDB returns schema objects from its own copy of apache-arrow: compare type ids, not classes.
      const type: DataType | undefined = vectorField?.type;
      const stored = type && DataType.isFixedSizeList(type) ? (type as FixedSizeList).listSize : undefined;
      if (stored !== dimension) {
        table.close();
        throw new IsaraError(
          "failed_precondition",
          `the vector store in ${dir} holds ${stored ?? "no"}-d vectors, but the embedder gives ${dimension}-d ` +
            "vectors; use the embedding model the run started with, or start a new run",
          { dir, stored, dimension },
        );
      }
      return new LanceVectorStore(db, table, dimension);
    } catch (err) {
      db.close();
      throw err;
    }
  }

  /** Inserts or replaces samples by id; within one call the last copy of an id wins. */
  async upsert(samples: readonly Sample[], vectors: readonly Float32Array[]): Promise<void> {
    this.checkOpen();
    if (samples.length !== vectors.length) {
      throw new IsaraError(
        "invalid_argument",
        `upsert got ${samples.length} samples but ${vectors.length} vectors; give one prompt embedding per sample`,
      );
    }
    const rows = new Map<string, Record<string, unknown>>();
    samples.forEach((sample, i) => {
      checkSample(sample, i);
      rows.set(sample.id, toRow(sample, checkVector(vectors[i], this.dimension, `vectors[${i}]`)));
    });
    if (rows.size === 0) return;
    const data = makeArrowTable([...rows.values()], { schema: sampleSchema(this.dimension) });
    const write = this.writes.then(() =>
      lanceCall("write samples to the vector store", () =>
        this.table.mergeInsert("id").whenMatchedUpdateAll().whenNotMatchedInsertAll().execute(data),
      ),
    );
    this.writes = write.catch(() => undefined);
    await write;
  }

  /** The `k` samples matching `query` with the highest cosine similarity to `vector`, best first. */
  async search(vector: Float32Array, k: number, query: SampleQuery): Promise<ScoredSample[]> {
    this.checkOpen();
    checkVector(vector, this.dimension, "the query vector");
    if (!Number.isInteger(k) || k < 0) {
      throw new IsaraError("invalid_argument", `k must be a non-negative integer, got ${k}`);
    }
    const filter = sampleFilter(query);
    if (k === 0) return [];
    await this.writes;
    const rows = await lanceCall("search the vector store", () =>
      this.table
        .vectorSearch(vector)
        .distanceType("cosine")
        .where(filter)
        .select([...SAMPLE_COLUMNS, "_distance"])
        .limit(k)
        .toArray(),
    );
    return rows
      .map((row: Record<string, unknown>) => ({ sample: fromRow(row), score: 1 - Number(row._distance) }))
      .sort((a, b) => b.score - a.score || bySetAndSlot(a.sample, b.sample));
  }

  /** Every sample matching `query`, in (setIndex, slot) order (ties by id). */
  async list(query: SampleQuery): Promise<Sample[]> {
    this.checkOpen();
    const filter = sampleFilter(query);
    await this.writes;
    const rows = await lanceCall("list samples in the vector store", () =>
      this.table
        .query()
        .where(filter)
        .select([...SAMPLE_COLUMNS])
        .toArray(),
    );
    return rows.map((row: Record<string, unknown>) => fromRow(row)).sort(bySetAndSlot);
  }

  /**
   * Deletes every sample of `run` and resolves with how many there were. Queued behind the writes
   * in flight like an upsert, so a deletion never races a commit and an upsert issued after it is
   * kept; LanceDB commits the delete atomically, so a crash leaves all or none of the run.
   */
  async deleteRun(run: string): Promise<number> {
    this.checkOpen();
    const filter = sampleFilter({ run });
    const write = this.writes.then(async () => {
      const count = await lanceCall(`count the samples of run ${run}`, () => this.table.countRows(filter));
      if (count > 0) await lanceCall(`delete the samples of run ${run}`, () => this.table.delete(filter));
      return count;
    });
    this.writes = write.catch(() => undefined);
    return write;
  }

  /** Waits for queued writes, then releases the table and the connection; later calls fail. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.writes;
    this.table.close();
    this.db.close();
  }

  private checkOpen(): void {
    if (this.closed) throw new IsaraError("failed_precondition", "the vector store is closed; open it again");
  }
}

function bySetAndSlot(a: Sample, b: Sample): number {
  return a.setIndex - b.setIndex || a.slot - b.slot || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/**
 * Runs a LanceDB call and turns its failures into IsaraErrors: a full disk becomes
 * `resource_exhausted` (LanceDB commits atomically, so nothing written before is lost), a permission
 * problem `permission_denied`, anything else `internal` with the original error as cause.
 */
async function lanceCall<T>(action: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (err instanceof IsaraError) throw err;
    const message = err instanceof Error ? err.message : String(err);
    if (/no space left on device|ENOSPC|quota exceeded/i.test(message)) {
      throw new IsaraError(
        "resource_exhausted",
        `disk full: could not ${action}; free space and rerun (samples stored earlier are intact)`,
        undefined,
        { cause: err },
      );
    }
    if (/permission denied|EACCES|read-only file system/i.test(message)) {
      throw new IsaraError(
        "permission_denied",
        `no permission to ${action}: make the folder writable by this user or choose another run folder`,
        undefined,
        { cause: err },
      );
    }
    throw new IsaraError("internal", `could not ${action}: ${message}`, undefined, { cause: err });
  }
}

/** Opens (or creates) the LanceDB vector store (same as {@link LanceVectorStore.open}), for wiring code. */
export function openLanceVectorStore(options: LanceVectorStoreOptions): Promise<LanceVectorStore> {
  return LanceVectorStore.open(options);
}
