/**
 * Minimal SVG charts with no dependencies: a run report must render anywhere (a browser, a Markdown
 * viewer, a CI artifact page) without a plotting stack. Pure: data in, SVG text out.
 */

/** One series of a chart. */
export interface Series {
  readonly name: string;
  readonly values: readonly number[];
}

const PALETTE = ["#2f6fb0", "#d9534f", "#f0ad4e", "#5cb85c", "#8e6bbf", "#5bc0de", "#777777", "#c97b2a"];
const W = 640;
const H = 320;
const M = { top: 36, right: 150, bottom: 40, left: 56 };

/** Escapes text for SVG/HTML content and attributes. */
export function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function niceMax(v: number): number {
  if (v <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  const n = v / p;
  return (n <= 1 ? 1 : n <= 2 ? 2 : n <= 5 ? 5 : 10) * p;
}

function fmt(v: number): string {
  if (v === 0) return "0";
  const a = Math.abs(v);
  return a >= 1000 || a < 0.01 ? v.toExponential(1) : Number(v.toPrecision(3)).toString();
}

function frame(title: string, body: string[], legend: readonly string[], yTicks: string[]): string {
  const items = legend.map(
    (name, i) =>
      `<rect x="${W - M.right + 12}" y="${M.top + i * 18}" width="10" height="10" fill="${PALETTE[i % PALETTE.length]}"/>` +
      `<text x="${W - M.right + 28}" y="${M.top + i * 18 + 9}" font-size="11">${escapeXml(name)}</text>`,
  );
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" font-family="sans-serif">`,
    `<rect width="${W}" height="${H}" fill="#ffffff"/>`,
    `<text x="${M.left}" y="20" font-size="14" font-weight="bold">${escapeXml(title)}</text>`,
    `<line x1="${M.left}" y1="${H - M.bottom}" x2="${W - M.right}" y2="${H - M.bottom}" stroke="#333"/>`,
    `<line x1="${M.left}" y1="${M.top}" x2="${M.left}" y2="${H - M.bottom}" stroke="#333"/>`,
    ...yTicks,
    ...body,
    ...items,
    "</svg>",
  ].join("\n");
}

function yAxis(min: number, max: number): { y: (v: number) => number; ticks: string[] } {
  const span = max - min || 1;
  const y = (v: number) => H - M.bottom - ((v - min) / span) * (H - M.top - M.bottom);
  const ticks: string[] = [];
  for (let i = 0; i <= 4; i++) {
    const v = min + (span * i) / 4;
    ticks.push(
      `<line x1="${M.left - 4}" y1="${y(v)}" x2="${W - M.right}" y2="${y(v)}" stroke="#ddd"/>` +
        `<text x="${M.left - 6}" y="${y(v) + 4}" font-size="10" text-anchor="end">${fmt(v)}</text>`,
    );
  }
  return { y, ticks };
}

/** Stacked bars, one bar per label (e.g. per round), one segment per series (e.g. accepted, each rejection reason). */
export function stackedBarChart(title: string, labels: readonly string[], series: readonly Series[]): string {
  const totals = labels.map((_, i) => series.reduce((s, ser) => s + Math.max(0, ser.values[i] ?? 0), 0));
  const { y, ticks } = yAxis(0, niceMax(Math.max(0, ...totals)));
  const slot = (W - M.left - M.right) / Math.max(1, labels.length);
  const bw = Math.min(60, slot * 0.6);
  const body: string[] = [];
  labels.forEach((label, i) => {
    const x = M.left + slot * i + (slot - bw) / 2;
    let acc = 0;
    series.forEach((ser, s) => {
      const v = Math.max(0, ser.values[i] ?? 0);
      if (v === 0) return;
      const top = y(acc + v);
      body.push(
        `<rect x="${x}" y="${top}" width="${bw}" height="${y(acc) - top}" fill="${PALETTE[s % PALETTE.length]}"><title>${escapeXml(`${label} · ${ser.name}: ${v}`)}</title></rect>`,
      );
      acc += v;
    });
    body.push(
      `<text x="${x + bw / 2}" y="${H - M.bottom + 16}" font-size="11" text-anchor="middle">${escapeXml(label)}</text>`,
    );
  });
  return frame(
    title,
    body,
    series.map((s) => s.name),
    ticks,
  );
}

