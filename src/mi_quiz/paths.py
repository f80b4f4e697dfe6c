"""Where mi-quiz keeps things. Each place can be moved with an environment
variable, which is also how the tests keep away from a user's real data."""

from __future__ import annotations

import os
from pathlib import Path

APP = "mi-quiz"


def _dir(variable: str, kind: str) -> Path:
    override = os.environ.get(variable)
    if override:
        return Path(override).expanduser()
    import platformdirs  # only when no override is set: keeps start-up lean

    return Path(getattr(platformdirs, f"user_{kind}_dir")(APP))


def data_dir() -> Path:
    return _dir("MI_QUIZ_DATA_DIR", "data")


def config_dir() -> Path:
    return _dir("MI_QUIZ_CONFIG_DIR", "config")


def cache_dir() -> Path:
    return _dir("MI_QUIZ_CACHE_DIR", "cache")


def db_path(option: str | None = None) -> Path:
    chosen = option or os.environ.get("MI_QUIZ_DB")
    return Path(chosen).expanduser() if chosen else data_dir() / "mi-quiz.db"


def user_decks_dir() -> Path:
    return data_dir() / "decks"


def bundled_decks_dir() -> Path:
    """Decks inside the installed package, or decks/ of a source checkout."""
    here = Path(__file__).resolve().parent
    packaged = here / "decks"
    if packaged.is_dir():
        return packaged
    return here.parent.parent / "decks"


def schema_path() -> Path:
    return Path(__file__).resolve().parent / "deck.schema.json"
