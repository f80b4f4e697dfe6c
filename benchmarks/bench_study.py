"""Start-up and answer-recording benchmark for `mi-quiz study`.

Builds a synthetic collection in the real formats: 20,000 cards in 50 YAML
decks and 500,000 reviews in the SQLite log (card states rebuilt from the log
through FSRS, as `doctor --rebuild` does). Then measures, as whole processes:

  * time until the first card is on screen (stdin piped), decks unchanged;
  * the same after one deck file changed (that file is parsed again);
  * the whole `mi-quiz study < /dev/null` run (first card, summary, readiness);

and, in process, the time to record one answer (FSRS review + one committed
SQLite transaction). Prints medians; `--markdown` prints the table for
docs/performance.md.

    python benchmarks/bench_study.py [--runs 9] [--keep DIR]
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

DECKS, CARDS_PER_DECK, REVIEWS = 50, 400, 500_000
NOW = datetime(2026, 6, 1, 15, 0, tzinfo=timezone.utc)


def write_decks(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for d in range(DECKS):
        lines = [f"id: bench-{d:02d}", f"title: Benchmark deck {d}", "exam:", "  weight: 1", "cards:"]
        for c in range(CARDS_PER_DECK):
            kind = ("mcq", "mcq", "truefalse", "basic", "typed")[c % 5]
            lines += [f"  - id: c{c:04d}", f"    type: {kind}", "    level: recall", "    tags: [bench]",
                      f"    prompt: Benchmark question {c} of deck {d}, long enough to look like a real prompt?"]
            if kind == "mcq":
                lines += ["    choices:"] + [f"      - Option {o} for question {c}" for o in range(4)]
                lines.append(f"    answer: Option 0 for question {c}")
            elif kind == "truefalse":
                lines.append("    answer: true")
            else:
                lines.append(f"    answer: Answer {c}")
            lines += ["    explanation: Why the answer is right and the distractor is wrong.",
                      "    source: Benchmark (2026)"]
        (folder / f"bench-{d:02d}.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")


def simulated_reviews(rng: random.Random):
    """A steady-state history: every card reviewed when FSRS said it was due
    (a day or two late at times), 15% lapses, starting up to eight years ago."""
    from mi_quiz.schedule import NEW_CARD, Scheduler

    scheduler = Scheduler(fuzz=True)
    keys = [(f"bench-{d:02d}", f"c{c:04d}") for d in range(DECKS) for c in range(CARDS_PER_DECK)]
    rng.shuffle(keys)
    total = 0
    for deck_id, card_id in keys:
        state, moment = NEW_CARD, NOW - timedelta(days=rng.uniform(30, 8 * 365))
        while moment < NOW and total < REVIEWS:
            rating = rng.choices((1, 2, 3, 4), weights=(15, 5, 75, 5))[0]
            seed = rng.getrandbits(63)
            before = state.state
            state = scheduler.review(state, rating, moment, seed)
            yield deck_id, card_id, moment, rating, before, seed
            total += 1
            moment = state.due + timedelta(hours=rng.choice((0, 0, 0, 10, 30)))
        if total >= REVIEWS:
            return


def backlog_reviews(rng: random.Random):
    """A neglected collection: reviews at random gaps, so most cards are overdue."""
    keys = [(f"bench-{d:02d}", f"c{c:04d}") for d in range(DECKS) for c in range(CARDS_PER_DECK)]
    rng.shuffle(keys)
    per_card = 32
    for deck_id, card_id in keys[: REVIEWS // per_card]:
        moment = NOW - timedelta(days=400) + timedelta(minutes=rng.randrange(0, 60 * 24 * 30))
        for _ in range(per_card):
            yield deck_id, card_id, moment, rng.choice((1, 3, 3, 3, 3, 4)), 2, rng.getrandbits(63)
            moment += timedelta(days=rng.uniform(0.5, 11))


def fill_log(db_path: Path, history) -> None:
    from mi_quiz.schedule import Scheduler, replay_log
    from mi_quiz.store import Store, to_text

    store = Store.open(db_path)
    rows = [
        (f"{deck_id}/{card_id}/{i}", deck_id, card_id, to_text(moment), rating, "x", int(rating > 1), 4000,
         "study", "0" * 16, 1, before, seed, None)
        for i, (deck_id, card_id, moment, rating, before, seed) in enumerate(history(random.Random(1)))
    ]
    with store.db:
        store.db.execute("BEGIN")
        store.db.executemany("INSERT INTO review_log VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)", rows)
    store.replace_states(replay_log(store.scheduling_reviews(), Scheduler(fuzz=True)))
    store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    states, _ = store.states()
    due = sum(1 for s in states.values() if s.due <= NOW + timedelta(hours=13))
    print(f"{history.__name__}: {store.review_count():,} reviews, {len(states):,} cards seen, {due:,} due",
          file=sys.stderr)
    store.close()


def first_card_seconds(command: list[str], env: dict) -> float:
    """Wall time from spawning `mi-quiz study` until its first answer prompt appears."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
    seen = b""
    while b"> " not in seen:
        chunk = process.stdout.read1(4096)
        if not chunk:
            raise RuntimeError("mi-quiz exited before showing a card")
        seen += chunk
    elapsed = time.perf_counter() - started
    process.stdin.close()
    process.stdout.read()
    process.wait()
    return elapsed