/** Lines over x = 0..n-1 with labelled x ticks; gaps (NaN) break a line. */
export function lineChart(title: string, xLabels: readonly string[], series: readonly Series[]): string {
  const all = series.flatMap((s) => s.values.filter((v) => Number.isFinite(v)));
  const lo = all.length ? Math.min(...all) : 0;
  const hi = all.length ? Math.max(...all) : 1;
  const pad = (hi - lo) * 0.1 || Math.abs(hi) * 0.1 || 1;
  const { y, ticks } = yAxis(lo - pad, hi + pad);
  const n = Math.max(1, ...series.map((s) => s.values.length));
  const x = (i: number) =>
    M.left + (n === 1 ? (W - M.left - M.right) / 2 : ((W - M.left - M.right) * i) / (n - 1));
  const body: string[] = [];
  const every = Math.max(1, Math.ceil(xLabels.length / 10));
  xLabels.forEach((label, i) => {
    if (i % every === 0) {
      body.push(
        `<text x="${x(i)}" y="${H - M.bottom + 16}" font-size="11" text-anchor="middle">${escapeXml(label)}</text>`,
      );
    }
  });
  series.forEach((ser, s) => {
    const color = PALETTE[s % PALETTE.length];
    let d = "";
    ser.values.forEach((v, i) => {
      if (!Number.isFinite(v)) {
        d += " ";
        return;
      }
      d += `${d.endsWith(" ") || d === "" ? "M" : "L"}${x(i).toFixed(1)},${y(v).toFixed(1)} `;
      if (ser.values.length <= 30) body.push(`<circle cx="${x(i)}" cy="${y(v)}" r="3" fill="${color}"/>`);
    });
    body.push(`<path d="${d.trim()}" fill="none" stroke="${color}" stroke-width="2"/>`);
  });
  return frame(
    title,
    body,
    series.map((s) => s.name),
    ticks,
  );
}

/**
 * Grouped vertical bars, one group per label (e.g. per model), one bar per series (e.g. per metric),
 * with a zero line: metrics such as a ROUGE-L diff are often negative, and the sign is the point.
 */
export function groupedBarChart(title: string, labels: readonly string[], series: readonly Series[]): string {
  const all = series.flatMap((s) => s.values.filter((v) => Number.isFinite(v)));
  const lo = Math.min(0, ...all);
  const hi = Math.max(0, ...all);
  const pad = (hi - lo) * 0.08 || 1;
  const { y, ticks } = yAxis(lo < 0 ? lo - pad : 0, hi + pad);
  const slot = (W - M.left - M.right) / Math.max(1, labels.length);
  const bw = Math.min(28, (slot * 0.8) / Math.max(1, series.length));
  const body: string[] = [
    `<line x1="${M.left}" y1="${y(0)}" x2="${W - M.right}" y2="${y(0)}" stroke="#333" stroke-dasharray="3,3"/>`,
  ];
  labels.forEach((label, i) => {
    const x0 = M.left + slot * i + (slot - bw * series.length) / 2;
    series.forEach((ser, s) => {
      const v = ser.values[i];
      if (v === undefined || !Number.isFinite(v)) return;
      const top = Math.min(y(v), y(0));
      body.push(
        `<rect x="${x0 + s * bw}" y="${top}" width="${bw - 2}" height="${Math.abs(y(v) - y(0))}" fill="${PALETTE[s % PALETTE.length]}"><title>${escapeXml(`${label} · ${ser.name}: ${fmt(v)}`)}</title></rect>`,
      );
    });
    body.push(
      `<text x="${M.left + slot * (i + 0.5)}" y="${H - M.bottom + 14}" font-size="9" text-anchor="middle">${escapeXml(label)}</text>`,
    );
  });
  return frame(
    title,
    body,
    series.map((s) => s.name),
    ticks,
  );
}
