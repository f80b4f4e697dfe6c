"""FSRS scheduling through the `fsrs` package, kept deterministic.

fsrs fuzzes intervals with the global `random`; we switch its fuzz off and
apply the same fuzz ranges with a generator seeded per review, so replaying the
review log reproduces every due date exactly.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import NamedTuple

import fsrs
from fsrs.scheduler import FUZZ_RANGES

NEW, LEARNING, REVIEW, RELEARNING = 0, 1, 2, 3
AGAIN, HARD, GOOD, EASY = 1, 2, 3, 4
RATING_NAMES = {AGAIN: "again", HARD: "hard", GOOD: "good", EASY: "easy"}


class CardState(NamedTuple):
    """Scheduling state of one card (a tuple: thousands are read at start-up)."""

    state: int = NEW
    step: int | None = None
    stability: float | None = None
    difficulty: float | None = None
    due: datetime | None = None
    last_review: datetime | None = None
    first_review: datetime | None = None
    reps: int = 0
    lapses: int = 0

    @property
    def is_new(self) -> bool:
        return self.state == NEW

    @property
    def in_learning(self) -> bool:
        return self.state in (LEARNING, RELEARNING)


NEW_CARD = CardState()


class Scheduler:
    def __init__(self, desired_retention: float = 0.9, fuzz: bool = True) -> None:
        self._fsrs = fsrs.Scheduler(desired_retention=desired_retention, enable_fuzzing=False)
        self.fuzz = fuzz
        # FSRS-6 forgetting curve R(t) = (1 + factor * t / S) ** -decay, as fsrs computes it.
        self._decay = -self._fsrs.parameters[20]
        self._factor = 0.9 ** (1 / self._decay) - 1

    def review(self, before: CardState, rating: int, when: datetime, seed: int) -> CardState:
        card, _ = self._fsrs.review_card(self._to_fsrs(before, when), fsrs.Rating(rating), when)
        due = card.due
        if self.fuzz and card.state == fsrs.State.Review:
            due = when + _fuzzed(due - when, random.Random(seed), self._fsrs.maximum_interval)
        lapsed = before.state == REVIEW and rating == AGAIN
        return CardState(
            state=int(card.state.value), step=card.step, stability=card.stability,
            difficulty=card.difficulty, due=due, last_review=when,
            first_review=before.first_review or when, reps=before.reps + 1,
            lapses=before.lapses + (1 if lapsed else 0),
        )

    def preview(self, before: CardState, when: datetime) -> dict[int, timedelta]:
        """The interval each rating would give (unfuzzed), for the answer buttons."""
        previews = {}
        for rating in (AGAIN, HARD, GOOD, EASY):
            card, _ = self._fsrs.review_card(self._to_fsrs(before, when), fsrs.Rating(rating), when)
            previews[rating] = card.due - when
        return previews

    def retrievability(self, state: CardState, when: datetime) -> float:
        """fsrs' get_card_retrievability (whole elapsed days), without building
        an fsrs.Card: the queue and readiness call this for every card."""
        if state.is_new or state.last_review is None or not state.stability:
            return 0.0
        elapsed_days = max(0, (when - state.last_review).days)
        return (1 + self._factor * elapsed_days / state.stability) ** self._decay

    def replay(self, reviews: list[tuple[int, datetime, int]]) -> CardState:
        """Rebuild a card's state from its (rating, time, seed) reviews, oldest first."""
        state = NEW_CARD
        for rating, when, seed in reviews:
            state = self.review(state, rating, when, seed)
        return state

    @staticmethod
    def _to_fsrs(state: CardState, when: datetime) -> fsrs.Card:
        if state.is_new:
            return fsrs.Card(card_id=1, due=when)
        return fsrs.Card(
            card_id=1, state=fsrs.State(state.state), step=state.step,
            stability=state.stability, difficulty=state.difficulty,
            due=state.due, last_review=state.last_review,
        )


def replay_log(rows, scheduler: Scheduler) -> dict[tuple[str, str], tuple[CardState, str]]:
    """Card states from (deck, card, rating, time, seed, hash) rows sorted by card then time."""
    states: dict[tuple[str, str], tuple[CardState, str]] = {}
    for deck_id, card_id, rating, reviewed_at, seed, content_hash in rows:
        key = (deck_id, card_id)
        before = states[key][0] if key in states else NEW_CARD
        when = datetime.fromisoformat(reviewed_at) if isinstance(reviewed_at, str) else reviewed_at
        states[key] = (scheduler.review(before, rating, when, seed), content_hash)
    return states


def _fuzzed(interval: timedelta, rng: random.Random, maximum: int) -> timedelta:
    days = interval.days
    if days < 2.5:
        return interval
    delta = 1.0
    for fuzz in FUZZ_RANGES:
        delta += fuzz["factor"] * max(min(float(days), fuzz["end"]) - fuzz["start"], 0.0)
    low = min(max(2, round(days - delta)), min(round(days + delta), maximum))
    high = min(round(days + delta), maximum)
    return timedelta(days=min(int(rng.random() * (high - low + 1) + low), maximum))


def describe_interval(interval: timedelta) -> str:
    seconds = interval.total_seconds()
    if seconds < 3600:
        return f"{max(1, round(seconds / 60))}m"
    if seconds < 86400:
        return f"{round(seconds / 3600)}h"
    days = seconds / 86400
    if days < 30:
        return f"{round(days)}d"
    if days < 365:
        return f"{days / 30:.1f}mo".replace(".0mo", "mo")
    return f"{days / 365:.1f}y".replace(".0y", "y")

