"""`mi-quiz study` as a real subprocess fed on stdin, and killed mid-session."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time

from conftest import SMALL_DECK, write

NOW = "2026-03-02T15:00:00+00:00"


def run_study(deck_dir, db, answers: str, *extra):
    env = dict(os.environ, MI_QUIZ_NOW=NOW)
    return subprocess.run(
        [sys.executable, "-m", "mi_quiz", "study", "--decks", str(deck_dir), "--deck", "small", "--db", str(db), "--seed", "5", *extra],
        input=answers, capture_output=True, text=True, env=env, timeout=60,
    )


def test_piped_session_records_answers_and_prints_summary(deck_dir, tmp_path):
    write(deck_dir, "small.yaml", SMALL_DECK)
    db = tmp_path / "s.db"
    result = run_study(deck_dir, db, "zz\nb\nt\n3\ngood\ndesire\n\n")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "\x1b[" not in out  # plain text, no control codes
    assert "Answer with a letter a-d (add ? if you guessed)." in out  # 'zz' was refused, asked again
    # The option printed as b) is what was recorded for the mcq.
    option_b = next(line.split("b) ", 1)[1] for line in out.splitlines() if line.startswith("  b) "))
    rows = sqlite3.connect(db).execute("SELECT card_id, answer, rating, correct FROM review_log ORDER BY reviewed_at").fetchall()
    assert [r[0] for r in rows] == ["m1", "t1", "b1", "c1#c1", "y1"]
    assert rows[0][1] == option_b and rows[0][3] == int(option_b == "Compassion")
    assert rows[1][1:] == ("true", 1, 0)  # t1's answer is false
    assert rows[2][2] == 3 and rows[3][2] == 3
    assert rows[4][1:] == ("desire", 3, 1)
    assert "Reviewed 5 card(s)" in out and "Study streak: 1 day(s)." in out


def test_end_of_input_ends_cleanly(deck_dir, tmp_path):
    write(deck_dir, "small.yaml", SMALL_DECK)
    result = run_study(deck_dir, tmp_path / "s.db", "")
    assert result.returncode == 0
    assert "Nothing was reviewed this time." in result.stdout
    assert "Traceback" not in result.stderr


def test_bad_options_are_one_line_errors(deck_dir, tmp_path):
    write(deck_dir, "small.yaml", SMALL_DECK)
    for args, expected in [
        (["--decks", str(tmp_path / "missing")], "mi-quiz: error: --decks: no such file or folder"),
        (["--deck", "nope"], "mi-quiz: error: --deck: no deck 'nope'"),
        (["--new", "-1"], "mi-quiz: error: Invalid value for '--new': -1 is not in the range x>=0."),
        (["--db", str(deck_dir / "small.yaml")], "mi-quiz: error: "),
    ]:
        result = subprocess.run(
            [sys.executable, "-m", "mi_quiz", "study", "--decks", str(deck_dir), *args],
            input="", capture_output=True, text=True, timeout=60,
        )
        assert result.returncode in (1, 2)
        assert result.stderr.strip().startswith(expected), result.stderr
        assert len(result.stderr.strip().splitlines()) == 1


def test_broken_deck_is_skipped_with_a_warning(deck_dir, tmp_path):
    write(deck_dir, "small.yaml", SMALL_DECK)
    write(deck_dir, "broken.yaml", "id: broken\ntitle: B\ncards:\n  - id: x\n    type: mcq\n    prompt: P\n")
    result = run_study(deck_dir, tmp_path / "s.db", "a\n\n")
    assert result.returncode == 0
    assert f"warning: skipped deck {deck_dir / 'broken.yaml'}:4:5: card 'x' has no 'answer' (and 1 more; run mi-quiz validate)" in result.stderr
    assert "Traceback" not in result.stderr


def test_sigkill_mid_session_keeps_every_answer(deck_dir, tmp_path):
    write(deck_dir, "small.yaml", SMALL_DECK)
    db = tmp_path / "k.db"
    env = dict(os.environ, MI_QUIZ_NOW=NOW)
    process = subprocess.Popen(
        [sys.executable, "-m", "mi_quiz", "study", "--decks", str(deck_dir), "--deck", "small", "--db", str(db)],
        stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, text=True, env=env,
    )

    def logged() -> int:
        try:
            connection = sqlite3.connect(db, timeout=5)
            try:
                return connection.execute("SELECT COUNT(*) FROM review_log").fetchone()[0]
            finally:
                connection.close()
        except sqlite3.OperationalError:
            return 0  # not created yet

    try:
        for count, answer in enumerate(["a", "f", "4"], start=1):
            process.stdin.write(answer + "\n")
            process.stdin.flush()
            deadline = time.monotonic() + 30
            while logged() < count and time.monotonic() < deadline:
                time.sleep(0.02)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == -signal.SIGKILL
    connection = sqlite3.connect(db)
    assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert connection.execute("SELECT card_id FROM review_log ORDER BY reviewed_at").fetchall() == [("m1",), ("t1",), ("b1",)]
    assert connection.execute("SELECT COUNT(*) FROM card_state").fetchone()[0] == 3


def test_doctor_rebuild_matches_the_cache(deck_dir, tmp_path):
    write(deck_dir, "small.yaml", SMALL_DECK)
    db = tmp_path / "d.db"
    assert run_study(deck_dir, db, "b\nt\n3\n1\ndesire\nu\ndesir\n\n").returncode == 0
    result = subprocess.run(
        [sys.executable, "-m", "mi_quiz", "doctor", "--rebuild", "--decks", str(deck_dir), "--db", str(db)],
        capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "integrity: ok" in result.stdout
    assert "rebuilt 5 card state(s) from the log; 0 differed from the cache" in result.stdout
