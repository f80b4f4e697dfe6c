"""The study loop: queue building, grading and state changes.

Plain Python. The clock, the random generator, the store (a Recorder) and the
screen (a StudyUI) all come in from outside, so tests drive it directly.
"""

from __future__ import annotations

import random
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone, tzinfo
from typing import Callable, Protocol

from mi_quiz.cards import Card, answer_changed
from mi_quiz.grading import Grade, adjust, grade_choice, grade_truefalse, grade_typed
from mi_quiz.schedule import AGAIN, NEW_CARD, RATING_NAMES, REVIEW, CardState, Scheduler, describe_interval

LEARN_AHEAD = timedelta(minutes=20)  # Anki's default: show a learning card early rather than stop


@dataclass(frozen=True)
class Limits:
    new_per_day: int = 20
    reviews_per_day: int = 200
    rollover_hour: int = 4


def study_day_start(now: datetime, rollover_hour: int, tz: tzinfo) -> datetime:
    """The start (in UTC) of the study day holding `now`: local time, at the rollover hour."""
    local = now.astimezone(tz)
    start = local.replace(hour=rollover_hour, minute=0, second=0, microsecond=0)
    if local < start:
        start -= timedelta(days=1)
    return start.astimezone(timezone.utc)


@dataclass
class Review:
    """One answer, as it goes into the review log."""

    review_id: str
    deck_id: str
    card_id: str
    reviewed_at: datetime
    rating: int
    answer: str
    correct: bool | None  # None for self-rated cards
    duration_ms: int
    mode: str  # study, cram, exam
    content_hash: str
    schedules: bool  # whether this row moves the card's schedule
    state_before: int
    seed: int
    state_after: CardState | None = None
    exam_id: str | None = None


class Recorder(Protocol):
    def record(self, review: Review) -> None: ...

    def undo(self, review: Review, restored: CardState | None, when: datetime) -> None: ...


@dataclass(frozen=True)
class Question:
    card: Card
    choices: tuple[str, ...]  # mcq options in the order shown
    previews: dict[int, timedelta]  # rating -> interval, for self-rated cards
    position: int
    total: int
    remaining: dict[str, int]
    is_new: bool
    changed: bool  # the author changed the answer since the last review
    mode: str


@dataclass(frozen=True)
class Response:
    action: str  # "answer", "undo" or "quit"
    value: object = None  # mcq: index into choices; truefalse: bool; typed: str; basic/cloze: rating
    mark: str | None = None  # "guess" or "easy" on an auto-graded answer
    duration_ms: int = 0


class StudyUI(Protocol):
    def ask(self, question: Question) -> Response: ...

    def feedback(self, question: Question, grade: Grade, review: Review) -> str | None:
        """Show the result; may return "guess", "easy", "undo" or "quit"."""

    def notice(self, text: str) -> None: ...


@dataclass
class Summary:
    reviewed: int = 0
    correct: int = 0
    graded: int = 0
    seconds: float = 0.0
    new_seen: int = 0
    again: int = 0
    by_deck: dict[str, list[int]] = field(default_factory=dict)  # deck -> [right, answered]

    @property
    def accuracy(self) -> float | None:
        return self.correct / self.graded if self.graded else None


@dataclass
class _Item:
    card: Card
    bucket: str  # new, learning, review, cram


@dataclass
class Queue:
    main: list[_Item]
    learning: list[_Item]


def build_queue(
    cards: list[Card],
    states: dict[tuple[str, str], CardState],
    now: datetime,
    day_end: datetime,
    limits: Limits,
    new_done: int,
    reviews_done: int,
    scheduler: Scheduler,
    seen: set[tuple[str, str]] | None = None,
) -> Queue:
    """Learning cards (shown when due), then due reviews most-forgotten first,
    with the day's new cards spread among them, decks interleaved.

    `states` may hold only the cards due today when `seen` names every card
    with any history (the fast path at start-up)."""
    seen = set(states) if seen is None else seen
    learning, reviews, unseen = [], [], []
    for card in cards:
        state = states.get(card.key)
        if state is None:
            if card.key not in seen:
                unseen.append(card)
            continue
        if state.is_new:
            unseen.append(card)
        elif state.in_learning and state.due is not None and state.due < day_end:
            learning.append(_Item(card, "learning"))
        elif state.state == REVIEW and state.due is not None and state.due < day_end:
            reviews.append((scheduler.retrievability(state, now), state.due, card))
    reviews.sort(key=lambda entry: (entry[0], entry[1]))
    review_room = max(0, limits.reviews_per_day - reviews_done)
    review_items = [_Item(card, "review") for _, _, card in reviews[:review_room]]
    by_key = {card.key: card for card in unseen}
    picked = pick_new(list(by_key), max(0, limits.new_per_day - new_done), seen)
    new_items = [_Item(by_key[key], "new") for key in picked]
    learning.sort(key=lambda item: states[item.card.key].due)
    return Queue(main=_spread(review_items, new_items), learning=learning)


