"""Belarusian word forms: how the suffix stripper compares with the dictionary's lemmas.

Run from the repository root:

    python bench/be_lemmas.py --json [--corpus PATH ...] [--sample 2000] [--seed 12]

Two measurements of `light_stem` (the suffix stripper Belarusian words went through before
the lemma table) against the lemmas of `bot/data/be_lemmas.tsv.gz`:

- on real text, the Cyrillic words of the corpora's Belarusian items (`lang` "be"; by
  default tests/data/corpus/*.jsonl, or each `--corpus`): `coverage`, the share of word
  tokens the dictionary knows; over the distinct words it knows, `merged_pairs`, pairs of words
  the stripper gives one stem although they share no lemma (two words confused), and
  `split_pairs`, pairs sharing a lemma that it gives different stems (one word's forms
  not meeting); their pairwise `precision` and `recall`, and examples;
- on the dictionary, for a random sample of lemmas with all their forms: `forms_meeting_lemma`,
  the share of forms whose stem is the stem of their lemma (a keyword written in
  dictionary form finds them), `lemmas_split`, the share of lemmas whose forms get more
  than one stem, and `forms_colliding`, the share of forms whose stem is also the stem of a
  form of another lemma.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import sys
from collections import defaultdict
from collections.abc import Iterable
from itertools import combinations
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # run as a script from a checkout, installed or not

from bot.matching.belarusian import lemmas  # noqa: E402 (needs the path above)
from bot.matching.normalize import is_cyrillic, light_stem, tokenize  # noqa: E402

CORPORA = tuple(sorted((ROOT / "tests" / "data" / "corpus").glob("*.jsonl")))
TABLE = ROOT / "bot" / "data" / "be_lemmas.tsv.gz"
EXAMPLES = 12


def corpus_words(paths: Iterable[Path]) -> tuple[list[str], int]:
    """Return the folded Cyrillic word tokens of the Belarusian items, and the item count."""
    words: list[str] = []
    items = 0
    for path in paths:
        if not path.exists():
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            item = json.loads(line)
            if item.get("lang") != "be":
                continue
            items += 1
            words += [
                token.norm
                for token in tokenize(item["text"])
                if is_cyrillic(token.norm) and token.norm.isalpha()
            ]
    return words, items


def pairs(groups: dict[str, set[str]]) -> set[tuple[str, str]]:
    """Return every unordered pair of words within the same group."""
    return {tuple(sorted(pair)) for group in groups.values() for pair in combinations(group, 2)}  # type: ignore[misc]


def on_corpus(paths: Iterable[Path]) -> dict[str, object]:
    """Compare the stripper's stems with the dictionary's lemmas on real words."""
    tokens, items = corpus_words(paths)
    known = {word: set(lemmas(word)) for word in set(tokens)}
    known = {word: found for word, found in known.items() if found}
    by_stem: dict[str, set[str]] = defaultdict(set)
    by_lemma: dict[str, set[str]] = defaultdict(set)
    for word, found in known.items():
        by_stem[light_stem(word, "be")].add(word)
        for lemma in found:
            by_lemma[lemma].add(word)
    same_stem = pairs(by_stem)
    same_lemma = pairs(by_lemma)
    merged = sorted(same_stem - same_lemma)
    split = sorted(same_lemma - same_stem)
    return {
        "items": items,
        "tokens": len(tokens),
        "coverage": round(sum(word in known for word in tokens) / max(len(tokens), 1), 4),
        "distinct_known_words": len(known),
        "same_stem_pairs": len(same_stem),
        "same_lemma_pairs": len(same_lemma),
        "merged_pairs": len(merged),
        "split_pairs": len(split),
        "precision": round(1 - len(merged) / max(len(same_stem), 1), 4),
        "recall": round(1 - len(split) / max(len(same_lemma), 1), 4),
        "merged_examples": [
            f"{a} ({'/'.join(sorted(known[a]))}) = {b} ({'/'.join(sorted(known[b]))}): "
            f"{light_stem(a, 'be')}"
            for a, b in merged[:EXAMPLES]
        ],
        "split_examples": [
            f"{a} ({light_stem(a, 'be')}) / {b} ({light_stem(b, 'be')}): "
            f"{'/'.join(sorted(known[a] & known[b]))}"
            for a, b in split[:EXAMPLES]
        ],
        "unknown_examples": sorted({word for word in tokens if word not in known})[:EXAMPLES],
    }


def on_dictionary(sample: int, seed: int) -> dict[str, object]:
    """Compare stems and lemmas over a random sample of the dictionary's lemmas."""
    forms_of: dict[str, list[str]] = defaultdict(list)
    stem_lemmas: dict[str, set[str]] = defaultdict(set)
    with gzip.open(TABLE, "rt", encoding="utf-8") as table:
        for line in table:
            form, found = line.rstrip("\n").split("\t")
            lemma = found.split(" ")[0]
            forms_of[lemma].append(form)
            stem_lemmas[light_stem(form, "be")].add(lemma)
    chosen = random.Random(seed).sample(sorted(forms_of), min(sample, len(forms_of)))
    forms = meeting = colliding = split = 0
    for lemma in chosen:
        stems = {light_stem(form, "be") for form in forms_of[lemma]}
        split += len(stems) > 1
        target = light_stem(lemma, "be")
        for form in forms_of[lemma]:
            stem = light_stem(form, "be")
            forms += 1
            meeting += stem == target
            colliding += len(stem_lemmas[stem]) > 1
    return {
        "lemmas": len(chosen),
        "forms": forms,
        "forms_meeting_lemma": round(meeting / max(forms, 1), 4),
        "lemmas_split": round(split / max(len(chosen), 1), 4),
        "forms_colliding": round(colliding / max(forms, 1), 4),
    }


def main(argv: list[str] | None = None) -> int:
    """Print both measurements."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--corpus", type=Path, action="append", help="a JSONL corpus")
    parser.add_argument("--sample", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=12)
    args = parser.parse_args(argv)
    report = {
        "corpus": on_corpus(args.corpus or CORPORA),
        "dictionary": on_dictionary(args.sample, args.seed),
    }
    if args.json:
        print(json.dumps(report, ensure_ascii=False))
    else:
        print(json.dumps(report, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
