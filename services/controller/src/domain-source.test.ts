import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { isIsaraError, MIN_SEEDS } from "@isara/core";
import { FsArtifactStore } from "@isara/store-fs";
import { loadDomain } from "./domain-source.js";

const seeds = Array.from(
  { length: MIN_SEEDS },
  (_, i) =>
    `${JSON.stringify({ prompt: `Qu'est-ce que le fait n°${i} ?`, response: `Réponse ${i} — 正しい` })}\n`,
).join("");
const files = {
  "domain.json": '{"name": "d"}\n',
  "seeds.jsonl": seeds,
  "eval.jsonl": `${JSON.stringify({ id: "q1", prompt: "¿Verde?", correct: ["No."] })}\n`,
};

describe("loadDomain", () => {
  let root: string;
  let artifacts: FsArtifactStore;
  before(() => {
    root = mkdtempSync(join(tmpdir(), "isara-domain-source-"));
    artifacts = new FsArtifactStore({ root: join(root, "artifacts") });
    for (const folder of ["registered/d", "artifacts/up/d", "artifacts/up/latin1"]) {
      mkdirSync(join(root, folder), { recursive: true });
      for (const [name, text] of Object.entries(files)) writeFileSync(join(root, folder, name), text);
    }
    const bad = Buffer.from(seeds);
    bad[Buffer.byteLength(seeds.split("\n").slice(0, 2).join("\n")) + 3] = 0xff;
    writeFileSync(join(root, "artifacts/up/latin1/seeds.jsonl"), bad);
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  test("registered and uploaded domains with multi-byte characters load as written", async () => {
    const sources = { artifacts, domainsDir: join(root, "registered") };
    const registered = await loadDomain({ name: "d", source: "" }, sources);
    assert.equal(registered.texts.seeds, seeds);
    assert.equal(registered.domain.seeds[0]?.response, "Réponse 0 — 正しい");
    const uploaded = await loadDomain({ name: "d", source: "up/d/" }, sources);
    assert.equal(uploaded.domain.eval[0]?.prompt, "¿Verde?");
  });

  test("an uploaded seeds file that is not UTF-8 is refused with the file and line", async () => {
    await assert.rejects(
      loadDomain({ name: "d", source: "up/latin1" }, { artifacts, domainsDir: undefined }),
      (err) =>
        isIsaraError(err, "invalid_argument") &&
        err.message.includes("up/latin1/seeds.jsonl line 3: not valid UTF-8") &&
        err.message.includes("re-save the file as UTF-8"),
    );
  });
});