def pick_new(unseen: list[tuple[str, str]], room: int, seen: set) -> list[tuple[str, str]]:
    """Today's new cards from the unseen keys (in deck order): round-robin
    across decks, and at most one new sibling of a cloze card a day."""
    by_deck: dict[str, deque[tuple[str, str]]] = {}
    for key in unseen:
        by_deck.setdefault(key[0], deque()).append(key)
    touched: set[tuple[str, str]] = set()
    if any("#" in card_id for _, card_id in unseen):  # only cloze siblings can be buried
        touched = {(deck, card_id.split("#")[0]) for deck, card_id in seen if "#" in card_id}
    chosen: list[tuple[str, str]] = []
    while len(chosen) < room and by_deck:
        for deck_id in list(by_deck):
            pile = by_deck[deck_id]
            while pile:
                key = pile.popleft()
                base = (key[0], key[1].split("#")[0])
                if base not in touched:
                    touched.add(base)
                    chosen.append(key)
                    break
            if not pile:
                del by_deck[deck_id]
            if len(chosen) >= room:
                break
    return chosen


def _spread(reviews: list[_Item], new: list[_Item]) -> list[_Item]:
    if not new or not reviews:
        return reviews + new
    merged: list[_Item] = []
    step = (len(reviews) + len(new)) / len(new)
    slots = {int(i * step + step / 2) for i in range(len(new))}
    review_iter, new_iter = iter(reviews), iter(new)
    for position in range(len(reviews) + len(new)):
        source = new_iter if position in slots else review_iter
        item = next(source, None) or next(review_iter if source is new_iter else new_iter)
        merged.append(item)
    return merged


def cram_queue(cards: list[Card], states: dict, now: datetime, limit: int, scheduler: Scheduler) -> Queue:
    """Every selected card, weakest first (unseen last), schedule untouched."""
    def weakness(card: Card) -> tuple[int, float]:
        state = states.get(card.key, NEW_CARD)
        return (1, 0.0) if state.is_new else (0, scheduler.retrievability(state, now))

    ordered = sorted(cards, key=weakness)[:limit]
    return Queue(main=[_Item(card, "cram") for card in ordered], learning=[])


