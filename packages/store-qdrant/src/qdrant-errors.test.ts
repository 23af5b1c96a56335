import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { IsaraError } from "@isara/core";
import { displayUrl, qdrantError } from "./qdrant-errors.js";

const URL_WITH_SECRET = "http://admin:s3cret@qdrant:6333/";

/** An error shaped like the REST client's ApiError (status and the parsed body). */
function httpError(status: number, reason?: string): Error {
  return Object.assign(new Error(`HTTP ${status}`), {
    status,
    data: reason === undefined ? undefined : { status: { error: reason } },
  });
}

describe("qdrantError", () => {
  it("strips credentials from the URL it shows", () => {
    assert.equal(displayUrl(URL_WITH_SECRET), "http://qdrant:6333");
    assert.equal(displayUrl("not a url"), "(unparsable URL)");
  });

  it("maps an unreachable server to unavailable, naming the URL and the errno", () => {
    const refused = new TypeError("fetch failed", {
      cause: Object.assign(new Error("x"), { code: "ECONNREFUSED" }),
    });
    const err = qdrantError(refused, "list samples", URL_WITH_SECRET);
    assert.equal(err.code, "unavailable");
    assert.equal(err.retryable, true);
    assert.match(err.message, /cannot reach Qdrant at http:\/\/qdrant:6333 to list samples \(ECONNREFUSED\)/);
    assert.doesNotMatch(err.message, /s3cret/);
  });

  it("maps HTTP statuses to codes and keeps Qdrant's reason", () => {
    const cases: [number, string][] = [
      [400, "invalid_argument"],
      [422, "invalid_argument"],
      [401, "unauthenticated"],
      [403, "permission_denied"],
      [404, "not_found"],
      [409, "conflict"],
      [429, "resource_exhausted"],
      [503, "unavailable"],
      [500, "internal"],
    ];
    for (const [status, code] of cases) {
      const err = qdrantError(
        httpError(status, "Wrong input: Vector dimension error"),
        "upsert",
        "http://q:6333",
      );
      assert.equal(err.code, code, `HTTP ${status}`);
      assert.match(err.message, new RegExp(`HTTP ${status} \\(Wrong input: Vector dimension error\\)`));
    }
    assert.match(qdrantError(httpError(401), "search", "http://q:6333").message, /QDRANT_API_KEY/);
  });

  it("maps the client's timeout to deadline_exceeded and keeps IsaraErrors as they are", () => {
    const timeout = Object.assign(new Error("aborted"), { name: "QdrantClientTimeoutError" });
    assert.equal(qdrantError(timeout, "search", "http://q:6333").code, "deadline_exceeded");
    const own = new IsaraError("invalid_argument", "mine");
    assert.equal(qdrantError(own, "search", "http://q:6333"), own);
    assert.equal(qdrantError(new Error("boom"), "search", "http://q:6333").code, "internal");
  });
});
