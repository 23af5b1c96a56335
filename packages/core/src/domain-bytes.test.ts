import assert from "node:assert/strict";
import { test } from "node:test";
import { MIN_SEEDS } from "./domain.js";
import { decodeDomainFiles } from "./domain-bytes.js";
import { parseDomainFiles } from "./domain-parse.js";
import { isIsaraError } from "./errors.js";
import type { FileProblem } from "./file-problem.js";

const utf8 = (text: string) => new TextEncoder().encode(text);
const seedLines = Array.from(
  { length: MIN_SEEDS },
  (_, i) =>
    `${JSON.stringify({ prompt: `Pourquoi le ciel est-il bleu ? n°${i}`, response: `Diffusion — 光 ${i} 🌈` })}\n`,
);
const config = `${JSON.stringify({ name: "accents" })}\n`;
const evalText = `${JSON.stringify({ id: "q1", prompt: "¿Es verde el cielo?", correct: ["No, es azul."] })}\n`;

test("a domain whose files hold multi-byte characters decodes and validates", () => {
  const texts = decodeDomainFiles({
    config: utf8(config),
    seeds: utf8(seedLines.join("")),
    eval: utf8(evalText),
  });
  assert.equal(texts.seeds, seedLines.join(""));
  const domain = parseDomainFiles(texts);
  assert.equal(domain.seeds[0]?.response, "Diffusion — 光 0 🌈");
  assert.equal(domain.eval[0]?.prompt, "¿Es verde el cielo?");
});

test("every file that is not UTF-8 is one problem of one invalid_argument error, with file and line", () => {
  const seeds = utf8(seedLines.join(""));
  const third = utf8(seedLines.slice(0, 2).join("")).length + 5;
  seeds[third] = 0xe9;
  const evalBytes = Uint8Array.of(0x7b, 0xff, 0x7d, 0x0a);
  assert.throws(
    () =>
      decodeDomainFiles(
        { config: utf8(config), seeds, eval: evalBytes },
        { seeds: "d/seeds.jsonl", eval: "d/eval.jsonl" },
      ),
    (err) => {
      assert.ok(isIsaraError(err, "invalid_argument"));
      assert.match(err.message, /^the domain is invalid \(2 problems\):/);
      const problems = err.details as FileProblem[];
      assert.deepEqual(
        problems.map((p) => [p.file, p.line]),
        [
          ["d/seeds.jsonl", 3],
          ["d/eval.jsonl", 1],
        ],
      );
      assert.match(
        err.message,
        /d\/seeds\.jsonl line 3: not valid UTF-8 at column 6 .*re-save the file as UTF-8/,
      );
      return true;
    },
  );
});