class StudySession:
    def __init__(
        self,
        queue: Queue,
        states: dict[tuple[str, str], CardState],
        last_hashes: dict[tuple[str, str], str],
        scheduler: Scheduler,
        recorder: Recorder,
        clock: Callable[[], datetime],
        rng: random.Random,
        day_end: datetime,
        mode: str = "study",
    ) -> None:
        self.queue = queue
        self.states = states
        self.last_hashes = last_hashes
        self.scheduler = scheduler
        self.recorder = recorder
        self.clock = clock
        self.rng = rng
        self.day_end = day_end
        self.mode = mode
        self.summary = Summary()
        self._done: list[tuple[_Item, Review, CardState | None, Grade]] = []
        self._requeued_cram: set[tuple[str, str]] = set()

    # -- the loop ---------------------------------------------------------------

    def run(self, ui: StudyUI) -> Summary:
        while True:
            item = self._next(self.clock())
            if item is None:
                break
            question = self._question(item)
            response = ui.ask(question)
            if response.action == "quit":
                self._put_back(item)
                break
            if response.action == "undo":
                self._put_back(item)
                self._undo(ui)
                continue
            grade = self._grade(question, response)
            review = self._answer(item, grade, response.duration_ms)
            follow = ui.feedback(question, grade, review)
            if follow in ("guess", "easy") and grade.correct:
                self._undo(ui, quiet=True)
                self._take(item)
                again = self._answer(item, adjust(grade, follow), response.duration_ms)
                ui.notice(f"Counted as {RATING_NAMES[again.rating]}" + _next_in(again) + ".")
            elif follow == "undo":
                self._undo(ui)
            elif follow == "quit":
                break
        return self.summary

    # -- picking the next card --------------------------------------------------

    def _next(self, now: datetime) -> _Item | None:
        due_learning = [i for i in self.queue.learning if self.states[i.card.key].due <= now]
        if due_learning:
            return self._take(min(due_learning, key=lambda i: self.states[i.card.key].due))
        if self.queue.main:
            return self.queue.main.pop(0)
        ahead = [i for i in self.queue.learning if self.states[i.card.key].due <= now + LEARN_AHEAD]
        if ahead:
            return self._take(min(ahead, key=lambda i: self.states[i.card.key].due))
        return None

    def _take(self, item: _Item) -> _Item:
        if item in self.queue.learning:
            self.queue.learning.remove(item)
        return item

    def _put_back(self, item: _Item) -> None:
        if item.bucket == "learning":
            self.queue.learning.append(item)
        else:
            self.queue.main.insert(0, item)

    def remaining(self) -> dict[str, int]:
        counts = {"new": 0, "learning": len(self.queue.learning), "review": 0}
        for item in self.queue.main:
            bucket = "review" if item.bucket == "cram" else item.bucket
            counts[bucket] = counts.get(bucket, 0) + 1
        return counts

    def _question(self, item: _Item) -> Question:
        card = item.card
        state = self.states.get(card.key, NEW_CARD)
        choices = card.choices
        if card.kind == "mcq":
            choices = tuple(self.rng.sample(card.choices, len(card.choices)))
        previews = {}
        if card.kind in ("basic", "cloze") and self.mode == "study":
            previews = self.scheduler.preview(state, self.clock())
        left = self.remaining()
        return Question(
            card=card, choices=choices, previews=previews,
            position=self.summary.reviewed + 1, total=self.summary.reviewed + 1 + sum(left.values()),
            remaining=left, is_new=state.is_new,
            changed=answer_changed(self.last_hashes.get(card.key), card.hash), mode=self.mode,
        )

    # -- answering --------------------------------------------------------------

    @staticmethod
    def _grade(question: Question, response: Response) -> Grade:
        card = question.card
        if card.kind == "mcq":
            grade = grade_choice(card, question.choices, int(response.value))
        elif card.kind == "truefalse":
            grade = grade_truefalse(card, bool(response.value))
        elif card.kind == "typed":
            grade = grade_typed(card, str(response.value))
        else:
            rating = int(response.value)
            return Grade(correct=rating > AGAIN, rating=rating, given="")
        return adjust(grade, response.mark)

    def _answer(self, item: _Item, grade: Grade, duration_ms: int) -> Review:
        card = item.card
        import uuid

        when = self.clock()
        before = self.states.get(card.key)
        seed = self.rng.getrandbits(63)
        schedules = self.mode == "study"
        after = self.scheduler.review(before or NEW_CARD, grade.rating, when, seed) if schedules else None
        review = Review(
            review_id=str(uuid.uuid4()),  # unique even when two runs share a --seed
            deck_id=card.deck_id, card_id=card.card_id, reviewed_at=when, rating=grade.rating,
            answer=grade.given, correct=grade.correct if card.kind not in ("basic", "cloze") else None,
            duration_ms=duration_ms, mode=self.mode, content_hash=card.hash, schedules=schedules,
            state_before=(before or NEW_CARD).state, seed=seed, state_after=after,
        )
        self.recorder.record(review)  # committed before anything else happens
        if after is not None:
            self.states[card.key] = after
            self.last_hashes[card.key] = card.hash
            if after.in_learning and after.due < self.day_end:
                self.queue.learning.append(_Item(card, "learning"))
        elif self.mode == "cram" and not grade.correct and card.key not in self._requeued_cram:
            self._requeued_cram.add(card.key)
            self.queue.main.append(_Item(card, "cram"))
        self._done.append((item, review, before, grade))
        self._count(review, grade, +1)
        return review

    def _count(self, review: Review, grade: Grade, sign: int) -> None:
        summary = self.summary
        summary.reviewed += sign
        summary.seconds += sign * review.duration_ms / 1000
        summary.graded += sign
        summary.correct += sign * int(grade.correct)
        summary.again += sign * int(grade.rating == AGAIN)
        summary.new_seen += sign * int(review.state_before == 0 and self.mode == "study")
        tally = summary.by_deck.setdefault(review.deck_id, [0, 0])
        tally[0] += sign * int(grade.correct)
        tally[1] += sign

    def _undo(self, ui: StudyUI, quiet: bool = False) -> None:
        if not self._done:
            ui.notice("Nothing to undo.")
            return
        item, review, before, grade = self._done.pop()
        self.recorder.undo(review, before if review.schedules else None, self.clock())
        if review.schedules:
            if before is None:
                self.states.pop(item.card.key, None)
            else:
                self.states[item.card.key] = before
        self.queue.learning = [i for i in self.queue.learning if i.card.key != item.card.key]
        self.queue.main = [i for i in self.queue.main if not (i.card.key == item.card.key and i.bucket == "cram" and i is not item)]
        self._count(review, grade, -1)
        if not quiet:
            self._put_back(_Item(item.card, item.bucket))
            ui.notice(f"Undone: {item.card.deck_id}/{item.card.card_id} is back in the queue.")


def _next_in(review: Review) -> str:
    after = review.state_after
    return f"; next review in {describe_interval(after.due - review.reviewed_at)}" if after and after.due else ""


def streak(studied_on: Callable[[int], bool]) -> int:
    """Consecutive study days ending today (or yesterday, if today has none yet).

    `studied_on(n)` says whether there was study n days before today."""
    start = 0 if studied_on(0) else 1
    count = 0
    while studied_on(start + count):
        count += 1
    return count
