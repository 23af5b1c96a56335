import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { IsaraError } from "@isara/core";
import { readDomainReference } from "./domain-reference.js";

const FILES = { "domain.json": '{"name":"d"}', "seeds.jsonl": "seeds\n", "eval.jsonl": "eval\n" };
/** A seeds file saved as Latin-1: "é" is the single byte 0xE9 on line 2. */
const LATIN1_SEEDS = Buffer.from('{"prompt": "a", "response": "b"}\n{"prompt": "caf\xe9"}\n', "latin1");
const noConfigMaps = async () => undefined;

function code(err: unknown): string {
  return err instanceof IsaraError ? err.code : "not an IsaraError";
}

describe("readDomainReference", () => {
  let dir: string;
  let server: Server;
  let url: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "isara-domains-"));
    mkdirSync(join(dir, "teams", "d"), { recursive: true });
    for (const [f, t] of Object.entries(FILES)) writeFileSync(join(dir, "teams", "d", f), t);
    mkdirSync(join(dir, "teams", "latin1"), { recursive: true });
    for (const [f, t] of Object.entries(FILES)) writeFileSync(join(dir, "teams", "latin1", f), t);
    writeFileSync(join(dir, "teams", "latin1", "seeds.jsonl"), LATIN1_SEEDS);
    server = createServer((req, res) => {
      const file = req.url?.split("/").pop() ?? "";
      if (req.url?.startsWith("/domains/latin1/")) {
        res.end(file === "seeds.jsonl" ? LATIN1_SEEDS : FILES[file as keyof typeof FILES]);
        return;
      }
      const text = FILES[file as keyof typeof FILES];
      res.statusCode = text === undefined || !req.url?.startsWith("/domains/d/") ? 404 : 200;
      res.end(text ?? "not found");
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => {
    server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test("a ConfigMap's three keys are the domain's files", async () => {
    const texts = await readDomainReference({ name: "d", configMap: { name: "d-domain" } }, "team-a", {
      readConfigMap: async (ns, name) =>
        ns === "team-a" && name === "d-domain" ? { ...FILES, "README.md": "x" } : undefined,
      domainsDir: undefined,
    });
    assert.deepEqual(texts, {
      config: FILES["domain.json"],
      seeds: FILES["seeds.jsonl"],
      eval: FILES["eval.jsonl"],
    });
  });

  test("a missing ConfigMap or key is named with the fix", async () => {
    await assert.rejects(
      readDomainReference({ name: "d", configMap: { name: "nope" } }, "ns", {
        readConfigMap: noConfigMaps,
        domainsDir: undefined,
      }),
      (err) => code(err) === "not_found" && /kubectl create configmap nope --from-file/.test(String(err)),
    );
    await assert.rejects(
      readDomainReference({ name: "d", configMap: { name: "half" } }, "ns", {
        readConfigMap: async () => ({ "domain.json": "{}" }),
        domainsDir: undefined,
      }),
      (err) => code(err) === "invalid_argument" && /no key seeds.jsonl, eval.jsonl/.test(String(err)),
    );
  });

  test("a path is a folder on the domains volume, and may not leave it", async () => {
    const texts = await readDomainReference({ name: "d", path: "teams/d" }, "ns", {
      readConfigMap: noConfigMaps,
      domainsDir: dir,
    });
    assert.equal(texts.seeds, FILES["seeds.jsonl"]);
    await assert.rejects(
      readDomainReference({ name: "d", path: "../etc" }, "ns", {
        readConfigMap: noConfigMaps,
        domainsDir: dir,
      }),
      (err) => code(err) === "invalid_argument",
    );
    await assert.rejects(
      readDomainReference({ name: "d", path: "teams/d" }, "ns", {
        readConfigMap: noConfigMaps,
        domainsDir: undefined,
      }),
      (err) => code(err) === "failed_precondition" && /DOMAINS_DIR/.test(String(err)),
    );
  });

  test("a URL names a folder served over HTTP; a 404 is not_found with the URL", async () => {
    const texts = await readDomainReference({ name: "d", url: `${url}/domains/d/` }, "ns", {
      readConfigMap: noConfigMaps,
      domainsDir: undefined,
    });
    assert.equal(texts.eval, FILES["eval.jsonl"]);
    await assert.rejects(
      readDomainReference({ name: "d", url: `${url}/elsewhere` }, "ns", {
        readConfigMap: noConfigMaps,
        domainsDir: undefined,
      }),
      (err) => code(err) === "not_found" && String(err).includes(`${url}/elsewhere/domain.json`),
    );
  });

  test("a file or URL that is not UTF-8 is refused with its place and line, not read as U+FFFD", async () => {
    const sources = { readConfigMap: noConfigMaps, domainsDir: dir };
    await assert.rejects(
      readDomainReference({ name: "d", path: "teams/latin1" }, "ns", sources),
      (err) =>
        code(err) === "invalid_argument" &&
        String(err).includes("teams/latin1/seeds.jsonl line 2: not valid UTF-8 at column 16"),
    );
    await assert.rejects(
      readDomainReference({ name: "d", url: `${url}/domains/latin1` }, "ns", sources),
      (err) =>
        code(err) === "invalid_argument" &&
        String(err).includes(`${url}/domains/latin1/seeds.jsonl line 2: not valid UTF-8`),
    );
  });

  test("no reference means the registered domain of that name", async () => {
    const texts = await readDomainReference({ name: "teams/d" }, "ns", {
      readConfigMap: noConfigMaps,
      domainsDir: dir,
    });
    assert.equal(texts.config, FILES["domain.json"]);
    await assert.rejects(
      readDomainReference({ name: "d" }, "ns", { readConfigMap: noConfigMaps, domainsDir: undefined }),
      (err) => code(err) === "failed_precondition",
    );
  });
});
