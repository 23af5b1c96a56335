import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { test } from "node:test";
import { fromJsonl, toJsonl } from "./jsonl.js";

/** The line boundaries of Python's `str.splitlines()` (the trainer reads its dataset with it). */
const PYTHON_LINE_BREAKS = new Set([
  "\n",
  "\r",
  "\v",
  "\f",
  "\x1c",
  "\x1d",
  "\x1e",
  "\x85",
  "\u2028",
  "\u2029",
]);

/** Lines as Python's `text.splitlines()` gives them (`\r\n` is one break; no empty last line). */
function pythonSplitlines(text: string): string[] {
  const lines: string[] = [];
  let line = "";
  for (let i = 0; i < text.length; i++) {
    const c = text.charAt(i);
    if (!PYTHON_LINE_BREAKS.has(c)) {
      line += c;
      continue;
    }
    if (c === "\r" && text.charAt(i + 1) === "\n") i++;
    lines.push(line);
    line = "";
  }
  if (line !== "") lines.push(line);
  return lines;
}

test("the splitlines() stand-in breaks where Python does", () => {
  assert.deepEqual(pythonSplitlines("a\r\nb\u2028c\u2029d\x85e\n"), ["a", "b", "c", "d", "e"]);
});

test("toJsonl writes one object per line with a trailing newline, nothing for no rows", () => {
  assert.equal(toJsonl([{ a: 1 }, { b: "x" }]), '{"a":1}\n{"b":"x"}\n');
  assert.equal(toJsonl([]), "");
});

test("toJsonl escapes U+2028 and U+2029 so Python's splitlines() keeps every record on one line", () => {
  const rows = [
    { prompt: "line\u2028separator", response: "paragraph\u2029separator" },
    { "key\u2028": "next\u0085line", plain: "control \n\r\v\f\x1c\x1d\x1e chars" },
    { prompt: "no break here", response: "fine" },
  ];
  const text = toJsonl(rows);
  assert.ok(!/[\u0085\u2028\u2029]/.test(text), "no raw U+0085, U+2028 or U+2029 in the file");
  assert.ok(text.includes("line\\u2028separator"), "U+2028 is written as \\u2028");
  assert.ok(text.includes("paragraph\\u2029separator"), "U+2029 is written as \\u2029");
  assert.ok(text.includes("next\\u0085line"), "U+0085 is written as \\u0085");
  const lines = pythonSplitlines(text);
  assert.equal(lines.length, rows.length, "one line per record for Python's splitlines()");
  assert.deepEqual(
    lines.map((line) => JSON.parse(line)),
    rows,
    "each line is one record, read back unchanged",
  );
  assert.deepEqual(fromJsonl(text), rows, "this program reads the same values back");
});

const python = spawnSync("python3", ["--version"]).status === 0;

test("Python's splitlines() reads every record toJsonl writes", { skip: !python && "no python3" }, () => {
  const rows = [
    { prompt: "a\u2028b", response: "c\u2029d\x85e" },
    { prompt: "plain", response: "row" },
  ];
  const read = spawnSync(
    "python3",
    ["-c", "import json, sys; print(json.dumps([json.loads(l) for l in sys.stdin.read().splitlines()]))"],
    { input: toJsonl(rows), encoding: "utf8", env: { ...process.env, PYTHONIOENCODING: "utf-8" } },
  );
  assert.equal(read.status, 0, read.stderr);
  assert.deepEqual(JSON.parse(read.stdout), rows);
});

test("fromJsonl reads rows, skips blank lines and drops a line torn by a crash", () => {
  const text = `${toJsonl([{ slot: 0 }, { slot: 1 }])}\n  \n{"slot": 2, "te`;
  assert.deepEqual(fromJsonl<{ slot: number }>(text), [{ slot: 0 }, { slot: 1 }]);
  assert.deepEqual(fromJsonl(""), []);
});

test("fromJsonl reads files written before the escaping (raw U+2028 inside strings)", () => {
  const old = `${JSON.stringify({ prompt: "a\u2028b" })}\n`;
  assert.deepEqual(fromJsonl(old), [{ prompt: "a\u2028b" }]);
});
