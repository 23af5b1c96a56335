/**
 * Round logs: the per-round facts a run state does not keep (wall time per phase, the training loss
 * curve). They live in `metrics.json` only, so a resumed run (embedded) or a restarted controller
 * (distributed) reads them back from there and keeps adding to them.
 */
import type { ArtifactStore } from "@isara/core";
import type { MetricsFile, RoundLog } from "./metrics-file.js";
import { runFolder } from "./run-folder.js";

/**
 * Loads the round logs kept in `metrics.json` of the run folder `artifacts` (empty when the run is
 * new or the file does not parse: the logs are informative, and the next write rebuilds the file).
 */
export async function loadRoundLogs(artifacts: ArtifactStore): Promise<RoundLog[]> {
  const raw = await artifacts.read(runFolder.metrics);
  if (!raw) return [];
  try {
    const file = JSON.parse(new TextDecoder().decode(raw)) as MetricsFile;
    return file.rounds.map((r) => ({ phaseMs: { ...r.phaseMs }, losses: [...r.losses] }));
  } catch {
    return [];
  }
}
