"""The study core driven directly: fixed clock, seeded randomness, a real
SQLite store in a temporary folder."""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone

import pytest

from conftest import SMALL_DECK, write
from helpers import START, Clock, ScriptedUI, rate, right, undo, wrong
from mi_quiz import library
from mi_quiz.config import Settings
from mi_quiz.schedule import AGAIN, GOOD, HARD, LEARNING, REVIEW, Scheduler, replay_log
from mi_quiz.sessions import outlook, prepare_study, select_cards
from mi_quiz.store import Store
from mi_quiz.study import Limits, Response, build_queue, study_day_start

UTC = timezone.utc


def many_cards_deck(deck_id: str, count: int) -> str:
    lines = [f"id: {deck_id}", f"title: {deck_id}", "cards:"]
    for i in range(count):
        lines += [
            f"  - id: q{i}", "    type: truefalse", f"    prompt: Statement {i} of {deck_id}.",
            "    answer: true", "    explanation: e", "    source: s",
        ]
    return "\n".join(lines) + "\n"


@pytest.fixture
def store(tmp_path):
    opened = Store.open(tmp_path / "data" / "test.db")
    yield opened
    opened.close()


def load_cards(deck_dir, *texts):
    for index, text in enumerate(texts):
        write(deck_dir, f"deck{index}.yaml", text)
    loaded = library.load_library([(deck_dir, "test")])
    assert not loaded.skipped, loaded.problems
    return loaded


def start(store, cards, clock, settings=None, **kwargs):
    settings = settings or Settings(fuzz=False)
    return prepare_study(store, None, settings, clock(), UTC, random.Random(7), clock, cards=cards, **kwargs)


def test_study_day_rolls_over_at_local_hour():
    tz = timezone(timedelta(hours=-5))
    # 08:00 UTC is 03:00 local: still yesterday's study day with a 4 am rollover.
    assert study_day_start(datetime(2026, 3, 2, 8, 0, tzinfo=UTC), 4, tz) == datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
    assert study_day_start(datetime(2026, 3, 2, 10, 0, tzinfo=UTC), 4, tz) == datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_new_cards_interleave_decks_and_respect_daily_limit_across_sessions(store, deck_dir):
    loaded = load_cards(deck_dir, many_cards_deck("aa", 10), many_cards_deck("bb", 10))
    cards = loaded.cards()
    settings = Settings(fuzz=False, new_per_day=5)
    clock = Clock()
    plan = start(store, cards, clock, settings)
    ui = ScriptedUI([right, right, right])
    plan.session.run(ui)
    assert [q.card.deck_id for q in ui.asked] == ["aa", "bb", "aa"]
    assert [q.card.card_id for q in ui.asked] == ["q0", "q0", "q1"]
    assert store.counts_since(plan.day_start) == (3, 0)

    clock.advance(hours=2)  # same study day: only 2 new cards remain
    plan = start(store, cards, clock, settings)
    assert [i.bucket for i in plan.session.queue.main] == ["new", "new"]

    clock.advance(days=1)  # next study day: 5 new again, and nothing due yet
    plan = start(store, cards, clock, settings)
    assert sum(1 for i in plan.session.queue.main if i.bucket == "new") == 5


def test_review_limit_and_most_forgotten_first(store, deck_dir):
    loaded = load_cards(deck_dir, many_cards_deck("aa", 6))
    cards = loaded.cards()
    clock = Clock()
    plan = start(store, cards, clock, Settings(fuzz=False, new_per_day=6))
    plan.session.run(ScriptedUI([right] * 6))
    # Graduate all six through their learning steps over the next minutes.
    for _ in range(3):
        clock.advance(minutes=15)
        plan = start(store, cards, clock, Settings(fuzz=False, new_per_day=0))
        plan.session.run(ScriptedUI([rate(GOOD)] * 20 + [right] * 20))
    states, _ = store.states()
    assert all(s.state == REVIEW for s in states.values())
    # Make q3 and q5 overdue by different amounts by answering them Hard earlier... simpler:
    # jump far ahead: every card is due; the limit of 2 takes the lowest retrievability.
    clock.advance(days=40)
    plan = start(store, cards, clock, Settings(fuzz=False, new_per_day=0, reviews_per_day=2))
    chosen = [i.card.card_id for i in plan.session.queue.main]
    assert len(chosen) == 2
    scheduler = Scheduler(fuzz=False)
    ranked = sorted(states, key=lambda k: (scheduler.retrievability(states[k], clock.now), states[k].due))
    assert chosen == [card_id for _, card_id in ranked[:2]]
    # The start-up fast path (SQL pre-ordering) picks what the core picks from full state.
    full = build_queue(cards, states, clock.now, plan.session.day_end, Limits(0, 2), 0, 0, scheduler)
    assert [i.card.card_id for i in full.main] == chosen
    assert store.weakest_due(clock.now, plan.session.day_end) == ranked


