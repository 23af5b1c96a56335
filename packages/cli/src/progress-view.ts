import type { RunnerEvent } from "@isara/embedded";

/** Where the view writes, and whether it may redraw a line in place. */
export interface ViewTarget {
  write(text: string): void;
  readonly isTTY: boolean;
  readonly columns?: number;
}

const BAR = 28;

/** `1h02m`, `3m05s`, `12s`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return "?";
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, "0")}m`;
}

/** One progress line: `round 1 answers  ███████░░░  41/64  3.2/s  ETA 7s`. */
export function progressLine(
  label: string,
  done: number,
  total: number,
  elapsedMs: number,
  extra = "",
): string {
  const frac = total > 0 ? Math.min(1, done / total) : 1;
  const filled = Math.round(frac * BAR);
  const rate = elapsedMs > 0 ? (done * 1000) / elapsedMs : 0;
  const eta = rate > 0 ? ((total - done) / rate) * 1000 : Number.NaN;
  return [
    label.padEnd(18),
    `${"█".repeat(filled)}${"░".repeat(BAR - filled)}`,
    `${done}/${total}`.padStart(9),
    rate > 0 ? `${rate.toFixed(rate < 10 ? 2 : 0)}/s` : "",
    done < total ? `ETA ${formatDuration(eta)}` : `in ${formatDuration(elapsedMs)}`,
    extra,
  ]
    .filter(Boolean)
    .join("  ");
}

/**
 * Renders runner events as progress bars a person can watch: one bar per phase with counts, rate and
 * ETA (training shows steps and loss). On a terminal the bar redraws in place; elsewhere (CI logs,
 * files) it prints a line at each tenth so the log stays readable.
 */
export function createProgressView(
  target: ViewTarget,
  now: () => number = Date.now,
): (e: RunnerEvent) => void {
  let started = now();
  let lastTenth = -1;
  let label = "";
  const draw = (line: string, final: boolean) => {
    if (target.isTTY) {
      const width = Math.max(40, (target.columns ?? 100) - 1);
      target.write(`\r\x1b[2K${line.slice(0, width)}${final ? "\n" : ""}`);
    } else {
      target.write(`${line}\n`);
    }
  };
  const update = (done: number, total: number, extra = "") => {
    const tenth = total > 0 ? Math.floor((10 * done) / total) : 10;
    if (!target.isTTY && tenth === lastTenth) return;
    lastTenth = tenth;
    draw(progressLine(label, done, total, now() - started, extra), false);
  };
  return (e) => {
    switch (e.type) {
      case "run-start":
        target.write(
          `${e.resumed ? "Resuming" : "Starting"} run ${e.runId} (domain ${e.state.domain}, mode ${e.state.mode})\n`,
        );
        break;
      case "phase-start":
        started = now();
        lastTenth = -1;
        label = `round ${e.round} ${e.phase}`;
        break;
      case "phase-progress":
        update(e.done, e.total);
        break;
      case "train-progress":
        update(e.step, e.totalSteps, `loss ${e.loss.toFixed(3)}  ${Math.round(e.tokensPerSecond)} tok/s`);
        break;
      case "phase-done":
        draw(`${label.padEnd(18)}  done in ${formatDuration(e.ms)}`, true);
        break;
      case "log":
        target.write(`${target.isTTY ? "\r\x1b[2K" : ""}${e.message}\n`);
        break;
      case "run-end":
        break;
    }
  };
}
