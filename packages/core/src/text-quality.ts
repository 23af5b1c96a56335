/**
 * Checks of one generated text that say whether it is fit to train on. A 135M model that answers
 * from a long prompt of demos leaks the wrapper's role keywords ("End OF CONVERSATION"), escapes into
 * runs of capital-letter gibberish ("THE UNITED LANDLESS DEPARTURE") and writes words that are no
 * words; a model fine-tuned on such text writes more of it. The sample-quality figures and the
 * quality filters read texts through these rules, so a figure and the filter that acts on it agree.
 */
import { findRoleKeyword, withoutRoleKeywords } from "./prompt-format.js";

/** Whether `text` contains a role keyword of the conversation wrapper in any case (core's one rule). */
export function hasRoleLeak(text: string): boolean {
  return findRoleKeyword(text) >= 0;
}

/** The letters of a whitespace-separated word, punctuation stripped at both ends. */
function core(word: string): string {
  return word.replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, "");
}

function isCapsWord(word: string): boolean {
  const letters = word.replace(/[^\p{L}]/gu, "");
  return letters.length >= 2 && letters === letters.toUpperCase() && letters !== letters.toLowerCase();
}

/**
 * The longest run of consecutive all-capital words in `text`, counted in letters. Acronyms are short
 * ("NASA", "USA and UK"); a run of shouted words is long ("EARDING HAS SUCCEASY FOR BAD LAGS" is 27
 * letters). A word that is not all capitals, or a single letter ("I", "A"), ends the run, and role
 * keywords are not counted: they are leaks, counted as such.
 */
export function longestCapsRun(text: string): { readonly letters: number; readonly text: string } {
  let best = { letters: 0, text: "" };
  let run: string[] = [];
  let letters = 0;
  const close = () => {
    if (letters > best.letters) best = { letters, text: run.join(" ") };
    run = [];
    letters = 0;
  };
  // A line break ends a run (a role keyword was replaced by one).
  for (const raw of withoutRoleKeywords(text).split(/(\n)|[^\S\n]+/)) {
    if (raw === undefined || raw === "") continue;
    const word = core(raw);
    if (isCapsWord(word)) {
      run.push(word);
      letters += word.replace(/[^\p{L}]/gu, "").length;
    } else {
      close();
    }
  }
  close();
  return best;
}

/** Letters in a run of capital words from which text counts as capital-letter gibberish. */
export const DEFAULT_CAPS_RUN_LETTERS = 10;

/** Whether `text` holds a run of capital words of at least `minRunLetters` letters (see {@link longestCapsRun}). */
export function hasCapsGibberish(text: string, minRunLetters = DEFAULT_CAPS_RUN_LETTERS): boolean {
  return longestCapsRun(text).letters >= minRunLetters;
}

const VOWELS = /[aeiouyàáâäãåèéêëìíîïòóôöõùúûüý]/iu;

/**
 * Whether `word` (letters only, after punctuation is stripped) is not shaped like a word of a
 * language written in the Latin alphabet: no vowel at all in four or more letters ("Rmtnkr"), the same
 * letter three times in a row ("aaah", "sooo"), or longer than 24
 * letters. Mixed case is not judged ("iPhone", "McDonald" are words). An orthographic rule, so it needs no dictionary and works on any domain; it
 * misses pronounceable nonsense ("SUCCEASY"), which the caps-run rule catches when shouted. Words
 * with digits or non-Latin letters are not judged (false).
 */
export function isNonWord(word: string): boolean {
  const w = core(word);
  if (!/^\p{Script=Latin}+$/u.test(w)) return false;
  if (w.length > 24) return true;
  if (w.length >= 4 && !VOWELS.test(w)) return true;
  return /(\p{L})\1\1/iu.test(w);
}

/** Alphabetic words of `text` and how many of them are non-words ({@link isNonWord}). */
export function nonWordCount(text: string): { readonly words: number; readonly nonWords: number } {
  let words = 0;
  let nonWords = 0;
  for (const raw of text.split(/\s+/)) {
    const w = core(raw);
    if (!/^\p{Script=Latin}+$/u.test(w)) continue;
    words++;
    if (isNonWord(w)) nonWords++;
  }
  return { words, nonWords };
}
