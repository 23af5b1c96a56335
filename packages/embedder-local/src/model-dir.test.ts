import assert from "node:assert/strict";
import { join, resolve } from "node:path";
import { describe, it } from "node:test";
import { defaultEmbedderDir, isaraCacheDir } from "./model-dir.js";

describe("isaraCacheDir", () => {
  it("prefers ISARA_CACHE, then XDG_CACHE_HOME/isara, then ~/.cache/isara", () => {
    assert.equal(isaraCacheDir({ ISARA_CACHE: "/c", XDG_CACHE_HOME: "/x", HOME: "/h" }), resolve("/c"));
    assert.equal(isaraCacheDir({ XDG_CACHE_HOME: "/x", HOME: "/h" }), join(resolve("/x"), "isara"));
    assert.equal(isaraCacheDir({ HOME: "/h" }), join("/h", ".cache", "isara"));
    assert.equal(isaraCacheDir({ ISARA_CACHE: "", HOME: "/h" }), join("/h", ".cache", "isara"));
  });

  it("puts the embedding model under models/ of the cache, where the fetch script installs it", () => {
    assert.equal(
      defaultEmbedderDir({ ISARA_CACHE: "/c" }),
      join(resolve("/c"), "models", "all-MiniLM-L6-v2"),
    );
  });
});
