"""The SQLite store: migrations from an older schema, backups, two writers."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timezone

import pytest
from sqlite_utils import Database

from mi_quiz import migrations
from mi_quiz.schedule import GOOD, NEW_CARD, Scheduler
from mi_quiz.store import MIGRATION_NAMES, Store, StoreError
from mi_quiz.study import Review

WHEN = datetime(2026, 3, 2, 15, 0, tzinfo=timezone.utc)


def a_review(review_id: str, card_id: str = "c") -> Review:
    after = Scheduler(fuzz=False).review(NEW_CARD, GOOD, WHEN, 1)
    return Review(review_id, "d", card_id, WHEN, GOOD, "x", True, 900, "study", "h" * 16, True, 0, 1, after)


def test_migration_names_match():
    assert list(MIGRATION_NAMES) == migrations.NAMES


def test_upgrade_from_first_schema_keeps_data_and_writes_backup(tmp_path):
    path = tmp_path / "old.db"
    old = Database(str(path))
    migrations.migrations.apply(old, stop_before="m002_exams")
    old["review_log"].insert({
        "review_id": "r1", "deck_id": "d", "card_id": "c", "reviewed_at": WHEN.isoformat(), "rating": 3,
        "answer": "x", "correct": 1, "duration_ms": 10, "mode": "study", "content_hash": "h",
        "schedules": 1, "state_before": 0, "seed": 1,
    })
    old.conn.close()
    store = Store.open(path)
    assert store.applied_migrations() == list(MIGRATION_NAMES)
    assert store.backup is not None and store.backup.exists()
    backup = sqlite3.connect(store.backup)
    assert backup.execute("SELECT review_id FROM review_log").fetchall() == [("r1",)]
    assert "exam" not in {r[0] for r in backup.execute("SELECT name FROM sqlite_master")}
    assert store.db.execute("SELECT review_id, exam_id FROM review_log").fetchall() == [("r1", None)]
    assert store.exams() == []


def test_new_database_needs_no_backup(tmp_path):
    store = Store.open(tmp_path / "new.db")
    assert store.backup is None
    assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_newer_database_is_refused(tmp_path):
    path = tmp_path / "future.db"
    Store.open(path).close()
    sqlite3.connect(path).execute(
        "INSERT INTO _sqlite_migrations (migration_set, name, applied_at) VALUES ('mi_quiz', 'm999_future', 'x')"
    ).connection.commit()
    with pytest.raises(StoreError, match="newer mi-quiz"):
        Store.open(path)


def test_not_a_database_is_a_clear_error(tmp_path):
    path = tmp_path / "junk.db"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match="not a usable mi-quiz database"):
        Store.open(path)


def test_two_connections_write_in_turn(tmp_path):
    path = tmp_path / "shared.db"
    first, second = Store.open(path), Store.open(path)
    first.record(a_review("r1", "one"))
    second.record(a_review("r2", "two"))
    first.record(a_review("r3", "three"))
    assert first.review_count() == 3 and second.review_count() == 3
    assert set(second.states()[0]) == {("d", "one"), ("d", "two"), ("d", "three")}
