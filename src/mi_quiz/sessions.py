"""Wiring a study session: the chosen cards, their stored state, the day's
limits. Takes the clock and randomness from the caller like the core does."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

from mi_quiz.cards import Card
from mi_quiz.config import Settings
from mi_quiz.library import Library
from mi_quiz.schedule import NEW_CARD, Scheduler
from mi_quiz.store import Store
from mi_quiz.study import Limits, StudySession, build_queue, cram_queue, streak, study_day_start


class SelectionError(Exception):
    """--deck or --tag chose nothing that exists."""


def select_cards(library: Library, deck_ids: list[str] | None, tags: list[str] | None) -> list[Card]:
    known = [deck.id for deck in library.decks]
    for deck_id in deck_ids or []:
        if deck_id not in known:
            raise SelectionError(f"--deck: no deck '{deck_id}' (decks: {', '.join(known) or 'none'})")
    cards = [c for c in library.cards() if not deck_ids or c.deck_id in deck_ids]
    if tags:
        cards = [c for c in cards if set(tags) & set(c.tags) or c.level in tags]
        if not cards:
            raise SelectionError(f"--tag: no card has tag {', '.join(tags)}")
    return cards


@dataclass
class StudyPlan:
    session: StudySession
    cards: list[Card]
    day_start: datetime


def prepare_study(
    store: Store, cards: list[Card], settings: Settings, now: datetime, tz: tzinfo,
    rng: random.Random, clock, new: int | None = None, limit: int | None = None, cram: bool = False,
) -> StudyPlan:
    scheduler = Scheduler(settings.desired_retention, fuzz=settings.fuzz)
    states, hashes = store.states()
    day_start = study_day_start(now, settings.rollover_hour, tz)
    day_end = day_start + timedelta(days=1)
    if cram:
        queue = cram_queue(cards, states, now, limit or settings.reviews_per_day, scheduler)
    else:
        new_done, reviews_done = store.counts_since(day_start)
        limits = Limits(
            new_per_day=settings.new_per_day if new is None else new_done + new,
            reviews_per_day=settings.reviews_per_day if limit is None else reviews_done + limit,
            rollover_hour=settings.rollover_hour,
        )
        queue = build_queue(cards, states, now, day_end, limits, new_done, reviews_done, scheduler)
    session = StudySession(
        queue, states, hashes, scheduler, store, clock, rng, day_end, mode="cram" if cram else "study",
    )
    return StudyPlan(session, cards, day_start)


@dataclass
class Outlook:
    streak: int
    due_tomorrow: int
    next_due: datetime | None
    new_left: int
    new_today_left: int


def outlook(store: Store, plan: StudyPlan, settings: Settings, now: datetime, tz: tzinfo) -> Outlook:
    states = plan.session.states
    tomorrow_end = plan.day_start + timedelta(days=2)
    dues = [states.get(c.key, NEW_CARD).due for c in plan.cards if not states.get(c.key, NEW_CARD).is_new]
    dues = [d for d in dues if d is not None]
    upcoming = [d for d in dues if d > now]
    new_done, _ = store.counts_since(plan.day_start)
    today = (now.astimezone(tz) - timedelta(hours=settings.rollover_hour)).date()
    return Outlook(
        streak=streak(store.study_days(settings.rollover_hour, tz), today),
        due_tomorrow=sum(1 for d in dues if plan.day_start + timedelta(days=1) <= d < tomorrow_end),
        next_due=min(upcoming) if upcoming else None,
        new_left=sum(1 for c in plan.cards if states.get(c.key, NEW_CARD).is_new),
        new_today_left=max(0, settings.new_per_day - new_done),
    )
