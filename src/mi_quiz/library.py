"""Finding deck files on the search path and loading them, with a cache so an
unchanged file is never parsed twice."""

from __future__ import annotations

import os
import pickle
from dataclasses import dataclass, field
from pathlib import Path

from mi_quiz import __version__, paths
from mi_quiz.cards import Card, Deck, Problem

CACHE_FORMAT = 1
DECK_SUFFIXES = (".yaml", ".yml")


@dataclass
class Library:
    decks: list[Deck] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # paths of decks not loaded

    def cards(self) -> list[Card]:
        return [card for deck in self.decks for card in deck.cards]

    def deck(self, deck_id: str) -> Deck | None:
        return next((d for d in self.decks if d.id == deck_id), None)


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
    from mi_quiz import deckfile  # imported only when a file must really be parsed

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
        _write_cache(fresh)
    return library


def _relocated(deck: Deck, path: str) -> Deck:
    from dataclasses import replace

    return replace(deck, path=path)


def _cache_file() -> Path:
    return paths.cache_dir() / "decks.pickle"


def _read_cache() -> dict:
    # The cache is ours, in the user's own cache folder; anything odd in it
    # (another version, a truncated write) just means parsing again.
    try:
        with open(_cache_file(), "rb") as handle:
            stored = pickle.load(handle)
        if stored.get("version") == (__version__, CACHE_FORMAT):
            return stored["files"]
    except Exception:
        pass
    return {}


def _write_cache(files: dict) -> None:
    target = _cache_file()
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.with_suffix(f".{os.getpid()}.tmp")
        with open(temporary, "wb") as handle:
            pickle.dump({"version": (__version__, CACHE_FORMAT), "files": files}, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, target)
    except OSError:
        pass  # a read-only cache folder costs speed, never correctness
