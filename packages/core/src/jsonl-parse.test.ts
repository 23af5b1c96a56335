import assert from "node:assert/strict";
import { test } from "node:test";
import { parseJsonl } from "./jsonl-parse.js";

test("one value per line, with its line number; a trailing newline adds nothing", () => {
  const result = parseJsonl('{"a":1}\n{"a":2}\n', "x.jsonl");
  assert.deepEqual(result, {
    rows: [
      { line: 1, value: { a: 1 } },
      { line: 2, value: { a: 2 } },
    ],
    problems: [],
  });
});

test("a BOM, CRLF line ends and blank lines are tolerated; blank lines still count for line numbers", () => {
  const result = parseJsonl('\uFEFF{"a":1}\r\n\r\n   \n{"a":2}\r\n', "x.jsonl");
  assert.deepEqual(
    result.rows.map((r) => [r.line, r.value]),
    [
      [1, { a: 1 }],
      [4, { a: 2 }],
    ],
  );
  assert.deepEqual(result.problems, []);
});

test("every line that is not valid JSON is reported with its line, and the other lines still parse", () => {
  const result = parseJsonl('{"a":1}\n{"a":\n{"a":3}\nnot json\n', "seeds.jsonl");
  assert.deepEqual(
    result.rows.map((r) => r.line),
    [1, 3],
  );
  assert.deepEqual(
    result.problems.map((p) => [p.file, p.line]),
    [
      ["seeds.jsonl", 2],
      ["seeds.jsonl", 4],
    ],
  );
  assert.match(
    result.problems[0]?.message ?? "",
    /^seeds\.jsonl line 2: not valid JSON \(.+\) — each line must hold one complete JSON object$/,
  );
});

test("empty text gives no rows and no problems", () => {
  assert.deepEqual(parseJsonl("", "x.jsonl"), { rows: [], problems: [] });
  assert.deepEqual(parseJsonl("\n\n", "x.jsonl"), { rows: [], problems: [] });
});
