/**
 * `round-<t>/quality.json`: a round's sample-quality figures (core's `RoundQuality`), written by the
 * filter pass of either mode (the embedded runner, the filtering service) next to the sets it
 * judged, and read back into `metrics.json` by whoever writes that (the embedded runner, the
 * controller), so the figures reach the summary table, the report and the API in both modes.
 */
import type { ArtifactStore, RoundQuality } from "@isara/core";
import { runFolder } from "./run-folder.js";

/** The text of `quality.json`: indented for people, newline-terminated. */
export function roundQualityText(quality: RoundQuality): string {
  return `${JSON.stringify(quality, null, 2)}\n`;
}

/**
 * The figures of rounds `0 … rounds-1` of the run folder `folder` (keys relative to the run's own
 * folder), `null` for a round without the file (round 0, a round not filtered yet) or with one that
 * does not parse: the figures are informative, and the next filter pass writes the file again.
 */
export async function loadRoundQualities(
  folder: ArtifactStore,
  rounds: number,
): Promise<(RoundQuality | null)[]> {
  const out: (RoundQuality | null)[] = [];
  for (let t = 0; t < rounds; t++) {
    const raw = await folder.read(runFolder.quality(t));
    let quality: RoundQuality | null = null;
    if (raw) {
      try {
        quality = JSON.parse(new TextDecoder().decode(raw)) as RoundQuality;
      } catch {
        quality = null;
      }
    }
    out.push(quality);
  }
  return out;
}
