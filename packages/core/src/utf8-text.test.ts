import assert from "node:assert/strict";
import { test } from "node:test";
import { isIsaraError } from "./errors.js";
import type { FileProblem } from "./file-problem.js";
import { decodeUtf8, findUtf8Fault } from "./utf8-text.js";

const utf8 = (text: string) => new TextEncoder().encode(text);
const join = (...parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};

test("a seeds file with a Latin-1 byte on line 3 is refused naming the file, line 3, column and byte offset", () => {
  const head = utf8('{"prompt": "a", "response": "b"}\n{"prompt": "c", "response": "d"}\n{"prompt": "caf');
  const bytes = join(head, Uint8Array.of(0xe9), utf8('", "response": "e"}\n'));
  assert.throws(
    () => decodeUtf8(bytes, "domains/x/seeds.jsonl"),
    (err) => {
      assert.ok(isIsaraError(err, "invalid_argument"));
      assert.match(err.message, /domains\/x\/seeds\.jsonl line 3: not valid UTF-8 at column 16 /);
      assert.match(err.message, new RegExp(`byte offset ${head.length}, byte 0xE9`));
      assert.match(err.message, /re-save the file as UTF-8/);
      const [problem] = err.details as FileProblem[];
      assert.equal(problem?.file, "domains/x/seeds.jsonl");
      assert.equal(problem?.line, 3);
      return true;
    },
  );
});

test("a valid file with multi-byte characters is decoded as written, BOM and CRLF included", () => {
  const text = '\uFEFF{"prompt": "Où est la café? 日本語", "response": "Emoji 😀 ok"}\r\n{"x": "ß"}\n';
  assert.equal(decodeUtf8(utf8(text), "seeds.jsonl"), text);
  assert.equal(findUtf8Fault(utf8(text)), undefined);
});

test("columns count characters, not bytes, and the offset points at the bad sequence's first byte", () => {
  const before = utf8("ok\né€😀");
  const fault = findUtf8Fault(join(before, Uint8Array.of(0xff), utf8("tail\n")));
  assert.deepEqual(fault, { line: 2, column: 4, offset: before.length, byte: 0xff });
});

test("a sequence cut short by the line end or the file end is reported at its lead byte", () => {
  assert.deepEqual(findUtf8Fault(join(utf8("ab"), Uint8Array.of(0xe2, 0x82), utf8("\nnext"))), {
    line: 1,
    column: 3,
    offset: 2,
    byte: 0xe2,
  });
  assert.deepEqual(findUtf8Fault(join(utf8("a\nb"), Uint8Array.of(0xf0, 0x9f))), {
    line: 2,
    column: 2,
    offset: 3,
    byte: 0xf0,
  });
});

test("encodings UTF-8 forbids (overlong forms, surrogates, a stray continuation byte) are refused", () => {
  for (const bad of [[0xc0, 0xaf], [0xed, 0xa0, 0x80], [0x80]]) {
    const fault = findUtf8Fault(join(utf8("x"), Uint8Array.from(bad)));
    assert.equal(fault?.offset, 1, `bytes ${bad.map((b) => b.toString(16)).join(" ")}`);
    assert.equal(fault?.line, 1);
  }
});
