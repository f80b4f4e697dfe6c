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
from mi_quiz.study import Limits, StudySession, build_queue, cram_queue, pick_new, streak, study_day_start


class SelectionError(Exception):
    """--deck or --tag chose nothing that exists."""


def check_decks(library: Library, deck_ids: list[str] | None) -> list[str] | None:
    known = [deck.id for deck in library.decks]
    for deck_id in deck_ids or []:
        if deck_id not in known:
            raise SelectionError(f"--deck: no deck '{deck_id}' (decks: {', '.join(known) or 'none'})")
    return deck_ids


def select_cards(library: Library, deck_ids: list[str] | None, tags: list[str] | None) -> list[Card]:
    check_decks(library, deck_ids)
    cards = [c for c in library.cards() if not deck_ids or c.deck_id in deck_ids]
    if tags:
        cards = [c for c in cards if set(tags) & set(c.tags) or c.level in tags]
        if not cards:
            raise SelectionError(f"--tag: no card has tag {', '.join(tags)}")
    return cards


@dataclass
class StudyPlan:
    session: StudySession
    keys: list[tuple[str, str]]  # every card the session was chosen from
    day_start: datetime


def prepare_study(
    store: Store, library: Library | None, settings: Settings, now: datetime, tz: tzinfo,
    rng: random.Random, clock, *, deck_ids: list[str] | None = None, tags: list[str] | None = None,
    cards: list[Card] | None = None, new: int | None = None, limit: int | None = None,
    cram: bool = False, everything: bool = False,
) -> StudyPlan:
    """A session over `cards`, or else over the library's cards chosen by
    `deck_ids` and `tags`. `everything`: every chosen card now, due or not
    (studying an exam's misses early)."""
    scheduler = Scheduler(settings.desired_retention, fuzz=settings.fuzz)
    day_start = study_day_start(now, settings.rollover_hour, tz)
    day_end = day_start + timedelta(days=1)
    if cards is None and (tags or cram or everything):
        cards = select_cards(library, deck_ids, tags)
    if cards is not None:
        keys = [card.key for card in cards]
        lookup = dict(zip(keys, cards)).__getitem__
    else:
        # The hot path: the library's keys, and Card objects decoded only for
        # the cards this session can show.
        keys = library.keys(check_decks(library, deck_ids))
        lookup = library.card
    if cram or everything:
        states, hashes = store.states()
    if everything:
        queue = cram_queue(cards, states, now, len(cards), scheduler)
        for item in queue.main:
            item.bucket = "new" if states.get(item.card.key, NEW_CARD).is_new else "review"
    elif cram:
        queue = cram_queue(cards, states, now, limit or settings.reviews_per_day, scheduler)
    else:
        new_done, reviews_done = store.counts_since(day_start)
        limits = Limits(
            new_per_day=settings.new_per_day if new is None else new_done + new,
            reviews_per_day=settings.reviews_per_day if limit is None else reviews_done + limit,
            rollover_hour=settings.rollover_hour,
        )
        # Start-up is the hot path: full state only for the cards this session
        # can show (learning cards, and the weakest due reviews up to the
        # limit), and Card objects only for those and today's new cards.
        chosen = set(keys)
        room = max(0, limits.reviews_per_day - reviews_done)
        reviews = _weakest_due(store, now, day_end, chosen, room, whole=cards is None and not deck_ids)
        states, hashes = store.learning_states(day_end)
        learning = [key for key in states if key in chosen]
        review_states, review_hashes = store.states_for(reviews)
        states.update(review_states)
        hashes.update(review_hashes)
        seen = store.seen_keys()
        fresh = pick_new([key for key in keys if key not in seen], max(0, limits.new_per_day - new_done), seen)
        candidates = [lookup(key) for key in reviews + learning + fresh]
        queue = build_queue(candidates, states, now, day_end, limits, new_done, reviews_done, scheduler, seen)
    session = StudySession(
        queue, states, hashes, scheduler, store, clock, rng, day_end, mode="cram" if cram else "study",
    )
    return StudyPlan(session, keys, day_start)


def _weakest_due(store: Store, now: datetime, day_end: datetime, chosen: set, room: int, whole: bool) -> list:
    """The `room` due reviews with the lowest retrievability among `chosen`.

    For the whole collection, SQLite sorts with a LIMIT, paging on only when
    orphans (history of cards no deck has now) fill a page; for a selection,
    one full sorted read is cheaper than paging through a sparse match."""
    if not whole:
        return [key for key in store.weakest_due(now, day_end) if key in chosen][:room]
    reviews: list = []
    page, offset = max(room, 100), 0
    while room and len(reviews) < room:
        batch = store.weakest_due(now, day_end, limit=page, offset=offset)
        reviews += [key for key in batch if key in chosen]
        if len(batch) < page:
            break
        offset += page
        page *= 2
    return reviews[:room]


@dataclass
class Outlook:
    streak: int
    due_tomorrow: int
    next_due: datetime | None
    new_left: int
    new_today_left: int


def outlook(store: Store, plan: StudyPlan, settings: Settings, now: datetime, tz: tzinfo) -> Outlook:
    """Counts over the whole collection (not only the cards chosen for this session)."""
    day_start = study_day_start(now, settings.rollover_hour, tz)
    day = timedelta(days=1)
    new_done, _ = store.counts_since(day_start)
    seen = store.seen_keys()
    return Outlook(
        streak=streak(lambda n: store.studied_between(day_start - n * day, day_start - (n - 1) * day)),
        due_tomorrow=store.due_between(day_start + day, day_start + 2 * day),
        next_due=store.next_due_after(now),
        new_left=sum(1 for key in plan.keys if key not in seen),
        new_today_left=max(0, settings.new_per_day - new_done),
    )


