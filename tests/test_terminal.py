"""The interactive screens in a real pseudo-terminal: single-key answers,
the feedback panel, undo, and the summary."""

from __future__ import annotations

import os
import select
import sqlite3
import subprocess
import sys
import time

import pytest

from conftest import SMALL_DECK, write

pytestmark = pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a POSIX pseudo-terminal")


class Terminal:
    def __init__(self, args, env):
        import fcntl
        import struct
        import termios

        self.master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 60, 0, 0))  # 60 columns
        self.process = subprocess.Popen(args, stdin=slave, stdout=slave, stderr=slave, env=env, close_fds=True)
        os.close(slave)
        self.screen = ""

    def wait_for(self, text, timeout=30.0):
        deadline = time.monotonic() + timeout
        while text not in self.screen:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"{text!r} never appeared; screen so far:\n{self.screen[-2000:]}")
            ready, _, _ = select.select([self.master], [], [], min(left, 0.5))
            if ready:
                try:
                    self.screen += os.read(self.master, 65536).decode(errors="replace")
                except OSError:
                    break
        return self.screen

    def press(self, keys):
        os.write(self.master, keys.encode())

    def close(self):
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(timeout=10)
        os.close(self.master)


def test_interactive_study_with_single_keys(deck_dir, tmp_path):
    write(deck_dir, "small.yaml", SMALL_DECK)
    db = tmp_path / "t.db"
    env = dict(os.environ, MI_QUIZ_NOW="2026-03-02T15:00:00+00:00", TERM="xterm", NO_COLOR="1", COLUMNS="60")
    env.pop("TERMINAL_WIDTH", None)
    term = Terminal([sys.executable, "-m", "mi_quiz", "study", "--decks", str(deck_dir), "--deck", "small",
                     "--db", str(db), "--seed", "3"], env)
    try:
        term.wait_for("a-d: answer")
        assert "Which element belongs to the spirit of MI?" in term.screen
        term.press("a")  # whichever option is a, the answer is recorded at once
        term.wait_for("enter: next")
        term.press("u")  # undo it: the same card comes back
        term.wait_for("is back in the queue")
        term.press("a")
        term.wait_for("enter: next")
        term.press("\r")
        term.wait_for("t/f: answer")
        term.press("f")  # right: the statement is false
        term.wait_for("g: I guessed")
        term.press("g")
        term.wait_for("Counted as hard")
        term.press("\r")
        term.wait_for("space: show answer")
        term.press(" ")
        term.wait_for("Good")
        term.press("3")
        term.wait_for("space: show answer")
        term.press("q")
        term.wait_for("Session summary")
        term.process.wait(timeout=15)
    finally:
        term.close()
    assert term.process.returncode == 0
    assert "Traceback" not in term.screen
    rows = sqlite3.connect(db).execute(
        "SELECT card_id, rating FROM review_log WHERE review_id NOT IN (SELECT review_id FROM review_undo)"
        " ORDER BY reviewed_at"
    ).fetchall()
    assert [card for card, _ in rows] == ["m1", "t1", "b1"]
    assert rows[1][1] == 2 and rows[2][1] == 3  # the guess counted as Hard; the basic card rated Good
