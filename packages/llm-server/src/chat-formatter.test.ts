import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { isIsaraError } from "@isara/core";
import { defaultModelPath, MODEL_PATH_ENV, writeTinyLlamaGguf } from "@isara/llm-llama";
import { createChatFormatter } from "./chat-formatter.js";
import { readChatTemplate } from "./chat-template-file.js";

/** SmolLM2-135M-Instruct's chat template, as its GGUF carries it (new lines inside the Jinja strings). */
const SMOLLM2_TEMPLATE =
  "{% for message in messages %}{% if loop.first and messages[0]['role'] != 'system' %}" +
  "{{ '<|im_start|>system\nYou are a helpful AI assistant named SmolLM, trained by Hugging Face<|im_end|>\n' }}" +
  "{% endif %}{{'<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n'}}" +
  "{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}";

const SYSTEM_AND_USER = [
  { role: "system", content: "Be brief." },
  { role: "user", content: "What is the capital of France?" },
] as const;
const CHATML_SYSTEM_AND_USER =
  "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nWhat is the capital of France?<|im_end|>\n" +
  "<|im_start|>assistant\n";

const MODEL = defaultModelPath();
const SKIP_MODEL = existsSync(MODEL)
  ? false
  : `needs the SmolLM2 GGUF at ${MODEL}, which is not there; run infra/fetch-models.sh (or set ${MODEL_PATH_ENV})`;

test("a system + user conversation renders as ChatML, ending where the assistant answers", () => {
  const format = createChatFormatter({ template: SMOLLM2_TEMPLATE });
  assert.equal(format(SYSTEM_AND_USER), CHATML_SYSTEM_AND_USER);
});

test("the template's own rules apply: SmolLM2 adds its default system message when none is given", () => {
  const format = createChatFormatter({ template: SMOLLM2_TEMPLATE });
  assert.equal(
    format([
      { role: "user", content: "Hi" },
      { role: "assistant", content: "Hello!" },
      { role: "user", content: "Bye" },
    ]),
    "<|im_start|>system\nYou are a helpful AI assistant named SmolLM, trained by Hugging Face<|im_end|>\n" +
      "<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\nHello!<|im_end|>\n" +
      "<|im_start|>user\nBye<|im_end|>\n<|im_start|>assistant\n",
  );
});

test("bos_token is written by the template unless the model adds it itself", () => {
  const template =
    "{{ bos_token }}{% for m in messages %}[{{ m.role }}] {{ m.content }}{{ eos_token }}{% endfor %}";
  const messages = [{ role: "user", content: "hi" }] as const;
  const written = createChatFormatter({ template, bosToken: "<s>", eosToken: "</s>" });
  assert.equal(written(messages), "<s>[user] hi</s>");
  const added = createChatFormatter({ template, bosToken: "<s>", eosToken: "</s>", addsBos: true });
  assert.equal(added(messages), "[user] hi</s>", "no second beginning-of-text token");
});

test("a conversation the template refuses is invalid_argument with the template's reason", () => {
  const format = createChatFormatter({
    template:
      "{% if messages[0]['role'] == 'assistant' %}{{ raise_exception('Conversation must start with the user') }}{% endif %}x",
  });
  assert.throws(
    () => format([{ role: "assistant", content: "hi" }]),
    (err) => isIsaraError(err, "invalid_argument") && /must start with the user/.test(err.message),
  );
  assert.throws(
    () => format([]),
    (err) => isIsaraError(err, "invalid_argument") && /empty/.test(err.message),
  );
});

test("a template that is not Jinja is refused when the formatter is made", () => {
  assert.throws(
    () => createChatFormatter({ template: "{% for %}" }),
    (err) => isIsaraError(err, "invalid_argument") && /does not parse as Jinja/.test(err.message),
  );
});

test("a GGUF without a chat template has none; a file that is not GGUF is refused", async () => {
  const dir = await mkdtemp(join(tmpdir(), "isara-chat-template-"));
  try {
    const tiny = join(dir, "tiny.gguf");
    await writeTinyLlamaGguf(tiny);
    assert.equal(await readChatTemplate(tiny), undefined);
    const text = join(dir, "notes.gguf");
    await writeFile(text, "not a model\n");
    await assert.rejects(readChatTemplate(text), (err) => isIsaraError(err, "invalid_argument"));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("SmolLM2's GGUF carries its ChatML template and token texts", { skip: SKIP_MODEL }, async () => {
  const template = await readChatTemplate(MODEL);
  assert.ok(template);
  assert.equal(template.template, SMOLLM2_TEMPLATE);
  assert.equal(template.bosToken, "<|im_start|>");
  assert.equal(template.eosToken, "<|im_end|>");
  assert.equal(template.addsBos, false);
  assert.equal(createChatFormatter(template)(SYSTEM_AND_USER), CHATML_SYSTEM_AND_USER);
});