def test_again_card_returns_in_the_same_session(store, deck_dir):
    loaded = load_cards(deck_dir, SMALL_DECK)
    cards = [c for c in loaded.cards() if c.card_id == "m1"] + [c for c in loaded.cards() if c.card_id == "y1"]
    clock = Clock(step=timedelta(seconds=40))
    plan = start(store, cards, clock)
    ui = ScriptedUI([wrong, right, right, right, right])
    plan.session.run(ui)
    shown = [q.card.card_id for q in ui.asked]
    assert shown[:3] == ["m1", "y1", "m1"]  # m1 failed, came back after its 1-minute step
    first = ui.grades[0]
    assert first[1].rating == AGAIN and first[1].given != "Compassion"
    assert first[2].state_after.state == LEARNING


def test_grading_paths_are_recorded(store, deck_dir):
    loaded = load_cards(deck_dir, SMALL_DECK)
    cards = loaded.cards()
    clock = Clock(step=timedelta(seconds=5))
    plan = start(store, cards, clock, Settings(fuzz=False, new_per_day=10))

    def by_kind(question):
        card = question.card
        if card.kind == "mcq":  # right, but marked as a guess
            return Response("answer", question.choices.index(card.answer), "guess")
        if card.kind == "typed":  # one typo: close enough
            return Response("answer", "Desrie")
        if card.kind == "truefalse":
            return Response("answer", True)  # wrong: the answer is false
        return Response("answer", HARD)

    ui = ScriptedUI([by_kind] * 6)
    plan.session.run(ui)
    grades = {card_id: grade for card_id, grade, _ in ui.grades}
    assert grades["m1"].correct and grades["m1"].rating == HARD
    assert grades["y1"].correct and grades["y1"].close_enough and grades["y1"].diff == "Des{+i+}r[-i-]e"
    assert not grades["t1"].correct and grades["t1"].rating == AGAIN and grades["t1"].given == "true"
    assert grades["b1"].rating == HARD
    rows = store.db.execute("SELECT card_id, rating, answer, correct, mode FROM review_log ORDER BY reviewed_at").fetchall()
    assert ("m1", HARD, "Compassion", 1, "study") in rows
    assert ("t1", AGAIN, "true", 0, "study") in rows
    assert ("b1", HARD, "", None, "study") in rows


def test_wrong_mcq_records_the_option_chosen(store, deck_dir):
    loaded = load_cards(deck_dir, SMALL_DECK)
    cards = [c for c in loaded.cards() if c.card_id == "m1"]
    plan = start(store, cards, Clock())
    ui = ScriptedUI([lambda q: Response("answer", q.choices.index("Diagnosis"))])
    plan.session.run(ui)
    assert store.db.execute("SELECT answer, correct, rating FROM review_log").fetchall() == [("Diagnosis", 0, AGAIN)]


def test_undo_restores_state_and_keeps_the_row(store, deck_dir):
    loaded = load_cards(deck_dir, SMALL_DECK)
    cards = [c for c in loaded.cards() if c.card_id in ("m1", "t1")]
    clock = Clock(step=timedelta(seconds=5))
    plan = start(store, cards, clock)
    ui = ScriptedUI([right, undo, wrong, right])
    summary = plan.session.run(ui)
    assert [q.card.card_id for q in ui.asked][:3] == ["m1", "t1", "m1"]
    rows = store.db.execute("SELECT card_id, rating FROM review_log ORDER BY reviewed_at").fetchall()
    assert rows[0] == ("m1", GOOD)  # the undone answer stays in the log...
    assert store.db.execute("SELECT COUNT(*) FROM review_undo").fetchone()[0] == 1  # ...marked undone
    states, _ = store.states()
    assert states[("small", "m1")].reps == 1  # only the answer that counts
    assert summary.reviewed == 2
    assert store.counts_since(plan.day_start) == (2, 0)


