"""Reference ROUGE-L numbers from Google's rouge-score package, for the TypeScript cross-check test.

Reads one JSON object from stdin and writes one to stdout, so the test starts Python once for all
pairs:
  in:  {"tokenize": [text, ...],
        "pairs": [[target, prediction], ...],
        "multi": [{"prediction": text, "targets": [text, ...]}, ...]}
  out: {"tokens": [[token, ...], ...],
        "pairs": [[precision, recall, fmeasure], ...],
        "multi": [[precision, recall, fmeasure], ...]}
The scorer is the one the paper's numbers come from: RougeScorer(["rougeL"], use_stemmer=False).
Floats are written with repr precision, so JSON carries them to JavaScript bit for bit.
"""

import json
import sys

from rouge_score import rouge_scorer, tokenize


def main() -> None:
    request = json.loads(sys.stdin.buffer.read().decode("utf-8"))
    scorer = rouge_scorer.RougeScorer(["rougeL"], use_stemmer=False)

    def triple(score):
        return [score.precision, score.recall, score.fmeasure]

    response = {
        "tokens": [tokenize.tokenize(text, None) for text in request.get("tokenize", [])],
        "pairs": [triple(scorer.score(t, p)["rougeL"]) for t, p in request.get("pairs", [])],
        "multi": [
            triple(scorer.score_multi(m["targets"], m["prediction"])["rougeL"])
            for m in request.get("multi", [])
        ],
    }
    sys.stdout.write(json.dumps(response))


if __name__ == "__main__":
    main()
