"""Every test runs against a temporary data, config, cache and deck folder:
never the user's real ones."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def isolated_dirs(tmp_path, monkeypatch):
    for name in ("DATA", "CONFIG", "CACHE"):
        folder = tmp_path / name.lower()
        folder.mkdir()
        monkeypatch.setenv(f"MI_QUIZ_{name}_DIR", str(folder))
    monkeypatch.delenv("MI_QUIZ_DB", raising=False)
    monkeypatch.delenv("MI_QUIZ_DECKS", raising=False)
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("TERMINAL_WIDTH", "100")
    monkeypatch.setenv("_TYPER_FORCE_DISABLE_TERMINAL", "1")
    return tmp_path


@pytest.fixture
def deck_dir(tmp_path):
    folder = tmp_path / "decks"
    folder.mkdir()
    return folder


def write(folder: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = folder / name
    path.write_bytes(textwrap.dedent(text).lstrip("\n").encode(encoding))
    return path


SMALL_DECK = """
id: small
title: Small deck
exam:
  domain: Testing
  weight: 2
cards:
  - id: m1
    type: mcq
    level: recall
    tags: [spirit]
    prompt: Which element belongs to the spirit of MI?
    choices: [Compassion, Confrontation, Diagnosis, Persuasion]
    answer: Compassion
    explanation: Compassion is one of the four; the others are not.
    source: Miller & Rollnick (2013)
  - id: t1
    type: truefalse
    level: comprehension
    tags: [reflex]
    prompt: The righting reflex should be strengthened.
    answer: false
    explanation: It should be resisted.
    source: Miller & Rollnick (2013)
  - id: b1
    type: basic
    level: recall
    tags: [oars]
    prompt: What does OARS stand for?
    answer: Open questions, affirmations, reflections, summaries
    explanation: The core skills.
    source: Miller & Rollnick (2013)
  - id: c1
    type: cloze
    level: recall
    tags: [processes]
    prompt: The processes are engaging, {{c1::focusing}}, {{c2::evoking}} and planning.
    explanation: Four processes.
    source: Miller & Rollnick (2013)
  - id: y1
    type: typed
    level: application
    tags: [darn]
    prompt: In DARN, what does the D stand for?
    answer: Desire
    accept: [desires]
    explanation: Desire, ability, reasons, need.
    source: Miller & Rollnick (2013)
"""