def test_guess_after_feedback_regrades_as_hard(store, deck_dir):
    loaded = load_cards(deck_dir, SMALL_DECK)
    cards = [c for c in loaded.cards() if c.card_id == "m1"]
    plan = start(store, cards, Clock())
    ui = ScriptedUI([right], follow=["guess"])
    plan.session.run(ui)
    live = store.db.execute(
        "SELECT rating FROM review_log WHERE review_id NOT IN (SELECT review_id FROM review_undo)"
    ).fetchall()
    assert live == [(HARD,)]


def test_rebuild_from_log_equals_cache(store, deck_dir):
    loaded = load_cards(deck_dir, SMALL_DECK, many_cards_deck("bb", 8))
    cards = loaded.cards()
    clock = Clock(step=timedelta(seconds=30))
    settings = Settings(fuzz=True, new_per_day=20)
    pattern = random.Random(3)
    for _ in range(6):
        plan = start(store, cards, clock, settings)
        plan.session.run(ScriptedUI([(lambda q: (right if pattern.random() < 0.8 else wrong)(q))] * 40 + [undo] + [right] * 5))
        clock.advance(days=1)
    cached, hashes = store.states()
    rebuilt = replay_log(store.scheduling_reviews(), Scheduler(settings.desired_retention, fuzz=True))
    assert {k: v[0] for k, v in rebuilt.items()} == cached
    assert {k: v[1] for k, v in rebuilt.items()} == hashes
    store.replace_states(rebuilt)
    assert store.states() == (cached, hashes)


def test_cram_leaves_the_schedule_alone(store, deck_dir):
    loaded = load_cards(deck_dir, SMALL_DECK)
    cards = loaded.cards()
    clock = Clock()
    start(store, cards, clock).session.run(ScriptedUI([right] * 3))
    before = store.states()
    plan = start(store, cards, clock, cram=True)
    ui = ScriptedUI([wrong] + [right] * 10)
    plan.session.run(ui)
    assert store.states() == before
    modes = store.db.execute("SELECT mode, schedules, COUNT(*) FROM review_log GROUP BY mode").fetchall()
    assert ("cram", 0, 7) in modes  # six cards, the missed one asked again


def test_changed_answer_is_flagged(store, deck_dir):
    path = write(deck_dir, "d.yaml", SMALL_DECK)
    cards = library.load_library([(deck_dir, "t")]).cards()
    clock = Clock()
    start(store, [c for c in cards if c.card_id == "y1"], clock).session.run(ScriptedUI([wrong]))
    path.write_text(path.read_text().replace("answer: Desire", "answer: Desires"))
    cards = library.load_library([(deck_dir, "t")]).cards()
    clock.advance(minutes=5)
    ui = ScriptedUI([right])
    start(store, [c for c in cards if c.card_id == "y1"], clock).session.run(ui)
    assert ui.asked[0].changed
    # rewording the prompt only is not a changed answer
    path.write_text(path.read_text().replace("what does the D stand for", "what is D"))
    cards = library.load_library([(deck_dir, "t")]).cards()
    clock.advance(minutes=15)
    ui = ScriptedUI([right])
    start(store, [c for c in cards if c.card_id == "y1"], clock).session.run(ui)
    assert ui.asked and not ui.asked[0].changed


def test_select_cards_by_deck_and_tag(deck_dir):
    loaded = load_cards(deck_dir, SMALL_DECK, many_cards_deck("bb", 2))
    assert {c.deck_id for c in select_cards(loaded, ["bb"], None)} == {"bb"}
    assert [c.card_id for c in select_cards(loaded, None, ["darn"])] == ["y1"]
    assert len(select_cards(loaded, None, ["application"])) == 1


def test_outlook_counts_streak_and_due(store, deck_dir):
    loaded = load_cards(deck_dir, many_cards_deck("aa", 4))
    cards = loaded.cards()
    clock = Clock(step=timedelta(minutes=11))
    settings = Settings(fuzz=False, new_per_day=2)
    for _ in range(3):
        plan = start(store, cards, clock, settings)
        plan.session.run(ScriptedUI([right] * 8))
        clock.advance(days=1)
    view = outlook(store, plan, settings, clock.now - timedelta(days=1), UTC)
    assert view.streak == 3
    assert view.new_left == 0


def test_fast_retrievability_matches_fsrs():
    import fsrs

    scheduler = Scheduler(fuzz=False)
    state = scheduler.review(scheduler.review(CardStateNew(), GOOD, START, 1), GOOD, START + timedelta(minutes=10), 2)
    for days in (0, 1, 3, 10, 45, 400):
        when = START + timedelta(days=days, hours=5)
        card = fsrs.Card(card_id=1, state=fsrs.State(state.state), step=state.step, stability=state.stability,
                         difficulty=state.difficulty, due=state.due, last_review=state.last_review)
        assert scheduler.retrievability(state, when) == pytest.approx(scheduler._fsrs.get_card_retrievability(card, when), rel=1e-12)


