"""Topic-matching quality on a labelled corpus: micro F1, precision, recall, per topic.

Run from the repository root:

    python bench/quality.py --json [--corpus PATH]

Each corpus line is a JSON object with `text`, the `topics` it must get and the `also`
topics that are acceptable. For an item with predicted topics P, gold G and acceptable A:
TP = |P ∩ G|, FP = |P − G − A|, FN = |G − P|, summed over all items (micro average). An
item with no gold topics is a negative; a topic predicted for it that is not one of its
acceptable ones counts in `false_positives_on_negatives` (`also` topics count neither way,
on negatives as elsewhere). Place ids are scored the same way, for information.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # run as a script from a checkout, installed or not

from bot.matching import default_matcher  # noqa: E402 (needs the path above)

CORPORA = (
    ROOT.parent / "shared" / "corpus" / "events_dev.jsonl",
    ROOT / "tests" / "data" / "corpus" / "events_dev.jsonl",
)


@dataclass
class Counts:
    """True positives, false positives and false negatives."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    def scores(self) -> dict[str, float]:
        """Return precision, recall and F1 (1.0 where nothing was expected or found)."""
        precision = self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0
        recall = self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4)}


@dataclass
class Report:
    """Everything the benchmark measured."""

    total: Counts = field(default_factory=Counts)
    per_topic: dict[str, Counts] = field(default_factory=dict)
    places: Counts = field(default_factory=Counts)
    items: int = 0
    negatives_hit: int = 0
    misses: list[dict[str, object]] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        """Return the figures as one JSON-ready object."""
        scores = self.total.scores()
        return {
            "micro_f1": scores["f1"],
            "precision": scores["precision"],
            "recall": scores["recall"],
            "false_positives_on_negatives": self.negatives_hit,
            "items": self.items,
            "tp": self.total.tp,
            "fp": self.total.fp,
            "fn": self.total.fn,
            "per_topic": {
                topic: {"tp": c.tp, "fp": c.fp, "fn": c.fn, **c.scores()}
                for topic, c in self.per_topic.items()
            },
            "places": {"tp": self.places.tp, "fp": self.places.fp, "fn": self.places.fn}
            | self.places.scores(),
        }


def evaluate(lines: list[str]) -> Report:
    """Classify every corpus item and score it against its labels."""
    matcher = default_matcher()
    report = Report(per_topic={name: Counts() for name in matcher.topics})
    for line in lines:
        if not line.strip():
            continue
        item = json.loads(line)
        result = matcher.classify(item["text"])
        predicted, gold = set(result.topics), set(item["topics"])
        wrong = predicted - gold - set(item.get("also", ()))
        missed = gold - predicted
        report.items += 1
        report.total.tp += len(predicted & gold)
        report.total.fp += len(wrong)
        report.total.fn += len(missed)
        for topic in predicted & gold:
            report.per_topic[topic].tp += 1
        for topic in wrong:
            report.per_topic[topic].fp += 1
        for topic in missed:
            report.per_topic[topic].fn += 1
        if not gold and wrong:  # an `also` topic is acceptable on a negative too
            report.negatives_hit += 1
        got_places, want_places = set(result.places), set(item.get("places", ()))
        report.places.tp += len(got_places & want_places)
        report.places.fp += len(got_places - want_places)
        report.places.fn += len(want_places - got_places)
        if wrong or missed:
            report.misses.append(
                {
                    "id": item.get("id"),
                    "text": item["text"],
                    "missed": sorted(missed),
                    "wrong": sorted(wrong),
                    "hits": {hit.topic: list(hit.words) for hit in result.hits},
                }
            )
    return report


def print_table(report: Report) -> None:
    """Print the figures as a table, then the misclassified items."""
    figures = report.as_dict()
    print(f"items {report.items}   micro F1 {figures['micro_f1']:.3f}   "
          f"precision {figures['precision']:.3f}   recall {figures['recall']:.3f}   "
          f"false positives on negatives {report.negatives_hit}")  # fmt: skip
    print(f"\n{'topic':<14}{'tp':>4}{'fp':>4}{'fn':>4}{'prec':>8}{'recall':>8}{'f1':>8}")
    for topic, counts in report.per_topic.items():
        s = counts.scores()
        print(f"{topic:<14}{counts.tp:>4}{counts.fp:>4}{counts.fn:>4}"
              f"{s['precision']:>8.3f}{s['recall']:>8.3f}{s['f1']:>8.3f}")  # fmt: skip
    p = report.places.scores()
    print(f"\nplaces: precision {p['precision']:.3f} recall {p['recall']:.3f}")
    if report.misses:
        print("\nmisclassified:")
    for miss in report.misses:
        print(f"- {miss['id']}: missed {miss['missed']} wrong {miss['wrong']}")
        print(f"  {miss['text']}")
        print(f"  hits: {miss['hits']}")


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its result."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--corpus", type=Path, help="a JSONL corpus (default: the dev corpus)")
    args = parser.parse_args(argv)
    corpus = args.corpus or next((path for path in CORPORA if path.exists()), None)
    if corpus is None:
        parser.error("no corpus found; pass --corpus PATH")
    report = evaluate(corpus.read_text(encoding="utf-8").splitlines())
    if args.json:
        print(json.dumps(report.as_dict() | {"corpus": str(corpus)}, ensure_ascii=False))
    else:
        print_table(report)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
