import { type Completion, type CompletionRequest, IsaraError } from "@isara/core";
import type { LlamaContextSequence, LlamaModel, SequenceEvaluateOptions, Token } from "node-llama-cpp";
import { throwIfAborted } from "./abort.js";
import { stopIn } from "./stop-strings.js";

/** Prompt tokens evaluated per step, so an abort takes effect between chunks of a long prompt. */
const PREFILL_CHUNK = 512;

/**
 * The prompt as the model sees it: its beginning-of-text token when the model's tokenizer asks for
 * one, then the text tokenized as plain text (special-token markup in the prompt stays text) unless
 * `specialTokens` is set. No chat template: ISARA prompts carry their own conversation wrapper.
 */
export function promptTokens(model: LlamaModel, prompt: string, specialTokens = false): Token[] {
  const tokens = model.tokenize(prompt, specialTokens);
  const bos = model.tokens.bos;
  return model.tokens.shouldPrependBosToken && bos !== null ? [bos, ...tokens] : tokens;
}

/**
 * Runs one raw text completion on a fresh `sequence` and returns what the model wrote.
 *
 * Sampling follows `request`: `temperature` 0 is greedy; `topP` is nucleus sampling with top-k off;
 * `seed` seeds the sampler, so a request is reproducible. `repetitionPenalty` uses the rule of
 * Hugging Face transformers and vLLM (positive logits divided, negative ones multiplied) over the
 * last `repetitionWindow` tokens of the sequence, prompt tail included (llama.cpp's own rule), or
 * over every token, prompt included, when the window is 0 or unset: the HF rule the ISARA authors'
 * settings (1.05 for prompts, 1.2 for answers) were tuned with. Known difference: llama.cpp applies
 * top-p before temperature, HF after.
 *
 * Generation ends at the model's end-of-generation token, the first stop string or the first place
 * `stopAt` names (finish reason `stop`; the text is cut there) or after `maxTokens` tokens (`length`). `tokens` counts the
 * tokens sampled, stop strings included, end-of-generation token excluded. A prompt that leaves no
 * room for `maxTokens` in the context is refused (`invalid_argument`) rather than silently shifted.
 * Text is decoded after the prompt's last tokens, so a leading space the model writes is kept. The
 * signal is checked between prompt chunks and between tokens. `specialTokens` as in {@link promptTokens}.
 */
export async function generate(
  model: LlamaModel,
  sequence: LlamaContextSequence,
  request: CompletionRequest,
  signal?: AbortSignal,
  specialTokens = false,
): Promise<Completion> {
  const prompt = promptTokens(model, request.prompt, specialTokens);
  if (prompt.length === 0) {
    throw new IsaraError(
      "invalid_argument",
      "the prompt is empty and the model has no beginning-of-text token; give a prompt",
    );
  }
  if (prompt.length + request.maxTokens > sequence.contextSize) {
    throw new IsaraError(
      "invalid_argument",
      `the prompt has ${prompt.length} tokens and maxTokens is ${request.maxTokens}, more than the context size of ` +
        `${sequence.contextSize} tokens; shorten the prompt (a smaller prompt budget) or raise contextSize`,
      { promptTokens: prompt.length, maxTokens: request.maxTokens, contextSize: sequence.contextSize },
    );
  }
  const stops = request.stop ?? [];
  const generated: Token[] = [];
  const window = request.repetitionWindow ?? 0;
  const penalised = window > 0 ? window : prompt.length + request.maxTokens;
  const options: SequenceEvaluateOptions = {
    temperature: request.temperature,
    topP: request.topP,
    topK: 0,
    minP: 0,
    seed: request.seed >>> 0,
    yieldEogToken: true,
    repeatPenalty:
      request.repetitionPenalty === 1
        ? undefined
        : {
            punishTokens: () => {
              const seen = prompt.concat(generated);
              return window > 0 ? seen.slice(-window) : seen;
            },
            maxPunishTokens: penalised,
            penalty: request.repetitionPenalty,
          },
  };

  for (let at = 0; at < prompt.length - 1; at += PREFILL_CHUNK) {
    throwIfAborted(signal);
    await sequence.evaluateWithoutGeneratingNewTokens(
      prompt.slice(at, Math.min(at + PREFILL_CHUNK, prompt.length - 1)),
    );
  }
  throwIfAborted(signal);
  const last = prompt.slice(-1);

  let finishReason: Completion["finishReason"] = "length";
  let cut: number | undefined;
  for await (const token of sequence.evaluate(last, options)) {
    throwIfAborted(signal);
    if (model.isEogToken(token)) {
      finishReason = "stop";
      break;
    }
    generated.push(token);
    if (stops.length > 0 || request.stopAt !== undefined) {
      cut = stopIn(model.detokenize(generated, false, prompt), stops, request.stopAt);
      if (cut !== undefined) {
        finishReason = "stop";
        break;
      }
    }
    if (generated.length >= request.maxTokens) break;
  }
  const text = model.detokenize(generated, false, prompt);
  return { text: cut === undefined ? text : text.slice(0, cut), tokens: generated.length, finishReason };
}
