"""The bundled decks: they load, validate with no warnings, and meet the
content rules of the deck issue (size, mix, levels, no giveaways)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from mi_quiz import library
from mi_quiz.deckfile import read_deck

DECKS = Path(__file__).resolve().parent.parent / "decks"
FILES = sorted(DECKS.glob("*.yaml"))
TOPICS = {"partnership", "empowerment", "alliance", "goal-setting"}


def test_all_topics_are_shipped():
    loaded = library.load_library([(DECKS, "bundled")], use_cache=False)
    assert TOPICS <= {deck.id for deck in loaded.decks}
    assert not loaded.skipped


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_deck_is_clean_and_exam_realistic(path):
    deck, problems = read_deck(str(path))
    assert problems == [], [str(p) for p in problems]
    sources = {}
    for card in deck.cards:
        sources[card.card_id.split("#")[0]] = card
    assert len(sources) >= 40
    kinds = Counter(card.kind for card in sources.values())
    assert set(kinds) == {"mcq", "truefalse", "basic", "cloze", "typed"}
    assert kinds["mcq"] >= len(sources) / 2
    levels = Counter(card.level for card in sources.values())
    assert set(levels) == {"recall", "comprehension", "application"}
    for card in sources.values():
        assert card.explanation and card.source and card.tags
        assert "all of the above" not in " ".join(card.choices).lower()
        assert "none of the above" not in " ".join(card.choices).lower()
    mcqs = [c for c in sources.values() if c.kind == "mcq"]
    longest = sum(1 for c in mcqs if len(c.answer) == max(len(x) for x in c.choices))
    assert longest <= len(mcqs) / 3 + 1, f"right answer is the longest choice in {longest} of {len(mcqs)}"
    truths = Counter(c.answer for c in sources.values() if c.kind == "truefalse")
    assert truths["true"] and truths["false"]


SEEDS = Path(__file__).resolve().parent.parent.parent / "shared" / "seeds"


@pytest.mark.skipif(not SEEDS.is_dir(), reason="the seed articles live in ../shared/seeds")
def test_no_sentence_copied_from_the_seed_articles():
    import re

    def words(text):
        return re.findall(r"[a-z']+", text.lower())

    run = 8  # eight words in a row: longer than any shared term list
    seed_runs = set()
    for seed in SEEDS.glob("*.txt"):
        w = words(seed.read_text(encoding="utf-8"))
        seed_runs |= {tuple(w[i:i + run]) for i in range(len(w) - run + 1)}
    copied = []
    for path in FILES:
        deck, _ = read_deck(str(path))
        for card in deck.cards:
            w = words(" ".join([card.prompt, card.answer, card.explanation, *card.choices]))
            copied += [(card.card_id, " ".join(w[i:i + run])) for i in range(len(w) - run + 1) if tuple(w[i:i + run]) in seed_runs]
    assert copied == []
