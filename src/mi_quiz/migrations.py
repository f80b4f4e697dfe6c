"""Schema migrations, applied in order through sqlite-utils' Migrations class
(each migration and the record of it commit in one transaction).

Never edit a migration that has shipped: add a new one.
"""

from __future__ import annotations

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

SET_NAME = "mi_quiz"
migrations = Migrations(SET_NAME)


@migrations()
def m001_review_log(db: Database) -> None:
    db.executescript(
        """
        CREATE TABLE review_log (
            review_id TEXT PRIMARY KEY,
            deck_id TEXT NOT NULL,
            card_id TEXT NOT NULL,
            reviewed_at TEXT NOT NULL,       -- ISO 8601, UTC
            rating INTEGER NOT NULL,          -- 1 again, 2 hard, 3 good, 4 easy
            answer TEXT,                      -- what was answered (the option's text for mcq)
            correct INTEGER,                  -- NULL for self-rated cards
            duration_ms INTEGER,
            mode TEXT NOT NULL,               -- study, cram, exam
            content_hash TEXT,                -- the card as it was shown
            schedules INTEGER NOT NULL,       -- 1 if this answer moves the schedule
            state_before INTEGER NOT NULL,    -- 0 new, 1 learning, 2 review, 3 relearning
            seed INTEGER NOT NULL             -- interval fuzz seed: replay is exact
        );
        CREATE INDEX review_log_card ON review_log (deck_id, card_id, reviewed_at);
        CREATE INDEX review_log_time ON review_log (reviewed_at);
        -- Undo appends here instead of deleting: the log stays append-only.
        CREATE TABLE review_undo (
            review_id TEXT PRIMARY KEY REFERENCES review_log (review_id),
            undone_at TEXT NOT NULL
        );
        -- A cache, rebuildable from review_log (mi-quiz doctor --rebuild).
        CREATE TABLE card_state (
            deck_id TEXT NOT NULL,
            card_id TEXT NOT NULL,
            state INTEGER NOT NULL,
            step INTEGER,
            stability REAL,
            difficulty REAL,
            due TEXT,
            last_review TEXT,
            first_review TEXT,
            reps INTEGER NOT NULL,
            lapses INTEGER NOT NULL,
            last_hash TEXT,
            PRIMARY KEY (deck_id, card_id)
        );
        CREATE INDEX card_state_due ON card_state (due);
        CREATE INDEX card_state_state_due ON card_state (state, due);
        CREATE INDEX card_state_first_review ON card_state (first_review);
        """
    )


@migrations()
def m002_exams(db: Database) -> None:
    db.executescript(
        """
        ALTER TABLE review_log ADD COLUMN exam_id TEXT;
        CREATE TABLE exam (
            exam_id TEXT PRIMARY KEY,
            started_at TEXT NOT NULL,
            finished_at TEXT NOT NULL,
            questions INTEGER NOT NULL,
            answered INTEGER NOT NULL,
            correct INTEGER NOT NULL,
            pass_percent REAL NOT NULL,
            passed INTEGER NOT NULL,
            time_limit_s INTEGER,
            seconds_used REAL NOT NULL,
            timed_out INTEGER NOT NULL,
            seed INTEGER,
            decks TEXT NOT NULL,              -- JSON list of deck ids
            predicted_score REAL,             -- readiness estimate when the exam started
            predicted_pass REAL,
            recorded INTEGER NOT NULL         -- 1 if answers moved the schedule (--record)
        );
        CREATE TABLE exam_question (
            exam_id TEXT NOT NULL REFERENCES exam (exam_id),
            position INTEGER NOT NULL,
            deck_id TEXT NOT NULL,
            card_id TEXT NOT NULL,
            kind TEXT NOT NULL,
            level TEXT,
            prompt TEXT NOT NULL,
            answer_given TEXT,                -- NULL when unanswered
            right_answer TEXT NOT NULL,
            correct INTEGER NOT NULL,
            flagged INTEGER NOT NULL,
            PRIMARY KEY (exam_id, position)
        );
        """
    )


@migrations()
def m003_exam_abandoned(db: Database) -> None:
    # An exam stopped with Ctrl-C keeps the answers given so far.
    db.execute("ALTER TABLE exam ADD COLUMN abandoned INTEGER NOT NULL DEFAULT 0")


NAMES = [m.name for m in migrations._migrations]
