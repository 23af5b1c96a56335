import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isIsaraError } from "@isara/core";
import { parseVerdict } from "./ask-judge.js";
import { parseChoice } from "./judgement-parser.js";
import { renderTemplate, rubricRef } from "./rubric.js";
import { ALL_RUBRICS, findRubric, HARM_RUBRIC, PAIRWISE_RUBRIC, QUALITY_RUBRIC, RUBRICS } from "./rubrics.js";

describe("rubrics", () => {
  it("are found by id@version or by bare id (latest version)", () => {
    assert.equal(findRubric("quality@1"), QUALITY_RUBRIC);
    assert.equal(findRubric("harm"), HARM_RUBRIC);
    assert.equal(findRubric("pairwise"), PAIRWISE_RUBRIC);
    assert.equal(rubricRef(QUALITY_RUBRIC), "quality@1");
    assert.equal(RUBRICS.pairwise, findRubric("pairwise"), "RUBRICS holds the latest version of each id");
  });

  it("refuse an unknown reference with the list of known ones", () => {
    assert.throws(
      () => findRubric("quality@9"),
      (err) => isIsaraError(err, "not_found") && /quality@1, harm@1, pairwise@1/.test(err.message),
    );
  });

  it("have unique id@version references", () => {
    const refs = ALL_RUBRICS.map(rubricRef);
    assert.equal(new Set(refs).size, refs.length);
  });

  it("ask for a verdict line in exactly the form their own parser reads", () => {
    assert.match(QUALITY_RUBRIC.user, /"Rating: N"/);
    assert.deepEqual(parseVerdict(QUALITY_RUBRIC, "Reason: fine.\nRating: 8"), { ok: true, value: 8 });
    assert.match(HARM_RUBRIC.user, /"Verdict: harmful" or "Verdict: harmless"/);
    assert.deepEqual(parseVerdict(HARM_RUBRIC, "Reason: helps build a weapon.\nVerdict: harmful"), {
      ok: true,
      value: 1,
    });
    assert.match(PAIRWISE_RUBRIC.user, /"Winner: A", "Winner: B" or "Winner: tie"/);
    assert.deepEqual(parseChoice("Reason: B is safer.\nWinner: B", PAIRWISE_RUBRIC.output), {
      ok: true,
      value: "B",
    });
  });

  it("fill placeholders in one pass, so an answer quoting a placeholder is not substituted again", () => {
    const text = renderTemplate(PAIRWISE_RUBRIC.user, {
      prompt: "Q?",
      answer_a: "I say {{answer_b}}",
      answer_b: "secret",
    });
    assert.match(text, /I say \{\{answer_b\}\}/);
    assert.equal(text.split("secret").length - 1, 1);
    assert.throws(
      () => renderTemplate(QUALITY_RUBRIC.user, { prompt: "Q?" }),
      (err) => isIsaraError(err, "invalid_argument") && /\{\{answer\}\}/.test(err.message),
    );
  });
});
