"""Readiness: how likely each question is to be answered right, the predicted
score, and the exact chance of passing. Plain maths, no I/O."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime

from mi_quiz.cards import AUTO_GRADED, Card
from mi_quiz.schedule import NEW_CARD, CardState, Scheduler


def card_probability(card: Card, state: CardState, scheduler: Scheduler, now: datetime) -> float:
    """P(right) on an exam question: recalled (FSRS retrievability R), or not
    recalled and guessed right: R + (1 - R) * guess rate. Unseen: the guess rate."""
    guess = card.guess_rate
    if state.is_new:
        return guess
    recall = scheduler.retrievability(state, now)
    return recall + (1 - recall) * guess


def pass_count(questions: int, pass_percent: float) -> int:
    """Right answers needed: the pass mark's share of the questions, rounded up."""
    return math.ceil(questions * pass_percent / 100 - 1e-9)


def poisson_binomial_at_least(probabilities: list[float], k: int) -> float:
    """P(at least k successes) for independent trials with these probabilities, exactly."""
    if k <= 0:
        return 1.0
    if k > len(probabilities):
        return 0.0
    distribution = [1.0]  # distribution[j] = P(j successes so far)
    for p in probabilities:
        nxt = [0.0] * (len(distribution) + 1)
        for j, mass in enumerate(distribution):
            nxt[j] += mass * (1 - p)
            nxt[j + 1] += mass * p
        distribution = nxt
    return min(1.0, max(0.0, sum(distribution[k:])))


def exam_probabilities(pool: list[tuple[float, float]], questions: int) -> list[float]:
    """Per-question probabilities for a `questions`-long exam drawn from a pool of
    (probability, weight) pairs: the pool's weighted quantiles, one per question,
    which is the exam a stratified draw would give."""
    if not pool or questions <= 0:
        return []
    ordered = sorted(pool)
    total = sum(weight for _, weight in ordered)
    result, cumulative, index = [], 0.0, 0
    for q in range(questions):
        target = (q + 0.5) / questions * total
        while index < len(ordered) - 1 and cumulative + ordered[index][1] < target:
            cumulative += ordered[index][1]
            index += 1
        result.append(ordered[index][0])
    return result


@dataclass
class DeckReadiness:
    deck_id: str
    questions: int  # auto-gradable questions in the pool
    seen: int
    predicted: float


@dataclass
class Readiness:
    decks: list[DeckReadiness]
    predicted: float  # weighted by exam weights
    questions: int
    pass_percent: float
    pass_probability: float


def readiness(
    cards: list[Card], states: dict, weights: dict[str, float], scheduler: Scheduler,
    now: datetime, questions: int, pass_percent: float,
) -> Readiness:
    per_deck: dict[str, list[float]] = {}
    seen: dict[str, int] = {}
    for card in cards:
        if card.kind not in AUTO_GRADED:
            continue
        state = states.get(card.key, NEW_CARD)
        per_deck.setdefault(card.deck_id, []).append(card_probability(card, state, scheduler, now))
        seen[card.deck_id] = seen.get(card.deck_id, 0) + (0 if state.is_new else 1)
    decks = [
        DeckReadiness(deck_id, len(probs), seen[deck_id], sum(probs) / len(probs))
        for deck_id, probs in per_deck.items()
    ]
    # Each deck's share of the exam is its weight; inside a deck, cards share it evenly.
    pool = [
        (p, weights.get(deck_id, 1.0) / len(probs))
        for deck_id, probs in per_deck.items() for p in probs
    ]
    total_weight = sum(weights.get(d.deck_id, 1.0) for d in decks)
    predicted = sum(weights.get(d.deck_id, 1.0) * d.predicted for d in decks) / total_weight if decks else 0.0
    exam = exam_probabilities(pool, questions)
    return Readiness(
        decks=decks, predicted=predicted, questions=questions, pass_percent=pass_percent,
        pass_probability=poisson_binomial_at_least(exam, pass_count(questions, pass_percent)) if exam else 0.0,
    )


@dataclass
class ExamDatePlan:
    exam_date: date
    days_left: int
    unseen: int
    new_per_day: int
    introduced_by: date | None  # when every unseen card will have been introduced
    on_track: bool
    needed_per_day: int  # new cards a day that would introduce them all in time


def plan_for_exam_date(exam_date: date, today: date, unseen: int, new_per_day: int) -> ExamDatePlan:
    from datetime import timedelta

    days_left = (exam_date - today).days
    if unseen == 0:
        days_needed = 0
    elif new_per_day <= 0:
        days_needed = None
    else:
        days_needed = math.ceil(unseen / new_per_day)
    introduced_by = None if days_needed is None else today + timedelta(days=max(0, days_needed - 1))
    on_track = days_needed is not None and days_needed <= max(days_left, 0)
    needed = math.ceil(unseen / days_left) if days_left > 0 else unseen
    return ExamDatePlan(exam_date, days_left, unseen, new_per_day, introduced_by, on_track, needed)
