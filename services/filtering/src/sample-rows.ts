/**
 * Reading JSON Lines of core `Sample`s from the artifact store: the round's candidates (written by
 * the controller), and the accepted and rejected sets (written here, and by the embedded mode in the
 * same format). Every row is validated, so a file that was edited by hand or cut short is refused with
 * the line and field that is wrong instead of feeding the filter chain half a sample.
 */
import { type ArtifactStore, IsaraError, parseJsonl, type Sample } from "@isara/core";
import { z } from "zod";

const demoRefSchema = z.object({
  id: z.string().min(1),
  setIndex: z.number().int().min(0),
  score: z.number().nullable(),
});

const verdictSchema = z.object({
  filter: z.string().min(1),
  accepted: z.boolean(),
  reason: z.string(),
  score: z.number().optional(),
});

const sampleSchema = z.object({
  id: z.string().min(1),
  run: z.string().min(1),
  domain: z.string().min(1),
  round: z.number().int().min(0),
  setIndex: z.number().int().min(0),
  slot: z.number().int().min(0),
  prompt: z.string(),
  response: z.string(),
  lineage: z.object({
    promptDemos: z.array(demoRefSchema),
    answerDemos: z.array(demoRefSchema),
    promptTemplateVersion: z.string(),
    generatorModel: z.string(),
    verdicts: z.array(verdictSchema),
    trainedBy: z.string().optional(),
  }),
});

/** Drops keys whose value is `undefined`, so a parsed row is deep-equal to the sample that was written. */
function withoutUndefined(sample: z.infer<typeof sampleSchema>): Sample {
  const { lineage } = sample;
  const verdicts = lineage.verdicts.map((v) =>
    v.score === undefined ? { filter: v.filter, accepted: v.accepted, reason: v.reason } : v,
  );
  const { trainedBy, ...rest } = lineage;
  return {
    ...sample,
    lineage: trainedBy === undefined ? { ...rest, verdicts } : { ...rest, verdicts, trainedBy },
  };
}

/**
 * The samples of JSON Lines `text` read from `key`.
 * @throws IsaraError `invalid_argument` naming every line that is not JSON or not a sample.
 */
export function parseSampleRows(text: string, key: string): Sample[] {
  const parsed = parseJsonl(text, key);
  const problems = parsed.problems.map((p) => p.message);
  const samples: Sample[] = [];
  for (const row of parsed.rows) {
    const result = sampleSchema.safeParse(row.value);
    if (result.success) {
      samples.push(withoutUndefined(result.data));
    } else {
      const fields = result.error.issues.map((i) => `${i.path.join(".") || "(row)"}: ${i.message}`);
      problems.push(`${key} line ${row.line} is not a sample (${fields.join("; ")})`);
    }
  }
  if (problems.length > 0) {
    throw new IsaraError("invalid_argument", `${key} is not valid: ${problems.join("; ")}`, problems);
  }
  return samples;
}

/** The samples at `key`, or `undefined` when there is no artifact there. */
export async function readSampleRows(artifacts: ArtifactStore, key: string): Promise<Sample[] | undefined> {
  const bytes = await artifacts.read(key);
  return bytes === undefined ? undefined : parseSampleRows(new TextDecoder().decode(bytes), key);
}
