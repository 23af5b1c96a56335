import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { DEFAULT_MODEL_FILE, defaultModelPath, modelCacheDir } from "./model-cache.js";

test("the model cache follows ISARA_CACHE, then XDG_CACHE_HOME, then HOME, like infra/fetch-models.sh", () => {
  assert.equal(modelCacheDir({ ISARA_CACHE: "/c", XDG_CACHE_HOME: "/x", HOME: "/h" }), "/c/models");
  assert.equal(modelCacheDir({ XDG_CACHE_HOME: "/x", HOME: "/h" }), "/x/isara/models");
  assert.equal(modelCacheDir({ HOME: "/h" }), "/h/.cache/isara/models");
  assert.equal(modelCacheDir({ ISARA_CACHE: "", XDG_CACHE_HOME: "", HOME: "/h" }), "/h/.cache/isara/models");
});

test("the default model is ISARA_LLM_MODEL when set, else the cached SmolLM2 file", () => {
  assert.equal(defaultModelPath({ ISARA_LLM_MODEL: "/m/x.gguf", HOME: "/h" }), "/m/x.gguf");
  assert.equal(defaultModelPath({ HOME: "/h" }), join("/h/.cache/isara/models", DEFAULT_MODEL_FILE));
});
