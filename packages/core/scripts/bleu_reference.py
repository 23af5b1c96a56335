"""Reference BLEU numbers from sacrebleu, for the TypeScript cross-check test (bleu.cross-check.test.ts).

Reads one JSON object from stdin and writes one to stdout, so the test starts Python once for all
pairs:
  in:  {"tokenize": [text, ...], "pairs": [[hypothesis, reference], ...]}
  out: {"tokens": [[token, ...], ...], "scores": [score, ...]}
Scores are on sacrebleu's 0..100 scale, computed by the call TruthfulQA's reference code makes through
t5.evaluation.metrics.bleu([reference], [hypothesis]). Tokens are what BLEU counts n-grams over
(trailing whitespace stripped, then the "intl" tokenizer, then split on whitespace). Floats are
written with repr precision, so JSON carries them to JavaScript bit for bit.
"""

import json
import sys

import sacrebleu
from sacrebleu.metrics.bleu import BLEU


def truthfulqa_bleu(hypothesis: str, reference: str) -> float:
    return sacrebleu.corpus_bleu(
        [hypothesis],
        [[reference]],
        smooth_method="exp",
        smooth_value=0.0,
        force=False,
        lowercase=False,
        tokenize="intl",
        use_effective_order=False,
    ).score


def main() -> None:
    request = json.loads(sys.stdin.buffer.read().decode("utf-8"))
    metric = BLEU(tokenize="intl")
    response = {
        "tokens": [metric._preprocess_segment(text).split() for text in request.get("tokenize", [])],
        "scores": [truthfulqa_bleu(h, r) for h, r in request.get("pairs", [])],
    }
    sys.stdout.write(json.dumps(response))


if __name__ == "__main__":
    main()
