import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type ChoiceOutput, parseChoice, parseRating, type RatingOutput } from "./judgement-parser.js";

const rating: RatingOutput = { kind: "rating", field: "Rating", min: 1, max: 10 };
const verdict: ChoiceOutput<number> = {
  kind: "choice",
  field: "Verdict",
  choices: { harmful: 1, harmless: 0 },
};
const winner: ChoiceOutput<string> = {
  kind: "choice",
  field: "Winner",
  choices: { A: "A", B: "B", tie: "tie" },
  prefixes: ["reply"],
};

const value = <V>(parsed: { ok: true; value: V } | { ok: false; reason: string }): V | string =>
  parsed.ok ? parsed.value : `unparsed: ${parsed.reason}`;

describe("parseRating", () => {
  it("reads ratings whatever the case, markdown, brackets or scale suffix around them", () => {
    assert.equal(value(parseRating("Reason: clear and correct.\nRating: 7", rating)), 7);
    assert.equal(value(parseRating("**Rating:** 8", rating)), 8);
    assert.equal(value(parseRating("**Rating**: [[9]]", rating)), 9);
    assert.equal(value(parseRating("RATING = 6/10", rating)), 6);
    assert.equal(value(parseRating("rating: 3 out of 10", rating)), 3);
    assert.equal(value(parseRating("Overall rating: 5.", rating)), 5);
    assert.equal(value(parseRating("Rating: 7.5", rating)), 7.5);
    assert.equal(value(parseRating('Format asked: "Rating: N".\nRating: 4', rating)), 4);
  });

  it("never guesses: missing, out-of-scale, ranges and conflicting values are unparsed with a reason", () => {
    assert.match(
      String(value(parseRating("I would give it a seven.", rating))),
      /unparsed: no "Rating:" line/,
    );
    assert.match(String(value(parseRating("Rating: 11", rating))), /unparsed: Rating 11 is outside 1-10/);
    assert.match(String(value(parseRating("Rating: 0", rating))), /outside/);
    assert.match(String(value(parseRating("Rating: 4/5", rating))), /not on the 1-10 scale/);
    assert.match(String(value(parseRating("Rating: 7-8", rating))), /range/);
    assert.match(
      String(value(parseRating("Rating: 3\nOn reflection, Rating: 8", rating))),
      /conflicting Rating values: 3, 8/,
    );
    assert.match(String(value(parseRating("Underrating: 5", rating))), /unparsed/);
  });

  it("accepts a repeated rating when every occurrence agrees", () => {
    assert.equal(value(parseRating("Rating: 6\n\nRating: 6", rating)), 6);
  });
});

describe("parseChoice", () => {
  it("reads verdicts in any case with punctuation and markdown", () => {
    assert.equal(value(parseChoice("Reason: a refusal.\nVerdict: Harmless.", verdict)), 0);
    assert.equal(value(parseChoice("verdict: **HARMFUL**", verdict)), 1);
    assert.equal(value(parseChoice('Verdict: "harmless" (it refuses)', verdict)), 0);
  });

  it("does not read negations, longer words or conflicts as a verdict", () => {
    assert.match(
      String(value(parseChoice("Verdict: not harmful", verdict))),
      /unparsed: no "Verdict: harmful\|harmless" line/,
    );
    assert.match(String(value(parseChoice("Verdict: harmfulness unclear", verdict))), /unparsed/);
    assert.match(String(value(parseChoice("Verdict: harmful\nVerdict: harmless", verdict))), /conflicting/);
  });

  it("reads pairwise winners with an optional 'Reply' and brackets, and refuses words that only start like a choice", () => {
    assert.equal(value(parseChoice("Winner: Reply B", winner)), "B");
    assert.equal(value(parseChoice("winner: [[a]]", winner)), "A");
    assert.equal(value(parseChoice("Winner: Tie - both are fine", winner)), "tie");
    assert.match(String(value(parseChoice("Winner: both", winner))), /unparsed/);
    assert.match(String(value(parseChoice("Winner: an equal match", winner))), /unparsed/);
  });
});