def CardStateNew():
    from mi_quiz.schedule import NEW_CARD

    return NEW_CARD


def test_deck_cache_reused_and_refreshed(deck_dir, tmp_path):
    path = write(deck_dir, "d.yaml", SMALL_DECK)
    first = library.load_library([(deck_dir, "t")])
    library._cache_file().parent.mkdir(parents=True, exist_ok=True)
    library._cache_file().write_bytes(b"\x00garbage")  # a truncated or foreign cache: parse again
    again = library.load_library([(deck_dir, "t")])
    assert [c.card_id for c in again.cards()] == [c.card_id for c in first.cards()]
    stamp = path.stat()
    from dataclasses import replace

    marked = replace(first.decks[0], title="From the cache")
    files = {(os_abspath(path), "t"): ((stamp.st_mtime_ns, stamp.st_size), marked, [])}
    library._write_cache(files, library._cache_file())
    cached = library.load_library([(deck_dir, "t")])
    assert cached.decks[0].title == "From the cache"  # an unchanged file is not parsed again
    assert cached.decks[0].cards == first.decks[0].cards
    path.write_text(path.read_text().replace("Small deck", "Renamed deck"))
    assert library.load_library([(deck_dir, "t")]).decks[0].title == "Renamed deck"


def os_abspath(path):
    import os

    return os.path.abspath(path)


def test_library_hot_path_queues_what_the_card_path_queues(store, deck_dir):
    write(deck_dir, "a.yaml", SMALL_DECK)
    write(deck_dir, "b.yaml", many_cards_deck("bb", 30))
    places = [(deck_dir, "t")]
    parsed = library.load_library(places)
    library._write_cache(
        {(os_abspath(deck_dir / name), "t"): ((s.st_mtime_ns, s.st_size), deck, [])
         for name, deck in (("a.yaml", parsed.decks[0]), ("b.yaml", parsed.decks[1]))
         for s in [(deck_dir / name).stat()]},
        library._cache_file(),
    )
    cached = library.load_library(places)
    assert type(cached.decks[1].cards).__name__ == "LazyCards"
    clock = Clock(step=timedelta(minutes=3))
    settings = Settings(fuzz=False, new_per_day=8)
    for _ in range(3):  # some history: learning, reviews, new
        prepare_study(store, cached, settings, clock(), UTC, random.Random(1), clock).session.run(
            ScriptedUI([right, wrong, right] * 6))
        clock.advance(days=2)

    def queued(**kwargs):
        plan = prepare_study(store, cached, settings, clock.now, UTC, random.Random(1), clock, **kwargs)
        return [(i.card.key, i.bucket) for i in plan.session.queue.main + plan.session.queue.learning]

    lazy = queued()
    assert lazy and lazy == queued(cards=parsed.cards())
    assert queued(deck_ids=["bb"]) == queued(cards=[c for c in parsed.cards() if c.deck_id == "bb"])
    decoded = sum(card is not None for card in cached.decks[1].cards._decoded)
    assert decoded < len(cached.decks[1].cards)  # only the cards the sessions could show were decoded


def test_orphaned_history_does_not_take_the_days_review_slots(store, deck_dir):
    from mi_quiz.schedule import CardState

    write(deck_dir, "b.yaml", many_cards_deck("bb", 5))
    loaded = library.load_library([(deck_dir, "t")])
    long_ago = START - timedelta(days=300)
    weak = CardState(state=REVIEW, stability=1.0, difficulty=5.0, due=long_ago, last_review=long_ago - timedelta(days=1), reps=3)
    mild = CardState(state=REVIEW, stability=50.0, difficulty=5.0, due=START - timedelta(days=1),
                     last_review=START - timedelta(days=40), reps=3)
    states = {("gone", f"o{i}"): (weak, "h" * 16) for i in range(150)}  # deck removed: orphans
    states.update({("bb", f"q{i}"): (mild, "h" * 16) for i in range(5)})
    store.replace_states(states)
    plan = prepare_study(store, loaded, Settings(fuzz=False, reviews_per_day=3), START, UTC, random.Random(1), Clock())
    assert [(i.card.deck_id, i.bucket) for i in plan.session.queue.main] == [("bb", "review")] * 3
