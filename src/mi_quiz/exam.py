"""Mock exams: the draw, the sitting (no feedback, skip and flag, a timer) and
the scoring. Plain Python: the clock and randomness come in from outside."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Callable, Protocol

from mi_quiz.cards import AUTO_GRADED, Card
from mi_quiz.grading import Grade, grade_choice, grade_truefalse, grade_typed


@dataclass(frozen=True)
class ExamQuestion:
    position: int  # 1-based
    card: Card
    choices: tuple[str, ...]  # mcq options in the order shown


def deck_weights(deck_ids: list[str], declared: dict[str, float | None]) -> dict[str, float]:
    """Declared exam weights; decks without one get the mean of the declared ones
    (all equal when none declares a weight)."""
    given = [w for d in deck_ids if (w := declared.get(d))]
    default = sum(given) / len(given) if given else 1.0
    return {d: declared.get(d) or default for d in deck_ids}


def allocate(questions: int, weights: dict[str, float], available: dict[str, int]) -> dict[str, int]:
    """Split `questions` across decks in proportion to weight (largest remainder),
    never asking a deck for more questions than it has."""
    share = {d: 0 for d in weights}
    open_decks = [d for d in weights if available.get(d, 0) > 0]
    remaining = min(questions, sum(available.get(d, 0) for d in open_decks))
    while remaining > 0 and open_decks:
        total = sum(weights[d] for d in open_decks)
        quotas = {d: remaining * weights[d] / total for d in open_decks}
        grant = {d: min(math.floor(quotas[d]), available[d] - share[d]) for d in open_decks}
        left = remaining - sum(grant.values())
        for d in sorted(open_decks, key=lambda d: (-(quotas[d] - math.floor(quotas[d])), d)):
            if left <= 0:
                break
            if share[d] + grant[d] < available[d]:
                grant[d] += 1
                left -= 1
        for d in open_decks:
            share[d] += grant[d]
        remaining = left
        open_decks = [d for d in open_decks if share[d] < available[d]]
        if all(g == 0 for g in grant.values()):
            break
    return share


def draw_exam(cards: list[Card], questions: int, weights: dict[str, float], rng: random.Random) -> list[ExamQuestion]:
    pool: dict[str, list[Card]] = {}
    for card in cards:
        if card.kind in AUTO_GRADED:
            pool.setdefault(card.deck_id, []).append(card)
    counts = allocate(questions, {d: weights.get(d, 1.0) for d in pool}, {d: len(c) for d, c in pool.items()})
    chosen = [card for deck_id in sorted(pool) for card in rng.sample(pool[deck_id], counts[deck_id])]
    rng.shuffle(chosen)
    return [
        ExamQuestion(i, card, tuple(rng.sample(card.choices, len(card.choices))) if card.kind == "mcq" else ())
        for i, card in enumerate(chosen, start=1)
    ]


@dataclass
class Answer:
    value: object = None  # as the UI gave it: an index, a bool or text; None if unanswered
    flagged: bool = False
    grade: Grade | None = None


@dataclass(frozen=True)
class ExamPrompt:
    question: ExamQuestion
    total: int
    answer: Answer
    time_left: timedelta | None
    review_pass: bool  # returning to flagged or skipped questions


@dataclass(frozen=True)
class ExamAction:
    action: str  # answer, skip, flag (with or without a value), submit
    value: object = None


class ExamUI(Protocol):
    def ask(self, prompt: ExamPrompt) -> ExamAction: ...

    def review_menu(self, unanswered: list[int], flagged: list[int], time_left: timedelta | None) -> bool:
        """True to go back over these questions, False to submit."""

    def notice(self, text: str) -> None: ...


@dataclass
class ExamResult:
    questions: list[ExamQuestion]
    answers: dict[int, Answer]
    started: datetime
    finished: datetime
    time_limit: timedelta | None
    timed_out: bool
    pass_percent: float
    report: "ExamReport" = field(init=False)

    def __post_init__(self) -> None:
        self.report = score(self.questions, self.answers, self.pass_percent)


class ExamSitting:
    def __init__(self, questions: list[ExamQuestion], clock: Callable[[], datetime], time_limit: timedelta | None, pass_percent: float) -> None:
        self.questions = questions
        self.clock = clock
        self.time_limit = time_limit
        self.pass_percent = pass_percent
        self.answers = {q.position: Answer() for q in questions}
        self.started: datetime | None = None

    def stopped(self) -> ExamResult:
        """The sitting so far, for an exam the candidate broke off."""
        now = self.clock()
        return ExamResult(self.questions, self.answers, self.started or now, now, self.time_limit, False, self.pass_percent)

    def run(self, ui: ExamUI) -> ExamResult:
        started = self.started = self.clock()
        deadline = started + self.time_limit if self.time_limit else None
        outcome, to_visit, review_pass = "done", list(self.questions), False
        while to_visit:
            outcome = self._sit(ui, to_visit, deadline, review_pass)
            if outcome != "done":
                break
            to_visit = self._pending()
            if not to_visit:
                break
            if deadline and self.clock() >= deadline:
                outcome = "timeout"
                break
            unanswered = [q.position for q in to_visit if self.answers[q.position].value is None]
            flagged = [q.position for q in to_visit if self.answers[q.position].flagged]
            if not ui.review_menu(unanswered, flagged, deadline - self.clock() if deadline else None):
                break
            review_pass = True
        if outcome == "timeout":
            ui.notice("Time is up: unanswered questions count as wrong.")
        finished = min(self.clock(), deadline) if deadline else self.clock()
        return ExamResult(self.questions, self.answers, started, finished, self.time_limit, outcome == "timeout", self.pass_percent)

    def _sit(self, ui: ExamUI, to_visit: list[ExamQuestion], deadline: datetime | None, review_pass: bool) -> str:
        """Go through `to_visit` once: "done", "submit" or "timeout"."""
        for question in to_visit:
            now = self.clock()
            if deadline and now >= deadline:
                return "timeout"
            prompt = ExamPrompt(question, len(self.questions), replace(self.answers[question.position]),
                                deadline - now if deadline else None, review_pass)
            action = ui.ask(prompt)
            if deadline and self.clock() >= deadline:
                return "timeout"  # an answer given after time ran out does not count
            if action.action == "submit":
                return "submit"
            self._apply(question, action)
        return "done"

    def _pending(self) -> list[ExamQuestion]:
        return [q for q in self.questions if self.answers[q.position].value is None or self.answers[q.position].flagged]

    def _apply(self, question: ExamQuestion, action: ExamAction) -> None:
        answer = self.answers[question.position]
        if action.action == "skip":
            return
        answer.flagged = action.action == "flag"
        if action.value is not None:
            answer.value = action.value
            answer.grade = grade_exam_answer(question, action.value)


def grade_exam_answer(question: ExamQuestion, value: object) -> Grade:
    card = question.card
    if card.kind == "mcq":
        return grade_choice(card, question.choices, int(value))
    if card.kind == "truefalse":
        return grade_truefalse(card, bool(value))
    return grade_typed(card, str(value))


@dataclass
class Missed:
    question: ExamQuestion
    given: str | None


@dataclass
class ExamReport:
    total: int
    correct: int
    answered: int
    percent: float
    passed: bool
    needed: int
    by_deck: dict[str, tuple[int, int]]
    by_level: dict[str, tuple[int, int]]
    missed: list[Missed]


def score(questions: list[ExamQuestion], answers: dict[int, Answer], pass_percent: float) -> ExamReport:
    from mi_quiz.readiness import pass_count

    by_deck: dict[str, list[int]] = {}
    by_level: dict[str, list[int]] = {}
    missed = []
    correct = 0
    for question in questions:
        answer = answers[question.position]
        right = bool(answer.grade and answer.grade.correct)
        correct += right
        for table, key in ((by_deck, question.card.deck_id), (by_level, question.card.level or "unlevelled")):
            tally = table.setdefault(key, [0, 0])
            tally[0] += right
            tally[1] += 1
        if not right:
            missed.append(Missed(question, answer.grade.given if answer.grade else None))
    total = len(questions)
    needed = pass_count(total, pass_percent)
    return ExamReport(
        total=total, correct=correct, answered=sum(1 for a in answers.values() if a.value is not None),
        percent=100 * correct / total if total else 0.0, passed=total > 0 and correct >= needed, needed=needed,
        by_deck={k: (v[0], v[1]) for k, v in sorted(by_deck.items())},
        by_level={k: (v[0], v[1]) for k, v in sorted(by_level.items())},
        missed=missed,
    )
