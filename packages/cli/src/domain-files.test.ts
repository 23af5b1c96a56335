import assert from "node:assert/strict";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, test } from "node:test";
import { isIsaraError } from "@isara/core";
import { loadDomain } from "./domain-files.js";
import { repoRoot } from "./wiring.js";

const example = resolve(repoRoot(), "examples/domains/misconceptions");
const scratch = mkdtempSync(join(tmpdir(), "isara-domain-files-"));
after(() => rmSync(scratch, { recursive: true, force: true }));

/** A copy of the example domain whose seeds.jsonl has `bytes` at column 13 of line 3 (its prompt's start). */
function domainWithByteOnLine3(name: string, bytes: readonly number[]): string {
  const dir = join(scratch, name);
  cpSync(example, dir, { recursive: true });
  const seeds = readFileSync(join(dir, "seeds.jsonl"));
  const lines = seeds.toString("utf8").split("\n");
  const at = Buffer.byteLength(`${lines.slice(0, 2).join("\n")}\n`) + `{"prompt": "`.length;
  writeFileSync(
    join(dir, "seeds.jsonl"),
    Buffer.concat([seeds.subarray(0, at), Buffer.from(bytes), seeds.subarray(at)]),
  );
  return dir;
}

test("a seeds file with a byte that is not UTF-8 on line 3 is refused naming the file and line 3", async () => {
  const dir = domainWithByteOnLine3("latin1", [0xe9]);
  await assert.rejects(loadDomain(dir), (err) => {
    assert.ok(isIsaraError(err, "invalid_argument"), String(err));
    assert.match(err.message, /^the domain is invalid \(1 problem\):/);
    assert.ok(
      err.message.includes(`${join(dir, "seeds.jsonl")} line 3: not valid UTF-8 at column 13 (byte offset`),
      err.message,
    );
    assert.match(err.message, /re-save the file as UTF-8/);
    return true;
  });
});

test("a domain whose files hold multi-byte characters is accepted and kept byte for byte", async () => {
  const dir = domainWithByteOnLine3("utf8", [...Buffer.from("«é€😀»")]);
  const { domain, texts } = await loadDomain(dir);
  assert.equal(texts.seeds, readFileSync(join(dir, "seeds.jsonl"), "utf8"));
  assert.ok(domain.seeds.some((s) => s.prompt.includes("«é€😀»")));
});
