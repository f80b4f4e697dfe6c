"""The published JSON Schema agrees with the validator on real decks."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from mi_quiz import paths

DECKS = sorted((Path(__file__).resolve().parent.parent / "decks").glob("*.yaml"))


@pytest.fixture(scope="module")
def validator():
    schema = json.loads(paths.schema_path().read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


@pytest.mark.parametrize("path", DECKS, ids=[p.stem for p in DECKS])
def test_shipped_decks_match_the_schema(validator, path):
    # BaseLoader keeps every scalar a string, as mi-quiz reads them.
    document = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.BaseLoader)
    assert list(validator.iter_errors(document)) == []


def test_schema_rejects_typos_and_missing_answers(validator):
    bad = {"id": "d", "title": "T", "cards": [
        {"id": "a", "type": "basic", "prompt": "P", "answer": "A", "explaination": "x"},
        {"id": "b", "type": "mcq", "prompt": "P", "answer": "A"},
        {"id": "c", "type": "cloze", "prompt": "{{c1::x}}", "answer": "x"},
    ]}
    errors = list(validator.iter_errors(bad))
    paths_hit = {tuple(e.absolute_path) for e in errors}
    assert ("cards", 0) in paths_hit and ("cards", 1) in paths_hit and ("cards", 2) in paths_hit