def whole_run_seconds(command: list[str], env: dict) -> float:
    started = time.perf_counter()
    subprocess.run(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, check=True)
    return time.perf_counter() - started


def record_answer_ms(db_path: Path, samples: int = 300) -> float:
    from mi_quiz.schedule import GOOD, Scheduler
    from mi_quiz.store import Store
    from mi_quiz.study import Review

    store = Store.open(db_path)
    states, _ = store.states()
    keys = list(states)[:samples]
    scheduler = Scheduler()
    times = []
    for i, key in enumerate(keys):
        started = time.perf_counter()
        when = NOW + timedelta(seconds=i)
        after = scheduler.review(states[key], GOOD, when, i)
        store.record(Review(f"bench-answer-{i}-{time.time_ns()}", key[0], key[1], when, GOOD, "x", True, 3000,
                            "study", "0" * 16, True, after.state, i, after))
        times.append(time.perf_counter() - started)
    store.close()
    return statistics.median(times) * 1000


def measure(root: Path, decks: Path, db: Path, runs: int) -> dict:
    env = dict(os.environ, MI_QUIZ_DATA_DIR=str(root / "data"), MI_QUIZ_CONFIG_DIR=str(root / "config"),
               MI_QUIZ_CACHE_DIR=str(root / "cache"), MI_QUIZ_DB=str(db), MI_QUIZ_NOW=NOW.isoformat())
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # users get compiled bytecode from pip
    exe = shutil.which("mi-quiz", path=str(Path(sys.executable).parent)) or "mi-quiz"
    command = [exe, "study", "--decks", str(decks)]
    shutil.rmtree(root / "cache", ignore_errors=True)
    cold = first_card_seconds(command, env)  # parses all 50 files, writes the cache
    unchanged = [first_card_seconds(command, env) for _ in range(runs)]
    changed = []
    for i in range(runs):
        with open(decks / "bench-07.yaml", "a", encoding="utf-8") as handle:
            handle.write(f"# edit {i}\n")
        changed.append(first_card_seconds(command, env))
    whole = [whole_run_seconds(command, env) for _ in range(runs)]
    return {"unchanged": statistics.median(unchanged) * 1000, "changed": statistics.median(changed) * 1000,
            "whole": statistics.median(whole) * 1000, "cold": cold * 1000}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--keep", type=Path, help="build the collections here and keep them")
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args()

    root = args.keep or Path(tempfile.mkdtemp(prefix="mi-quiz-bench-"))
    decks = root / "decks"
    if not decks.exists():
        write_decks(decks)
    results = {}
    for history in (simulated_reviews, backlog_reviews):
        db = root / f"{history.__name__}.db"
        if not db.exists():
            print(f"building {db.name}...", file=sys.stderr)
            fill_log(db, history)
        results[history.__name__] = measure(root, decks, db, args.runs)
    answer = record_answer_ms(root / "simulated_reviews.db")
    # Baselines from the same run: this machine's speed varies a lot between
    # runs (shared CPU), so the fixed costs are measured beside the targets.
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    exe = shutil.which("mi-quiz", path=str(Path(sys.executable).parent)) or "mi-quiz"
    baselines = [
        ("`python -c pass`", [sys.executable, "-c", "pass"]),
        ("`python -c 'import typer'`", [sys.executable, "-c", "import typer"]),
        ("`mi-quiz --version`", [exe, "--version"]),
    ]
    baseline_ms = [(name, statistics.median(whole_run_seconds(cmd, env) for _ in range(args.runs)) * 1000)
                   for name, cmd in baselines]

    steady, backlog = results["simulated_reviews"], results["backlog_reviews"]
    rows = [
        ("first card, decks unchanged", steady["unchanged"], backlog["unchanged"], "150 ms"),
        ("first card, one deck changed", steady["changed"], backlog["changed"], "300 ms"),
        ("whole `study < /dev/null` (first card, summary, readiness)", steady["whole"], backlog["whole"], "-"),
        ("first card, no deck cache (all 50 files parsed)", steady["cold"], backlog["cold"], "-"),
    ]
    rows.append(("record one answer (FSRS + one committed transaction), median of 300", answer, None, "5 ms"))
    rows += [(f"baseline: {name}", value, None, "-") for name, value in baseline_ms]
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()}"
    cell = (lambda v: f"{v:.2f} ms" if v < 10 else f"{v:.0f} ms")
    if args.markdown:
        print(f"| median of {args.runs} whole-process runs | steady collection | backlog collection | target |")
        print("|---|---|---|---|")
        for name, a, b, target in rows:
            print(f"| {name} | {cell(a)} | {cell(b) if b is not None else ''} | {target} |")
        print(f"\nMachine: {machine}.")
    else:
        print(f"{'':70s} {'steady':>10s} {'backlog':>10s}  target")
        for name, a, b, target in rows:
            print(f"{name[:70]:70s} {cell(a):>10s} {cell(b) if b is not None else '':>10s}  {target}")
        print(f"machine: {machine}")
    if not args.keep:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
