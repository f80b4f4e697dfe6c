"""What a deck and a card are once parsed: plain, immutable values.

Nothing here knows about YAML, SQLite or the terminal.
"""

from __future__ import annotations

import re
from operator import itemgetter
from dataclasses import dataclass, field
from collections.abc import Sequence
from typing import NamedTuple

CARD_TYPES = ("basic", "mcq", "truefalse", "cloze", "typed")
LEVELS = ("recall", "comprehension", "application")
# Types whose answers grade themselves, so an exam can use them.
AUTO_GRADED = ("mcq", "truefalse", "typed")

CLOZE_RE = re.compile(r"\{\{c(\d+)::(.*?)(?:::(.*?))?\}\}", re.S)


def _digest(text: str) -> str:
    import hashlib  # only deck parsing hashes; start-up reads hashes from the cache

    return hashlib.blake2b(text.encode(), digest_size=4).hexdigest()


def content_hash(prompt: str, answer: str, choices: tuple[str, ...], accept: tuple[str, ...]) -> str:
    """16 hex digits: the first 8 hash the prompt, the last 8 the answer side.

    Split in two so that study can tell a reworded question (history kept,
    nothing said) from a changed answer (history kept, the candidate is told).
    """
    answer_side = "\x1f".join([answer, *sorted(choices), *sorted(accept)])
    return _digest(prompt) + _digest(answer_side)


def answer_changed(old_hash: str | None, new_hash: str) -> bool:
    return bool(old_hash) and old_hash[8:] != new_hash[8:]


class Card(NamedTuple):
    """A tuple, not a dataclass: 20,000 of them unpickle from the deck cache
    about ten times faster, and start-up is the hot path."""

    deck_id: str
    card_id: str  # for cloze: "<id>#c<n>", one card per deletion number
    kind: str
    prompt: str
    answer: str
    choices: tuple[str, ...] = ()
    accept: tuple[str, ...] = ()
    explanation: str = ""
    source: str = ""
    tags: tuple[str, ...] = ()
    level: str = ""
    line: int = 0
    hash: str = ""

    # (deck_id, card_id): progress is keyed by it. A C-level getter, because
    # start-up asks every card for its key.
    key = property(itemgetter(slice(0, 2)))

    @property
    def guess_rate(self) -> float:
        """Chance of a right answer with no knowledge at all."""
        if self.kind == "mcq":
            return 1 / len(self.choices)
        if self.kind == "truefalse":
            return 0.5
        return 0.0


@dataclass(frozen=True, slots=True)
class Deck:
    id: str
    title: str
    path: str
    description: str = ""
    domain: str = ""
    weight: float | None = None
    cards: Sequence[Card] = ()  # a tuple, or cards decoded lazily from the deck cache
    origin: str = ""  # where the deck was found: bundled, user, MI_QUIZ_DECKS, --decks
    types: dict[str, int] = field(default_factory=dict)
    card_ids: tuple[str, ...] = ()  # in deck order; known without decoding any card
    _positions: dict | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        if not self.card_ids and isinstance(self.cards, tuple):
            object.__setattr__(self, "card_ids", tuple(card.card_id for card in self.cards))

    def position(self, card_id: str) -> int:
        """Index of a card in `cards` (built once per deck, on first use)."""
        index = self._positions
        if index is None:
            index = {cid: i for i, cid in enumerate(self.card_ids)}
            object.__setattr__(self, "_positions", index)
        return index[card_id]


def cloze_deletions(text: str) -> list[int]:
    return sorted({int(m.group(1)) for m in CLOZE_RE.finditer(text)})


def cloze_side(text: str, number: int) -> tuple[str, str]:
    """The prompt with deletion `number` hidden (others shown) and its answer."""
    answers: list[str] = []

    def hide(match: re.Match[str]) -> str:
        if int(match.group(1)) != number:
            return match.group(2)
        answers.append(match.group(2))
        hint = match.group(3)
        return f"[{hint}]" if hint else "[...]"

    return CLOZE_RE.sub(hide, text), " ... ".join(answers)


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong (or doubtful) in a deck file, with where it is."""

    path: str
    line: int
    column: int
    message: str
    severity: str = "error"  # or "warning"

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}:{self.column}" if self.line else self.path
        tag = "" if self.severity == "error" else "warning: "
        return f"{where}: {tag}{self.message}"
