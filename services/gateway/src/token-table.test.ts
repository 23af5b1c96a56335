import assert from "node:assert/strict";
import { test } from "node:test";
import { isIsaraError } from "@isara/core";
import { hashToken, parseTokenTable, tenantOfToken } from "./token-table.js";

test("a token maps to its tenant through its SHA-256; unknown tokens map to nothing", () => {
  const table = parseTokenTable(
    JSON.stringify({
      [hashToken("alpha")]: "acme",
      [hashToken("beta").toUpperCase()]: "globex",
      [hashToken("gamma")]: "acme",
    }),
    "GATEWAY_TOKENS",
  );
  assert.equal(tenantOfToken(table, "alpha"), "acme");
  assert.equal(tenantOfToken(table, "beta"), "globex", "upper-case hex digests are accepted");
  assert.equal(tenantOfToken(table, "gamma"), "acme");
  assert.equal(tenantOfToken(table, "alpha "), undefined);
  assert.equal(tenantOfToken(table, ""), undefined);
  assert.deepEqual(table.tenants, ["acme", "globex"]);
  assert.equal(hashToken("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
});

test("every bad entry is listed: a raw token instead of its hash, a malformed tenant", () => {
  assert.throws(
    () =>
      parseTokenTable(
        JSON.stringify({ "my-raw-token": "acme", [hashToken("x")]: "Bad--Tenant" }),
        "GATEWAY_TOKENS",
      ),
    (err: unknown) => {
      assert.ok(isIsaraError(err, "invalid_argument"));
      assert.match(err.message, /^GATEWAY_TOKENS is invalid:/);
      assert.match(err.message, /key my-raw-t… is not a SHA-256 hex digest .* never the token itself/);
      assert.match(err.message, /tenant of key [0-9a-f]{8}… must be 1-24 lowercase letters or digits/);
      assert.doesNotMatch(err.message, /my-raw-token/, "a pasted token is not echoed whole");
      return true;
    },
  );
});

test("an empty table, a non-object and broken JSON are refused with what to write instead", () => {
  assert.throws(
    () => parseTokenTable("{}", "GATEWAY_TOKENS"),
    /lists no tokens, so every request would be refused/,
  );
  assert.throws(
    () => parseTokenTable('["a"]', "GATEWAY_TOKENS"),
    /must be a JSON object \{"<sha256 hex of a token>": "<tenant>"\}/,
  );
  assert.throws(
    () => parseTokenTable("{", "GATEWAY_TOKENS_FILE (/etc/t.json)"),
    /^IsaraError: GATEWAY_TOKENS_FILE \(\/etc\/t.json\) is not valid JSON/,
  );
});
