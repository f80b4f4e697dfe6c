"""Finding deck files on the search path and loading them, with a cache so an
unchanged file is never parsed twice."""

from __future__ import annotations

import marshal
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from mi_quiz import __version__, paths
from mi_quiz.cards import Card, Deck, Problem

CACHE_FORMAT = 3
DECK_SUFFIXES = (".yaml", ".yml")


@dataclass
class Library:
    decks: list[Deck] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # paths of decks not loaded
    _index: dict | None = field(default=None, repr=False)

    def cards(self) -> list[Card]:
        return [card for deck in self.decks for card in deck.cards]

    def deck(self, deck_id: str) -> Deck | None:
        return next((d for d in self.decks if d.id == deck_id), None)

    def keys(self, deck_ids: list[str] | None = None) -> list[tuple[str, str]]:
        """(deck id, card id) of every card, in deck order, without decoding any card."""
        return [(deck.id, card_id) for deck in self.decks if not deck_ids or deck.id in deck_ids
                for card_id in deck.card_ids]

    def card(self, key: tuple[str, str]) -> Card:
        if self._index is None:
            self._index = {deck.id: deck for deck in self.decks}
        deck = self._index[key[0]]
        return deck.cards[deck.position(key[1])]


def search_path(extra: list[str] | None = None, bundled: bool = True) -> list[tuple[Path, str]]:
    """Folders (or files) to look in, each with a label saying where it came from."""
    places: list[tuple[Path, str]] = []
    if bundled:
        places.append((paths.bundled_decks_dir(), "bundled"))
    user = paths.user_decks_dir()
    if user.is_dir():
        places.append((user, "user"))
    for entry in os.environ.get("MI_QUIZ_DECKS", "").split(os.pathsep):
        if entry.strip():
            places.append((Path(entry).expanduser(), "MI_QUIZ_DECKS"))
    for entry in extra or []:
        places.append((Path(entry).expanduser(), "--decks"))
    return places


def deck_files(places: list[tuple[Path, str]]) -> list[tuple[str, str]]:
    files: list[tuple[str, str]] = []
    seen: set[str] = set()
    for place, origin in places:
        if place.is_file():
            found = [place]
        elif place.is_dir():
            found = sorted(
                p for p in place.rglob("*")
                if p.suffix in DECK_SUFFIXES and not any(part.startswith(".") for part in p.relative_to(place).parts)
            )
        else:
            continue
        for path in found:
            resolved = str(path.resolve())
            if resolved not in seen:
                seen.add(resolved)
                files.append((str(path), origin))
    return files


def load_library(places: list[tuple[Path, str]], use_cache: bool = True) -> Library:
    cache = _read_cache() if use_cache else {}
    fresh: dict = {}
    changed = False
    library = Library()
    owners: dict[str, str] = {}
    for path, origin in deck_files(places):
        try:
            stat = os.stat(path)
        except OSError as error:
            library.problems.append(Problem(path, 0, 0, f"cannot read: {error.strerror}"))
            continue
        key = (os.path.abspath(path), origin)
        stamp = (stat.st_mtime_ns, stat.st_size)
        hit = cache.get(key)
        if hit is not None and hit[0] == stamp:
            deck, problems = hit[1], hit[2]
            if deck is not None and deck.path != path:
                deck = _relocated(deck, path)
        else:
            from mi_quiz import deckfile  # PyYAML loads only when a file must really be parsed

            deck, problems = deckfile.read_deck(path, origin)
            changed = True
        fresh[key] = (stamp, deck, problems)
        library.problems.extend(problems)
        if deck is None:
            library.skipped.append(path)
            continue
        if deck.id in owners:
            library.problems.append(Problem(path, 1, 1, f"deck id '{deck.id}' is already used by {owners[deck.id]}"))
            library.skipped.append(path)
            continue
        owners[deck.id] = path
        library.decks.append(deck)
    if use_cache and (changed or len(fresh) != len(cache)):
        # Written at exit, after the first card is on screen: pickling 20,000
        # cards costs more than reading them.
        import atexit

        atexit.register(_write_cache, fresh, _cache_file())
    return library


def _relocated(deck: Deck, path: str) -> Deck:
    from dataclasses import replace

    return replace(deck, path=path)


def _cache_file() -> Path:
    return paths.cache_dir() / "decks.cache"


# The cache is marshal of plain values, each card kept as its own marshal
# blob: start-up reads 20,000 small byte strings and decodes only the cards a
# session shows (LazyCards). It is ours, in the user's own cache folder;
# anything odd in it (another Python, a truncated write) means parsing again.
_CACHE_VERSION = (__version__, CACHE_FORMAT, sys.version)


def _read_cache() -> dict:
    try:
        with open(_cache_file(), "rb") as handle:
            version, files = marshal.loads(handle.read())  # load(handle) reads piecemeal: 10x slower
        if version != _CACHE_VERSION:
            return {}
        return {key: (stamp, _deck_from(deck), [Problem(*p) for p in problems]) for key, (stamp, deck, problems) in files.items()}
    except Exception:
        return {}


def _write_cache(files: dict, target: Path) -> None:
    plain = {
        key: (stamp, _deck_to(deck), tuple(_problem_to(p) for p in problems))
        for key, (stamp, deck, problems) in files.items()
    }
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.with_suffix(f".{os.getpid()}.tmp")
        with open(temporary, "wb") as handle:
            handle.write(marshal.dumps((_CACHE_VERSION, plain)))
        os.replace(temporary, target)
    except (OSError, ValueError):
        pass  # a read-only cache folder costs speed, never correctness


class LazyCards(Sequence):
    """A cached deck's cards, each decoded the first time it is used."""

    __slots__ = ("blobs", "_decoded")

    def __init__(self, blobs: tuple[bytes, ...]) -> None:
        self.blobs = blobs
        self._decoded: list[Card | None] = [None] * len(blobs)

    def __len__(self) -> int:
        return len(self.blobs)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        card = self._decoded[index]
        if card is None:
            card = self._decoded[index] = tuple.__new__(Card, marshal.loads(self.blobs[index]))
        return card

    def __eq__(self, other) -> bool:
        return isinstance(other, Sequence) and list(self) == list(other)


def _deck_to(deck: Deck | None):
    if deck is None:
        return None
    if isinstance(deck.cards, LazyCards):
        blobs = deck.cards.blobs  # unchanged since read: no need to encode again
    else:
        blobs = tuple(marshal.dumps(tuple(card)) for card in deck.cards)
    return (deck.id, deck.title, deck.path, deck.description, deck.domain, deck.weight,
            deck.card_ids, blobs, deck.origin, tuple(deck.types.items()))


def _deck_from(plain) -> Deck | None:
    if plain is None:
        return None
    deck_id, title, path, description, domain, weight, card_ids, blobs, origin, types = plain
    return Deck(deck_id, title, path, description, domain, weight, LazyCards(blobs), origin,
                dict(types), card_ids)


def _problem_to(problem: Problem) -> tuple:
    return (problem.path, problem.line, problem.column, problem.message, problem.severity)