# -- readiness and exams ------------------------------------------------------------


def weights_for(library: Library, cards: list[Card]) -> dict[str, float]:
    from mi_quiz.exam import deck_weights

    deck_ids = sorted({card.deck_id for card in cards})
    return deck_weights(deck_ids, {deck.id: deck.weight for deck in library.decks})


def estimate_readiness(store: Store, library: Library, cards: list[Card], settings: Settings, now: datetime,
                       questions: int, pass_percent: float):
    from mi_quiz.readiness import readiness

    states, _ = store.states()
    scheduler = Scheduler(settings.desired_retention, fuzz=False)
    return readiness(cards, states, weights_for(library, cards), scheduler, now, questions, pass_percent)


def exam_date_plan(store: Store, cards: list[Card], settings: Settings, now: datetime, tz: tzinfo):
    from datetime import date

    from mi_quiz.readiness import plan_for_exam_date

    if not settings.exam_date:
        return None
    states, _ = store.states()
    unseen = sum(1 for card in cards if card.key not in states)
    today = (now.astimezone(tz) - timedelta(hours=settings.rollover_hour)).date()
    return plan_for_exam_date(date.fromisoformat(settings.exam_date), today, unseen, settings.new_per_day)


def calibration_rows(store: Store) -> list[str]:
    rows = []
    for exam in store.exams():
        if exam["predicted_score"] is None or exam["abandoned"]:
            continue
        actual = 100 * exam["correct"] / exam["questions"] if exam["questions"] else 0.0
        rows.append(
            f"  {exam['started_at'][:10]}: predicted {100 * exam['predicted_score']:.0f}% "
            f"(pass {100 * exam['predicted_pass']:.0f}%), scored {actual:.0f}% ({'pass' if exam['passed'] else 'fail'})"
        )
    return ["Calibration (predicted vs actual, per mock exam):", *rows] if rows else []


def save_exam(store: Store, result, exam_id: str, seed: int | None, estimate, record: bool,
              settings: Settings, rng: random.Random, abandoned: bool = False) -> None:
    """The exam, its questions, and one review-log row per answered question
    (moving the schedule only when the candidate asked for it with --record)."""
    import uuid

    from mi_quiz.store import to_text
    from mi_quiz.study import Review

    report = result.report
    states, _ = store.states()
    scheduler = Scheduler(settings.desired_retention, fuzz=settings.fuzz)
    reviews, rows = [], []
    for question in result.questions:
        answer = result.answers[question.position]
        card = question.card
        rows.append({
            "exam_id": exam_id, "position": question.position, "deck_id": card.deck_id, "card_id": card.card_id,
            "kind": card.kind, "level": card.level, "prompt": card.prompt,
            "answer_given": answer.grade.given if answer.grade else None, "right_answer": card.answer,
            "correct": int(bool(answer.grade and answer.grade.correct)), "flagged": int(answer.flagged),
        })
        if answer.grade is None:
            continue
        before = states.get(card.key, NEW_CARD)
        seed_review = rng.getrandbits(63)
        reviews.append(Review(
            review_id=str(uuid.uuid4()), deck_id=card.deck_id, card_id=card.card_id, reviewed_at=result.finished,
            rating=answer.grade.rating, answer=answer.grade.given, correct=answer.grade.correct, duration_ms=0,
            mode="exam", content_hash=card.hash, schedules=record, state_before=before.state, seed=seed_review,
            state_after=scheduler.review(before, answer.grade.rating, result.finished, seed_review) if record else None,
            exam_id=exam_id,
        ))
    exam_row = {
        "exam_id": exam_id, "started_at": to_text(result.started), "finished_at": to_text(result.finished),
        "questions": report.total, "answered": report.answered, "correct": report.correct,
        "pass_percent": result.pass_percent, "passed": int(report.passed),
        "time_limit_s": int(result.time_limit.total_seconds()) if result.time_limit else None,
        "seconds_used": (result.finished - result.started).total_seconds(), "timed_out": int(result.timed_out),
        "seed": seed, "decks": sorted(report.by_deck), "recorded": int(record),
        "predicted_score": estimate.predicted if estimate else None,
        "predicted_pass": estimate.pass_probability if estimate else None,
        "abandoned": int(abandoned),
    }
    store.save_exam(exam_row, rows, reviews)


def missed_in_last_exam(store: Store, cards: list[Card]) -> list[Card]:
    exams = store.exams()
    if not exams:
        return []
    missed = {(q["deck_id"], q["card_id"]) for q in store.exam_questions(exams[-1]["exam_id"]) if not q["correct"]}
    return [card for card in cards if card.key in missed]


def history_rows(store: Store) -> tuple[list[list[str]], str]:
    exams = store.exams()
    rows = []
    for exam in exams:
        actual = 100 * exam["correct"] / exam["questions"] if exam["questions"] else 0.0
        predicted = f"{100 * exam['predicted_score']:.0f}%" if exam["predicted_score"] is not None else "-"
        rows.append([
            exam["started_at"][:16].replace("T", " "), str(exam["questions"]), f"{actual:.1f}%",
            "stopped" if exam["abandoned"] else "pass" if exam["passed"] else "fail", predicted,
            f"{exam['seconds_used'] / 60:.0f}m",
        ])
    trend = ""
    if sum(1 for e in exams if not e["abandoned"]) >= 2:
        scores = [100 * e["correct"] / e["questions"] for e in exams if e["questions"] and not e["abandoned"]]
        recent = scores[-3:]
        trend = f"Trend: {recent[-1] - recent[0]:+.1f} points over the last {len(recent)} attempts."
    return rows, trend
