import assert from "node:assert/strict";
import { test } from "node:test";
import { isIsaraError } from "./errors.js";
import {
  answerPrompt,
  cutAtRoleKeyword,
  findRoleKeyword,
  formatConversation,
  PROMPT_TEMPLATE_VERSION,
  questionPrompt,
  ROLE_STOP_STRINGS,
} from "./prompt-format.js";

const demos = [
  { prompt: "Is the moon made of cheese?", response: "No, it is made of rock." },
  { prompt: "Can pigs fly?", response: "No, pigs cannot fly." },
];

test("the template has a version to record in lineage", () => {
  assert.equal(PROMPT_TEMPLATE_VERSION, "isara-conv-v1");
});

test("one demo is wrapped exactly as in the paper", () => {
  assert.equal(
    formatConversation({ prompt: "Hi?", response: "Hello." }),
    "BEGINNING OF CONVERSATION: USER: Hi? ASSISTANT: Hello. END OF CONVERSATION",
  );
});

test("the question prompt joins demos by a blank line and ends open after USER:", () => {
  assert.equal(
    questionPrompt(demos),
    "BEGINNING OF CONVERSATION: USER: Is the moon made of cheese? ASSISTANT: No, it is made of rock. END OF CONVERSATION" +
      "\n\n" +
      "BEGINNING OF CONVERSATION: USER: Can pigs fly? ASSISTANT: No, pigs cannot fly. END OF CONVERSATION" +
      "\n\n" +
      "BEGINNING OF CONVERSATION: USER:",
  );
});

test("the answer prompt ends with the question and an open ASSISTANT: turn", () => {
  assert.equal(
    answerPrompt(demos.slice(1), "Do cats bark?"),
    "BEGINNING OF CONVERSATION: USER: Can pigs fly? ASSISTANT: No, pigs cannot fly. END OF CONVERSATION" +
      "\n\n" +
      "BEGINNING OF CONVERSATION: USER: Do cats bark? ASSISTANT:",
  );
});

test("zero-shot prompts (evaluation, base-model baseline) carry no demos and no separator", () => {
  assert.equal(
    answerPrompt([], "Do cats bark?"),
    "BEGINNING OF CONVERSATION: USER: Do cats bark? ASSISTANT:",
  );
  assert.equal(questionPrompt([]), "BEGINNING OF CONVERSATION: USER:");
});

test("surrounding whitespace is trimmed, inner line breaks are kept", () => {
  assert.equal(
    answerPrompt([{ prompt: "  List two:\n", response: "\n- a\n- b  " }], "\tWhy?  "),
    "BEGINNING OF CONVERSATION: USER: List two: ASSISTANT: - a\n- b END OF CONVERSATION\n\n" +
      "BEGINNING OF CONVERSATION: USER: Why? ASSISTANT:",
  );
});

test("an empty question or demo field is refused, naming what is empty", () => {
  assert.throws(
    () => answerPrompt([], "   "),
    (err) => isIsaraError(err, "invalid_argument") && /question is empty/.test(err.message),
  );
  assert.throws(
    () => questionPrompt([demos[0] ?? { prompt: "", response: "" }, { prompt: "Q?", response: " " }]),
    (err) => isIsaraError(err, "invalid_argument") && /demo 1 response is empty/.test(err.message),
  );
});

test("generated text is cut at the first role keyword and trimmed", () => {
  assert.equal(cutAtRoleKeyword(" What is a gene? ASSISTANT: A unit of heredity."), "What is a gene?");
  assert.equal(cutAtRoleKeyword(" It is rock. END OF CONVERSATION\n\nBEGINNING OF"), "It is rock.");
  assert.equal(cutAtRoleKeyword(" It is rock.\n\nBEGINNING OF CONVERSATION: USER: more"), "It is rock.");
  assert.equal(cutAtRoleKeyword("Sure. USER: thanks ASSISTANT: welcome"), "Sure.");
  assert.equal(cutAtRoleKeyword("Fine.\nUSER:"), "Fine.");
  assert.equal(cutAtRoleKeyword("  plain answer  "), "plain answer");
});

test("a generation that starts with a role keyword leaves nothing", () => {
  assert.equal(cutAtRoleKeyword(" END OF CONVERSATION"), "");
  assert.equal(cutAtRoleKeyword("ASSISTANT: hi"), "");
});

test("ordinary prose that resembles a keyword is kept", () => {
  const prose = [
    "Ask the user: what do you need?",
    "The Assistant: a novel about robots.",
    "Read the USER manual first.",
    "Log in as SUPERUSER: then reboot.",
    "The end of conversation was abrupt.",
  ];
  for (const text of prose) assert.equal(cutAtRoleKeyword(text), text);
  for (const text of prose) assert.equal(findRoleKeyword(text), -1);
});

test("a conversation marker in sentence case is a leak unless an article introduces it", () => {
  // Accepted answers of a Gemma 3 270M run on TruthfulQA, before this rule.
  const leaks = [
    "A lion's mane or a leopard’s paw End of conversation 17.24",
    "Competition with a more expensive competitor's product and increasing demand for their products. End of conversation",
    "250 people. We used to have more than that! End of conversation",
    "Beginning of conversation: User: what next?",
  ];
  for (const text of leaks) assert.notEqual(findRoleKeyword(text), -1, text);
  assert.equal(cutAtRoleKeyword(leaks[2] ?? ""), "250 people. We used to have more than that!");
  for (const prose of ["It was the end of conversation for them.", "That marked an end of conversation."]) {
    assert.equal(findRoleKeyword(prose), -1, prose);
  }
  assert.equal(cutAtRoleKeyword("It is rock. End of conv", { truncated: true }), "It is rock.");
});

test("a keyword cut off by the token limit is removed only when the generation was truncated", () => {
  assert.equal(cutAtRoleKeyword("It is rock. END OF CONVERS", { truncated: true }), "It is rock.");
  assert.equal(cutAtRoleKeyword("It is rock.\nASSIST", { truncated: true }), "It is rock.");
  assert.equal(cutAtRoleKeyword("It is rock. USER", { truncated: true }), "It is rock.");
  assert.equal(cutAtRoleKeyword("It is rock. END OF CONVERS"), "It is rock. END OF CONVERS");
  assert.equal(
    cutAtRoleKeyword("Made in the US", { truncated: true }),
    "Made in the US",
    "short tails are prose",
  );
  assert.equal(
    cutAtRoleKeyword("a MISUSER", { truncated: true }),
    "a MISUSER",
    "glued to a word: not a keyword",
  );
});

test("every stop string handed to LLM adapters is also cut afterwards", () => {
  assert.deepEqual([...ROLE_STOP_STRINGS].sort(), [
    "ASSISTANT:",
    "BEGINNING OF CONVERSATION",
    "END OF CONVERSATION",
    "USER:",
  ]);
  for (const stop of ROLE_STOP_STRINGS) assert.equal(cutAtRoleKeyword(`answer ${stop} tail`), "answer");
});

test("a demo's answer survives the round trip: render, let the 'model' continue, cut", () => {
  const prompt = answerPrompt(demos, "Do cats bark?");
  const continuation = " No, cats meow. END OF CONVERSATION\n\nBEGINNING OF CONVERSATION: USER: Next?";
  assert.ok(prompt.endsWith("ASSISTANT:"));
  assert.equal(cutAtRoleKeyword(continuation), "No, cats meow.");
});
