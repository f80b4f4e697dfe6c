"""config, ready and decks through the CLI (Typer's runner, temporary folders)."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from conftest import SMALL_DECK, write
from mi_quiz.cli import app

runner = CliRunner()


def test_config_shows_sets_and_refuses_bad_values(isolated_dirs):
    shown = runner.invoke(app, ["config"])
    assert shown.exit_code == 0 and "new_per_day = 20" in shown.stdout
    assert runner.invoke(app, ["config", "new_per_day", "35"]).exit_code == 0
    assert runner.invoke(app, ["config", "new_per_day"]).stdout.strip() == "35"
    saved = json.loads((isolated_dirs / "config" / "config.json").read_text())
    assert saved["new_per_day"] == 35
    for key, value in [("new_per_day", "100000"), ("desired_retention", "1.5"), ("exam_date", "next week"), ("fuzz", "maybe")]:
        result = runner.invoke(app, ["config", key, value])
        assert result.exit_code != 0, (key, value)
        assert key in str(result.exception)
    assert json.loads((isolated_dirs / "config" / "config.json").read_text())["new_per_day"] == 35


def test_broken_config_file_is_a_clear_error(isolated_dirs):
    (isolated_dirs / "config" / "config.json").write_text("{not json")
    result = runner.invoke(app, ["config"])
    assert result.exit_code == 1
    assert "config.json: cannot read settings" in result.output


def test_ready_json_with_exam_date(isolated_dirs, deck_dir):
    write(deck_dir, "small.yaml", SMALL_DECK)
    assert runner.invoke(app, ["config", "exam_date", "2999-01-01"]).exit_code == 0
    result = runner.invoke(app, ["ready", "--decks", str(deck_dir), "--deck", "small", "--questions", "3", "--pass", "60", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    small = next(d for d in report["decks"] if d["deck_id"] == "small")
    # Unseen: mcq 1/4, truefalse 1/2, typed 0.
    assert small["questions"] == 3 and small["seen"] == 0
    assert abs(small["predicted"] - (0.25 + 0.5 + 0.0) / 3) < 1e-9
    assert report["exam_date"]["on_track"] is True and report["exam_date"]["exam_date"] == "2999-01-01"


def test_decks_json_lists_origin(deck_dir):
    write(deck_dir, "small.yaml", SMALL_DECK)
    result = runner.invoke(app, ["decks", "--decks", str(deck_dir), "--json"])
    assert result.exit_code == 0
    listed = {d["id"]: d for d in json.loads(result.stdout)}
    assert listed["small"]["origin"] == "--decks"
    assert listed["small"]["types"] == {"basic": 1, "cloze": 1, "mcq": 1, "truefalse": 1, "typed": 1}
    assert {"partnership", "empowerment", "alliance", "goal-setting"} <= set(listed)
    assert all(d["origin"] == "bundled" for k, d in listed.items() if k != "small")
