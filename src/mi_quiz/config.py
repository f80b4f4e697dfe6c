"""Settings, kept as a small JSON file in the user config folder."""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass, fields
from datetime import date
from pathlib import Path

from mi_quiz import paths


class ConfigError(Exception):
    pass


@dataclass
class Settings:
    new_per_day: int = 20
    reviews_per_day: int = 200
    desired_retention: float = 0.9
    rollover_hour: int = 4
    fuzz: bool = True
    exam_date: str = ""  # YYYY-MM-DD, empty when none is set
    exam_questions: int = 50
    exam_pass_percent: float = 70.0


HELP = {
    "new_per_day": "new cards introduced per study day (0-9999)",
    "reviews_per_day": "reviews per study day (0-99999)",
    "desired_retention": "FSRS target recall probability (0.70-0.99)",
    "rollover_hour": "local hour at which a study day starts (0-23)",
    "fuzz": "spread review dates a little (true/false)",
    "exam_date": "your exam date, YYYY-MM-DD (empty to clear)",
    "exam_questions": "questions in the exam you are preparing for (readiness)",
    "exam_pass_percent": "pass mark of that exam, in percent",
}


def config_file() -> Path:
    return paths.config_dir() / "config.json"


def load() -> Settings:
    path = config_file()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Settings()
    except OSError as error:
        raise ConfigError(f"{path}: cannot read settings ({error.strerror})") from None
    import json  # only when there is a file to read

    try:
        raw = json.loads(text)
        if not isinstance(raw, dict):
            raise ValueError("not a JSON object")
    except ValueError as error:
        raise ConfigError(f"{path}: cannot read settings ({error}); fix or delete the file") from None
    settings = Settings()
    for key, value in raw.items():
        if key in HELP:
            try:
                setattr(settings, key, parse(key, str(value)))
            except ConfigError as error:
                raise ConfigError(f"{path}: {error}") from None
    return settings


def save(settings: Settings) -> None:
    import json

    path = config_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(asdict(settings), indent=2) + "\n", encoding="utf-8")
    os.replace(temporary, path)


def parse(key: str, text: str):
    if key not in HELP:
        raise ConfigError(f"unknown setting '{key}'; settings: {', '.join(HELP)}")
    kind = {f.name: f.type for f in fields(Settings)}[key]
    text = text.strip()
    try:
        if kind == "bool":
            if text.lower() not in ("true", "false", "yes", "no", "on", "off", "1", "0"):
                raise ValueError
            return text.lower() in ("true", "yes", "on", "1")
        if kind == "int":
            value = int(text)
        elif kind == "float":
            value = float(text)
        else:
            if text:
                date.fromisoformat(text)
            return text
    except ValueError:
        raise ConfigError(f"{key}: '{text}' is not valid; expected {HELP[key]}") from None
    bounds = {
        "new_per_day": (0, 9999), "reviews_per_day": (0, 99999), "desired_retention": (0.7, 0.99),
        "rollover_hour": (0, 23), "exam_questions": (1, 1000), "exam_pass_percent": (1, 100),
    }[key]
    if not bounds[0] <= value <= bounds[1]:
        raise ConfigError(f"{key}: {text} is out of range; expected {HELP[key]}")
    return value
