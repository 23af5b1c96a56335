/**
 * A run's samples with their lineage, one page at a time, read from the run's folder on the shared
 * artifact store (`runArtifacts(run)`): round 0 is the seed set (from the run's domain snapshot), round
 * t ≥ 1 is `accepted.jsonl` then `rejected.jsonl` of that round, each in slot order. The artifact store
 * is read rather than the retrieval service because it alone keeps the rejected samples with every
 * verdict and its reason, which is what a person auditing a round needs.
 */
import { runArtifacts } from "@isara/contracts";
import { type ArtifactStore, IsaraError, type Sample, seedSamples } from "@isara/core";
import { decodeCursor, encodeCursor, isIndex } from "./cursor.js";

/** A sample as the API shows it (run and domain are in the URL, so they are left out). */
export interface SampleView {
  readonly id: string;
  readonly round: number;
  readonly setIndex: number;
  readonly slot: number;
  /** `true` when every filter accepted it (seeds always are). */
  readonly accepted: boolean;
  readonly prompt: string;
  readonly response: string;
  readonly lineage: {
    readonly promptDemos: readonly DemoView[];
    readonly answerDemos: readonly DemoView[];
    readonly promptTemplateVersion: string;
    readonly generatorModel: string;
    readonly verdicts: readonly {
      readonly filter: string;
      readonly accepted: boolean;
      readonly reason: string;
      readonly score: number | null;
    }[];
    readonly trainedBy: string | null;
  };
}

/** One in-context demo of a sample: its sample id, its set, its similarity (`null` for random picks). */
export interface DemoView {
  readonly id: string;
  readonly setIndex: number;
  readonly score: number | null;
}

/** Which samples to read. */
export interface SampleQuery {
  /** Only this round (0 = seeds); all rounds so far when absent. */
  readonly round?: number;
  /** Only accepted (`true`) or only rejected (`false`) samples; both when absent. */
  readonly accepted?: boolean;
  readonly cursor?: string;
  readonly limit: number;
}

/** The run being read: its controller id, domain, and the last round it has started. */
export interface SampleRun {
  readonly run: string;
  readonly domain: string;
  readonly lastRound: number;
}

/** One page of samples; `nextCursor` is `null` on the last page. */
export interface SamplePage {
  readonly samples: readonly SampleView[];
  readonly nextCursor: string | null;
}

/** One file of samples: a round's accepted or rejected set (round 0: the seeds, all accepted). */
interface Part {
  readonly round: number;
  readonly accepted: boolean;
}

function partsOf(query: SampleQuery, lastRound: number): Part[] {
  const first = query.round ?? 0;
  const last = query.round ?? lastRound;
  const parts: Part[] = [];
  for (let round = first; round <= last; round++) {
    if (query.accepted !== false) parts.push({ round, accepted: true });
    if (query.accepted !== true && round > 0) parts.push({ round, accepted: false });
  }
  return parts;
}

function view(sample: Sample, accepted: boolean): SampleView {
  const demo = (d: { id: string; setIndex: number; score: number | null }): DemoView => ({
    id: d.id,
    setIndex: d.setIndex,
    score: d.score ?? null,
  });
  const { lineage } = sample;
  return {
    id: sample.id,
    round: sample.round,
    setIndex: sample.setIndex,
    slot: sample.slot,
    accepted,
    prompt: sample.prompt,
    response: sample.response,
    lineage: {
      promptDemos: lineage.promptDemos.map(demo),
      answerDemos: lineage.answerDemos.map(demo),
      promptTemplateVersion: lineage.promptTemplateVersion,
      generatorModel: lineage.generatorModel,
      verdicts: lineage.verdicts.map((v) => ({ ...v, score: v.score ?? null })),
      trainedBy: lineage.trainedBy ?? null,
    },
  };
}

async function readJsonl(artifacts: ArtifactStore, key: string): Promise<unknown[]> {
  const bytes = await artifacts.read(key);
  if (bytes === undefined) return [];
  const lines = new TextDecoder().decode(bytes).split("\n");
  return lines
    .filter((line) => line.trim() !== "")
    .map((line, i) => {
      try {
        return JSON.parse(line) as unknown;
      } catch (err) {
        throw new IsaraError("internal", `${key} line ${i + 1} is not JSON`, undefined, { cause: err });
      }
    });
}

async function readPart(artifacts: ArtifactStore, run: SampleRun, part: Part): Promise<SampleView[]> {
  const keys = runArtifacts(run.run);
  if (part.round === 0) {
    const seeds = (await readJsonl(artifacts, keys.domainSeeds)) as { prompt: string; response: string }[];
    return seedSamples(run.run, run.domain, seeds).map((s) => view(s, true));
  }
  const key = part.accepted ? keys.accepted(part.round) : keys.rejected(part.round);
  return ((await readJsonl(artifacts, key)) as Sample[]).map((s) => view(s, part.accepted));
}

/**
 * The page of `run`'s samples that `query` asks for. Rounds whose files are not written yet read as
 * empty, so a running run shows what exists so far.
 * @throws IsaraError `invalid_argument` for a cursor that is not one of this list's.
 */
export async function readSamplePage(
  artifacts: ArtifactStore,
  run: SampleRun,
  query: SampleQuery,
): Promise<SamplePage> {
  const parts = partsOf(query, run.lastRound);
  let partIndex = 0;
  let offset = 0;
  if (query.cursor !== undefined) {
    const position = decodeCursor(query.cursor, (c) => {
      const index = parts.findIndex((p) => p.round === c.r && p.accepted === (c.a === 1));
      return index >= 0 && isIndex(c.i) ? { index, offset: c.i } : undefined;
    });
    partIndex = position.index;
    offset = position.offset;
  }
  const samples: SampleView[] = [];
  for (; partIndex < parts.length; partIndex++, offset = 0) {
    const part = parts[partIndex] as Part;
    const rows = await readPart(artifacts, run, part);
    const room = query.limit - samples.length;
    samples.push(...rows.slice(offset, offset + room));
    if (offset + room < rows.length) {
      return {
        samples,
        nextCursor: encodeCursor({ r: part.round, a: part.accepted ? 1 : 0, i: offset + room }),
      };
    }
    if (samples.length === query.limit) {
      const next = parts[partIndex + 1];
      const nextCursor =
        next === undefined ? null : encodeCursor({ r: next.round, a: next.accepted ? 1 : 0, i: 0 });
      return { samples, nextCursor };
    }
  }
  return { samples, nextCursor: null };
}
