"""Mock exams and readiness: the draw, the sitting, scoring, persistence, and
the readiness numbers against hand-computed cases."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from datetime import date, timedelta

import pytest

from conftest import SMALL_DECK, write
from helpers import START, Clock
from mi_quiz import library
from mi_quiz.cards import Card
from mi_quiz.config import Settings
from mi_quiz.exam import ExamAction, ExamSitting, allocate, deck_weights, draw_exam
from mi_quiz.readiness import (
    card_probability, exam_probabilities, pass_count, plan_for_exam_date,
    poisson_binomial_at_least, readiness,
)
from mi_quiz.schedule import REVIEW, CardState, Scheduler
from mi_quiz.sessions import save_exam
from mi_quiz.store import Store


def tf_deck(deck_id: str, count: int, weight: float | None = None) -> str:
    lines = [f"id: {deck_id}", f"title: {deck_id}"]
    if weight:
        lines += ["exam:", f"  weight: {weight}"]
    lines.append("cards:")
    for i in range(count):
        lines += [f"  - id: q{i}", "    type: truefalse", f"    level: {['recall', 'application'][i % 2]}",
                  f"    prompt: Statement {i}.", "    answer: true", "    explanation: e", "    source: s"]
    return "\n".join(lines) + "\n"


class ExamScript:
    def __init__(self, actions, clock=None, per_question=timedelta(0), menu=(False,)):
        self.actions = list(actions)
        self.clock = clock
        self.per_question = per_question
        self.menu = list(menu)
        self.prompts = []
        self.menus = []
        self.notices = []

    def ask(self, prompt):
        self.prompts.append(prompt)
        if self.clock:
            self.clock.advance(seconds=self.per_question.total_seconds())
        return self.actions.pop(0) if self.actions else ExamAction("submit")

    def review_menu(self, unanswered, flagged, time_left):
        self.menus.append((unanswered, flagged))
        return self.menu.pop(0) if self.menu else False

    def notice(self, text):
        self.notices.append(text)


@pytest.fixture
def two_decks(deck_dir):
    write(deck_dir, "a.yaml", tf_deck("aa", 40, weight=3))
    write(deck_dir, "b.yaml", tf_deck("bb", 40, weight=1))
    return library.load_library([(deck_dir, "t")])


def test_draw_follows_weights_without_repeats_and_is_reproducible(two_decks):
    cards = two_decks.cards()
    weights = deck_weights(["aa", "bb"], {"aa": 3.0, "bb": 1.0})
    drawn = draw_exam(cards, 20, weights, random.Random(11))
    decks = [q.card.deck_id for q in drawn]
    assert decks.count("aa") == 15 and decks.count("bb") == 5
    assert len({q.card.key for q in drawn}) == 20
    assert [q.card.key for q in draw_exam(cards, 20, weights, random.Random(11))] == [q.card.key for q in drawn]
    assert [q.card.key for q in draw_exam(cards, 20, weights, random.Random(12))] != [q.card.key for q in drawn]


def test_allocation_caps_small_decks_and_defaults_missing_weights():
    assert allocate(10, {"a": 1.0, "b": 1.0}, {"a": 2, "b": 100}) == {"a": 2, "b": 8}
    assert allocate(7, {"a": 1.0, "b": 1.0, "c": 1.0}, {"a": 9, "b": 9, "c": 9}) == {"a": 3, "b": 2, "c": 2}
    assert allocate(50, {"a": 1.0}, {"a": 12}) == {"a": 12}
    assert deck_weights(["a", "b", "c"], {"a": 30.0, "b": 10.0, "c": None}) == {"a": 30.0, "b": 10.0, "c": 20.0}
    assert deck_weights(["a", "b"], {}) == {"a": 1.0, "b": 1.0}


def test_only_auto_graded_cards_are_drawn(deck_dir):
    write(deck_dir, "s.yaml", SMALL_DECK)
    cards = library.load_library([(deck_dir, "t")]).cards()
    drawn = draw_exam(cards, 50, {"small": 1.0}, random.Random(1))
    assert sorted(q.card.kind for q in drawn) == ["mcq", "truefalse", "typed"]


def test_scoring_breakdown_and_missed(two_decks):
    cards = two_decks.cards()
    drawn = draw_exam(cards, 8, {"aa": 1.0, "bb": 1.0}, random.Random(2))
    actions = [ExamAction("answer", True)] * 5 + [ExamAction("answer", False), ExamAction("skip"), ExamAction("answer", True)]
    result = ExamSitting(drawn, Clock(), None, 75).run(ExamScript(actions))
    report = result.report
    assert (report.correct, report.total, report.answered) == (6, 8, 7)
    assert report.needed == 6 and report.passed and report.percent == 75.0
    assert sum(total for _, total in report.by_deck.values()) == 8
    assert set(report.by_level) == {"recall", "application"}
    assert [(m.question.position, m.given) for m in report.missed] == [(6, "false"), (7, None)]


def test_timer_expiry_counts_unanswered_as_wrong(two_decks):
    drawn = draw_exam(two_decks.cards(), 5, {"aa": 1.0, "bb": 1.0}, random.Random(3))
    clock = Clock()
    ui = ExamScript([ExamAction("answer", True)] * 5, clock=clock, per_question=timedelta(minutes=1))
    result = ExamSitting(drawn, clock, timedelta(minutes=2, seconds=30), 70).run(ui)
    # Answers at 1 and 2 minutes count; the third comes at 3 minutes, past the limit.
    assert result.timed_out and result.report.answered == 2 and result.report.correct == 2
    assert result.finished - result.started == timedelta(minutes=2, seconds=30)
    assert ui.notices == ["Time is up: unanswered questions count as wrong."]
    assert not result.report.passed


def test_skip_and_flag_then_return(two_decks):
    drawn = draw_exam(two_decks.cards(), 3, {"aa": 1.0, "bb": 1.0}, random.Random(4))
    actions = [
        ExamAction("skip"), ExamAction("flag", False), ExamAction("answer", True),  # first pass
        ExamAction("answer", True), ExamAction("answer", True),  # back to 1 (skipped) and 2 (flagged)
    ]
    ui = ExamScript(actions, menu=[True])
    result = ExamSitting(drawn, Clock(), None, 70).run(ui)
    assert ui.menus == [([1], [2])]
    assert [p.question.position for p in ui.prompts] == [1, 2, 3, 1, 2]
    assert ui.prompts[4].answer.flagged and ui.prompts[4].answer.value is False
    assert result.report.correct == 3 and not any(a.flagged for a in result.answers.values())


def test_persistence_and_record(two_decks, tmp_path):
    store = Store.open(tmp_path / "e.db")
    drawn = draw_exam(two_decks.cards(), 4, {"aa": 1.0, "bb": 1.0}, random.Random(5))
    actions = [ExamAction("answer", True), ExamAction("answer", False), ExamAction("skip"), ExamAction("answer", True)]
    result = ExamSitting(drawn, Clock(), None, 70).run(ExamScript(actions))
    save_exam(store, result, "exam-1", 5, None, False, Settings(fuzz=False), random.Random(0))
    (saved,) = store.exams()
    assert (saved["questions"], saved["answered"], saved["correct"], saved["passed"], saved["recorded"]) == (4, 3, 2, 0, 0)
    assert json.loads(saved["decks"]) == sorted({q.card.deck_id for q in drawn})
    questions = store.exam_questions("exam-1")
    assert [(q["position"], q["answer_given"], q["correct"]) for q in questions] == [(1, "true", 1), (2, "false", 0), (3, None, 0), (4, "true", 1)]
    assert store.db.execute("SELECT COUNT(*), SUM(schedules) FROM review_log WHERE mode = 'exam'").fetchone() == (3, 0)
    assert store.states()[0] == {}  # the schedule did not move

    result = ExamSitting(drawn, Clock(), None, 70).run(ExamScript([ExamAction("answer", True)] * 4))
    save_exam(store, result, "exam-2", 5, None, True, Settings(fuzz=False), random.Random(0))
    assert len(store.states()[0]) == 4  # --record: the answers moved the schedule
    assert [e["exam_id"] for e in store.exams()] == ["exam-1", "exam-2"]


def card(kind: str, choices: int = 4, deck: str = "d", key: str = "c") -> Card:
    options = tuple(f"o{i}" for i in range(choices)) if kind == "mcq" else ()
    return Card(deck_id=deck, card_id=key, kind=kind, prompt="p", answer="o0", choices=options)


def test_card_probability_hand_computed():
    scheduler = Scheduler(fuzz=False)
    now = START
    new = CardState()
    assert card_probability(card("mcq", 4), new, scheduler, now) == 0.25
    assert card_probability(card("mcq", 5), new, scheduler, now) == 0.2
    assert card_probability(card("truefalse"), new, scheduler, now) == 0.5
    assert card_probability(card("typed"), new, scheduler, now) == 0.0
    # FSRS defines stability as the time at which recall falls to 90 %.
    reviewed = CardState(state=REVIEW, stability=10.0, difficulty=5.0, due=now, last_review=now - timedelta(days=10))
    assert card_probability(card("typed"), reviewed, scheduler, now) == pytest.approx(0.9)
    assert card_probability(card("mcq", 4), reviewed, scheduler, now) == pytest.approx(0.9 + 0.1 * 0.25)


def test_poisson_binomial_hand_computed():
    assert poisson_binomial_at_least([0.5, 0.5], 1) == pytest.approx(0.75)
    assert poisson_binomial_at_least([0.9, 0.8, 0.5], 2) == pytest.approx(0.85)
    assert poisson_binomial_at_least([0.9, 0.8, 0.5], 0) == 1.0
    assert poisson_binomial_at_least([0.9, 0.8, 0.5], 4) == 0.0
    # Against the binomial for equal probabilities: P(X >= 68 | n=100, p=0.7).
    from math import comb
    exact = sum(comb(100, k) * 0.7**k * 0.3 ** (100 - k) for k in range(68, 101))
    assert poisson_binomial_at_least([0.7] * 100, 68) == pytest.approx(exact, rel=1e-9)
    assert pass_count(100, 68) == 68 and pass_count(150, 75) == 113 and pass_count(3, 70) == 3


def test_readiness_weights_decks_and_uses_exam_quantiles():
    scheduler = Scheduler(fuzz=False)
    now = START
    sure = CardState(state=REVIEW, stability=100.0, difficulty=5.0, due=now, last_review=now)
    cards = [card("typed", deck="a", key="x"), card("truefalse", deck="a", key="y"), card("mcq", deck="b", key="z")]
    states = {("a", "x"): sure}
    estimate = readiness(cards, states, {"a": 3.0, "b": 1.0}, scheduler, now, 4, 75)
    assert {d.deck_id: d.predicted for d in estimate.decks} == {"a": 0.75, "b": 0.25}
    assert estimate.predicted == pytest.approx((3 * 0.75 + 0.25) / 4)
    assert exam_probabilities([(1.0, 1.5), (0.5, 1.5), (0.25, 1.0)], 4) == [0.25, 0.5, 0.5, 1.0]
    assert estimate.pass_probability == pytest.approx(0.375)


def test_exam_date_plan():
    plan = plan_for_exam_date(date(2026, 4, 1), date(2026, 3, 2), 200, 20)
    assert plan.days_left == 30 and plan.on_track and plan.introduced_by == date(2026, 3, 11)
    late = plan_for_exam_date(date(2026, 3, 12), date(2026, 3, 2), 200, 10)
    assert not late.on_track and late.needed_per_day == 20


def test_exam_command_json_with_piped_answers(deck_dir, tmp_path):
    write(deck_dir, "a.yaml", tf_deck("aa", 10))
    env = dict(os.environ, MI_QUIZ_NOW="2026-03-02T15:00:00+00:00")
    result = subprocess.run(
        [sys.executable, "-m", "mi_quiz", "exam", "--decks", str(deck_dir), "--deck", "aa", "--questions", "4",
         "--seed", "9", "--pass", "75", "--json", "--db", str(tmp_path / "x.db")],
        input="t\nf\ns\nt*\ny\nt\nt\n", capture_output=True, text=True, env=env, timeout=60,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert (report["questions"], report["correct"], report["answered"], report["passed"]) == (4, 3, 4, True)
    assert [m["position"] for m in report["missed"]] == [2]
    assert "Flagged: 4" in result.stderr and "Unanswered: 3" in result.stderr
    history = subprocess.run(
        [sys.executable, "-m", "mi_quiz", "exam", "--history", "--json", "--db", str(tmp_path / "x.db")],
        capture_output=True, text=True, timeout=60,
    )
    assert json.loads(history.stdout)[0]["correct"] == 3


def test_stopped_exam_keeps_its_answers(two_decks, tmp_path):
    from mi_quiz.sessions import history_rows

    store = Store.open(tmp_path / "s.db")
    drawn = draw_exam(two_decks.cards(), 5, {"aa": 1.0, "bb": 1.0}, random.Random(6))

    class Interrupting(ExamScript):
        def ask(self, prompt):
            if len(self.prompts) == 2:
                raise KeyboardInterrupt
            return super().ask(prompt)

    sitting = ExamSitting(drawn, Clock(), None, 70)
    with pytest.raises(KeyboardInterrupt):
        sitting.run(Interrupting([ExamAction("answer", True)] * 5))
    save_exam(store, sitting.stopped(), "x", 6, None, False, Settings(fuzz=False), random.Random(0), abandoned=True)
    (saved,) = store.exams()
    assert (saved["answered"], saved["correct"], saved["abandoned"]) == (2, 2, 1)
    assert store.db.execute("SELECT COUNT(*) FROM review_log WHERE mode = 'exam'").fetchone()[0] == 2
    rows, trend = history_rows(store)
    assert rows[0][3] == "stopped" and trend == ""
