"""The SQLite store: the only module that speaks SQL.

The hot path (open, read states, append one answer) uses the standard sqlite3
module directly; sqlite-utils, which costs ~70 ms to import, is loaded only
when migrations are pending (migrations.py).
"""

from __future__ import annotations

import sqlite3
from datetime import datetime, timezone
from pathlib import Path

from mi_quiz.schedule import CardState
from mi_quiz.study import Review

# Kept in step with migrations.NAMES (a test checks): lets an up-to-date
# database open without importing sqlite-utils.
MIGRATION_NAMES = ("m001_review_log", "m002_exams", "m003_exam_abandoned")
NOT_UNDONE = "review_id NOT IN (SELECT review_id FROM review_undo)"


class StoreError(Exception):
    """The database cannot be used (not SQLite, newer than this version...)."""


def to_text(moment: datetime | None) -> str | None:
    return moment.astimezone(timezone.utc).isoformat(timespec="microseconds") if moment else None


def from_text(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


class Store:
    def __init__(self, connection: sqlite3.Connection, path: Path) -> None:
        self.db = connection
        self.path = path
        self.backup: Path | None = None

    @classmethod
    def open(cls, path: Path) -> "Store":
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            connection = sqlite3.connect(str(path), timeout=10, isolation_level=None)
            connection.execute("PRAGMA busy_timeout = 10000")
            connection.execute("PRAGMA journal_mode = WAL")
            # FULL: a committed answer survives a power cut too, not only a killed process.
            connection.execute("PRAGMA synchronous = FULL")
            connection.execute("PRAGMA foreign_keys = ON")
            store = cls(connection, path)
            store._migrate()
        except sqlite3.DatabaseError as error:
            raise StoreError(f"{path}: not a usable mi-quiz database ({error})") from None
        return store

    def close(self) -> None:
        self.db.close()

    # -- schema -------------------------------------------------------------------

    def applied_migrations(self) -> list[str]:
        exists = self.db.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_sqlite_migrations'"
        ).fetchone()
        if not exists:
            return []
        rows = self.db.execute(
            "SELECT name FROM _sqlite_migrations WHERE migration_set = 'mi_quiz' ORDER BY id"
        )
        return [name for (name,) in rows]

    def _migrate(self) -> None:
        applied = self.applied_migrations()
        if applied == list(MIGRATION_NAMES):
            return
        unknown = [name for name in applied if name not in MIGRATION_NAMES]
        if unknown:
            raise StoreError(f"{self.path}: written by a newer mi-quiz (migration {unknown[0]}); upgrade mi-quiz")
        if applied:
            self.backup = self._write_backup(len(applied))
        from sqlite_utils import Database

        from mi_quiz.migrations import migrations

        migrations.apply(Database(self.db))

    def _write_backup(self, version: int) -> Path:
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S")
        target = self.path.with_name(f"{self.path.name}.v{version}-{stamp}.bak")
        copy = sqlite3.connect(str(target))
        with copy:
            self.db.backup(copy)
        copy.close()
        return target

    # -- card state (the cache) -------------------------------------------------------

    def states(self) -> tuple[dict[tuple[str, str], CardState], dict[tuple[str, str], str]]:
        """Every cached state, and the content hash each card had when last reviewed."""
        return self._read_states("", [])

    def _read_states(self, where: str, parameters: list) -> tuple[dict, dict]:
        states, hashes = {}, {}
        rows = self.db.execute(
            "SELECT deck_id, card_id, state, step, stability, difficulty, due, last_review,"
            " first_review, reps, lapses, last_hash FROM card_state" + where, parameters
        )
        parse = datetime.fromisoformat
        for deck, card, state, step, stab, diff, due, last, first, reps, lapses, last_hash in rows:
            states[(deck, card)] = CardState(
                state, step, stab, diff, due and parse(due), last and parse(last), first and parse(first), reps, lapses
            )
            if last_hash:
                hashes[(deck, card)] = last_hash
        return states, hashes

    def weakest_due(self, now: datetime, due_before: datetime, limit: int = -1, offset: int = 0) -> list[tuple[str, str]]:
        """Review cards due before `due_before`, lowest retrievability first.

        FSRS retrievability falls as (whole days since the last review) /
        stability grows, so ordering by that ratio is ordering by R. Keys only:
        start-up then reads full state for just the cards it will show."""
        return list(self.db.execute(
            "SELECT deck_id, card_id FROM card_state WHERE state = 2 AND due < ?"
            " ORDER BY CAST(julianday(?) - julianday(last_review) AS INTEGER) / stability DESC, due"
            " LIMIT ? OFFSET ?",
            (to_text(due_before), to_text(now), limit, offset),
        ))

    def learning_states(self, due_before: datetime) -> tuple[dict, dict]:
        """States of cards in (re)learning due before `due_before`."""
        return self._read_states(" WHERE state IN (1, 3) AND due < ?", [to_text(due_before)])

    def states_for(self, keys: list[tuple[str, str]]) -> tuple[dict, dict]:
        states, hashes = {}, {}
        for start in range(0, len(keys), 400):
            chunk = keys[start:start + 400]
            where = " OR ".join(["(deck_id = ? AND card_id = ?)"] * len(chunk))
            part_states, part_hashes = self._read_states(" WHERE " + where, [v for key in chunk for v in key])
            states.update(part_states)
            hashes.update(part_hashes)
        return states, hashes

    def seen_keys(self) -> set[tuple[str, str]]:
        return set(self.db.execute("SELECT deck_id, card_id FROM card_state"))

    def due_between(self, start: datetime, end: datetime) -> int:
        return self.db.execute(
            "SELECT COUNT(*) FROM card_state WHERE due >= ? AND due < ?", (to_text(start), to_text(end))
        ).fetchone()[0]

    def next_due_after(self, moment: datetime) -> datetime | None:
        row = self.db.execute("SELECT MIN(due) FROM card_state WHERE due > ?", (to_text(moment),)).fetchone()
        return from_text(row[0])

    def _put_state(self, deck_id: str, card_id: str, state: CardState | None, last_hash: str | None) -> None:
        if state is None:
            self.db.execute("DELETE FROM card_state WHERE deck_id = ? AND card_id = ?", (deck_id, card_id))
            return
        self.db.execute(
            "INSERT OR REPLACE INTO card_state VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
            (deck_id, card_id, state.state, state.step, state.stability, state.difficulty,
             to_text(state.due), to_text(state.last_review), to_text(state.first_review),
             state.reps, state.lapses, last_hash),
        )

    # -- the review log ----------------------------------------------------------------

    def record(self, review: Review) -> None:
        """Append one answer and update its cached state, in one transaction."""
        with self.db:
            self.db.execute("BEGIN IMMEDIATE")
            self._insert_review(review)
            if review.schedules:
                self._put_state(review.deck_id, review.card_id, review.state_after, review.content_hash)

    def _insert_review(self, review: Review) -> None:
        self.db.execute(
            "INSERT INTO review_log (review_id, deck_id, card_id, reviewed_at, rating, answer, correct,"
            " duration_ms, mode, content_hash, schedules, state_before, seed, exam_id)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (review.review_id, review.deck_id, review.card_id, to_text(review.reviewed_at), review.rating,
             review.answer, None if review.correct is None else int(review.correct), review.duration_ms,
             review.mode, review.content_hash, int(review.schedules), review.state_before, review.seed,
             review.exam_id),
        )

    def undo(self, review: Review, restored: CardState | None, when: datetime) -> None:
        """Mark a review undone (the row stays) and put back the state from before it."""
        with self.db:
            self.db.execute("BEGIN IMMEDIATE")
            self.db.execute("INSERT INTO review_undo VALUES (?, ?)", (review.review_id, to_text(when)))
            if review.schedules:
                previous_hash = self.db.execute(
                    f"SELECT content_hash FROM review_log WHERE deck_id = ? AND card_id = ? AND schedules = 1"
                    f" AND {NOT_UNDONE} ORDER BY reviewed_at DESC LIMIT 1",
                    (review.deck_id, review.card_id),
                ).fetchone()
                self._put_state(review.deck_id, review.card_id, restored, previous_hash[0] if previous_hash else None)

    def counts_since(self, start: datetime) -> tuple[int, int]:
        """(new cards introduced, review-state cards answered) in study mode since `start`."""
        new, reviews = self.db.execute(
            "SELECT COALESCE(SUM(state_before = 0), 0), COALESCE(SUM(state_before = 2), 0) FROM review_log"
            f" WHERE reviewed_at >= ? AND mode = 'study' AND {NOT_UNDONE}",
            (to_text(start),),
        ).fetchone()
        return new, reviews

    def studied_between(self, start: datetime, end: datetime) -> bool:
        """Any study or cram answer (not undone) in [start, end): one index seek."""
        return self.db.execute(
            f"SELECT 1 FROM review_log WHERE reviewed_at >= ? AND reviewed_at < ? AND mode != 'exam'"
            f" AND {NOT_UNDONE} LIMIT 1",
            (to_text(start), to_text(end)),
        ).fetchone() is not None

    def scheduling_reviews(self):
        """Every answer that moves a schedule, per card, oldest first: the input to a rebuild."""
        return self.db.execute(
            "SELECT deck_id, card_id, rating, reviewed_at, seed, content_hash FROM review_log"
            f" WHERE schedules = 1 AND {NOT_UNDONE} ORDER BY deck_id, card_id, reviewed_at, rowid"
        )

    def replace_states(self, states: dict[tuple[str, str], tuple[CardState, str]]) -> None:
        with self.db:
            self.db.execute("BEGIN IMMEDIATE")
            self.db.execute("DELETE FROM card_state")
            for (deck_id, card_id), (state, last_hash) in states.items():
                self._put_state(deck_id, card_id, state, last_hash)

    def integrity(self) -> str:
        return self.db.execute("PRAGMA integrity_check").fetchone()[0]

    def review_count(self) -> int:
        return self.db.execute(f"SELECT COUNT(*) FROM review_log WHERE {NOT_UNDONE}").fetchone()[0]

    def orphans(self, known: set[tuple[str, str]]) -> list[tuple[str, str, int]]:
        """Cards with history whose deck no longer has them (kept, never deleted)."""
        rows = self.db.execute("SELECT deck_id, card_id, COUNT(*) FROM review_log GROUP BY deck_id, card_id")
        return [(d, c, n) for d, c, n in rows if (d, c) not in known]

    # -- exams ----------------------------------------------------------------------------

    def save_exam(self, exam: dict, questions: list[dict], reviews: list[Review]) -> None:
        import json

        with self.db:
            self.db.execute("BEGIN IMMEDIATE")
            exam = dict(exam, decks=json.dumps(exam["decks"]))
            columns = ", ".join(exam)
            self.db.execute(f"INSERT INTO exam ({columns}) VALUES ({', '.join('?' * len(exam))})", list(exam.values()))
            for question in questions:
                columns = ", ".join(question)
                self.db.execute(
                    f"INSERT INTO exam_question ({columns}) VALUES ({', '.join('?' * len(question))})",
                    list(question.values()),
                )
            for review in reviews:
                self._insert_review(review)
                if review.schedules:
                    self._put_state(review.deck_id, review.card_id, review.state_after, review.content_hash)

    def exams(self) -> list[dict]:
        cursor = self.db.execute("SELECT * FROM exam ORDER BY started_at")
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row)) for row in cursor]

    def exam_questions(self, exam_id: str) -> list[dict]:
        cursor = self.db.execute("SELECT * FROM exam_question WHERE exam_id = ? ORDER BY position", (exam_id,))
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row)) for row in cursor]
