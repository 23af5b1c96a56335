/**
 * `make crd` (or `npm run crd -w @isara/controller`, after a build): writes the chart's AlignmentRun
 * CRD from its template and core's settings schemas (see `alignment-run-crd.ts`). With `--check` it
 * writes nothing and exits 1 when the committed file is not what the generator makes now, so a
 * changed limit in core cannot ship with a stale CRD.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { packageRootOf } from "@isara/kit";
import { CRD_CHART_FILE, CRD_TEMPLATE_FILE, renderAlignmentRunCrd } from "./alignment-run-crd.js";

const root = resolve(packageRootOf(import.meta.url), "../..");
const target = join(root, CRD_CHART_FILE);
const text = renderAlignmentRunCrd(readFileSync(CRD_TEMPLATE_FILE, "utf8"));
let current: string | undefined;
try {
  current = readFileSync(target, "utf8");
} catch {
  current = undefined;
}
if (current === text) {
  process.stdout.write(`${CRD_CHART_FILE} is up to date\n`);
} else if (process.argv.includes("--check")) {
  process.stderr.write(
    `${CRD_CHART_FILE} is not what core's schemas give now; run \`make crd\` and commit it\n`,
  );
  process.exit(1);
} else {
  writeFileSync(target, text);
  process.stdout.write(`wrote ${CRD_CHART_FILE}\n`);
}
