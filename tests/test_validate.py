"""`mi-quiz validate` on real files: each YAML pitfall, with its message and line."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from conftest import SMALL_DECK, write
from mi_quiz.cli import app
from mi_quiz.deckfile import read_deck

runner = CliRunner()


def problems_of(path):
    deck, problems = read_deck(str(path))
    return deck, [(p.line, p.severity, p.message) for p in problems]


def card(body: str) -> str:
    return "id: d\ntitle: T\ncards:\n" + body.lstrip("\n")


def test_good_deck_loads_with_every_type(deck_dir):
    deck, problems = problems_of(write(deck_dir, "small.yaml", SMALL_DECK))
    assert problems == []
    assert deck.id == "small" and deck.weight == 2.0
    ids = [c.card_id for c in deck.cards]
    assert ids == ["m1", "t1", "b1", "c1#c1", "c1#c2", "y1"]
    cloze = deck.cards[3]
    assert cloze.prompt == "The processes are engaging, [...], evoking and planning."
    assert cloze.answer == "focusing"
    assert deck.types == {"basic": 1, "cloze": 1, "mcq": 1, "truefalse": 1, "typed": 1}


def test_yaml11_words_stay_text(deck_dir):
    path = write(deck_dir, "d.yaml", card("""
  - id: q
    type: mcq
    prompt: Pick one
    choices: [no, yes, off, 1.0, 12:30]
    answer: off
    explanation: e
    source: s
  - id: t
    type: typed
    prompt: What time?
    answer: 12:30
    explanation: e
    source: s
"""))
    deck, problems = problems_of(path)
    assert problems == []
    assert deck.cards[0].choices == ("no", "yes", "off", "1.0", "12:30")
    assert deck.cards[0].answer == "off"
    assert deck.cards[1].answer == "12:30"


def test_truefalse_yes_is_reported_with_line(deck_dir):
    path = write(deck_dir, "d.yaml", card("""
  - id: t
    type: truefalse
    prompt: MI is confrontational.
    answer: no
    explanation: e
    source: s
"""))
    deck, problems = problems_of(path)
    assert deck is None
    assert problems == [(7, "error", "card 't': a truefalse answer must be true or false, not 'no'")]


def test_duplicate_keys(deck_dir):
    path = write(deck_dir, "d.yaml", card("""
  - id: q
    type: basic
    prompt: First
    prompt: Second
    answer: A
    explanation: e
    source: s
"""))
    _, problems = problems_of(path)
    assert problems == [(7, "error", "duplicate key 'prompt' in the card at line 4 (first at line 6); YAML would silently keep only the last one")]


def test_duplicate_card_ids_and_deck_ids(deck_dir):
    write(deck_dir, "a.yaml", card("""
  - id: q
    type: basic
    prompt: One
    answer: A
    explanation: e
    source: s
  - id: q
    type: basic
    prompt: Two
    answer: B
    explanation: e
    source: s
"""))
    write(deck_dir, "b.yaml", "id: d\ntitle: Again\ncards:\n  - {id: z, type: basic, prompt: P, answer: A, explanation: e, source: s}\n")
    result = runner.invoke(app, ["validate", str(deck_dir)])
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert f"{deck_dir / 'a.yaml'}:10:5: duplicate card id 'q' (first at line 4); progress is keyed by id" in lines
    # a.yaml has an error so it is not loaded; b.yaml alone owns 'd' then.
    assert lines[-1] == "2 file(s), 1 deck(s), 1 card(s): 1 error(s), 0 warning(s)"


def test_duplicate_deck_id_across_files(deck_dir):
    write(deck_dir, "a.yaml", "id: d\ntitle: One\ncards:\n  - {id: z, type: basic, prompt: P, answer: A, explanation: e, source: s}\n")
    write(deck_dir, "b.yaml", "id: d\ntitle: Two\ncards:\n  - {id: z, type: basic, prompt: P, answer: A, explanation: e, source: s}\n")
    result = runner.invoke(app, ["validate", str(deck_dir)])
    assert result.exit_code == 1
    assert f"{deck_dir / 'b.yaml'}:1:1: deck id 'd' is already used by {deck_dir / 'a.yaml'}" in result.stdout


def test_mcq_problems(deck_dir):
    path = write(deck_dir, "d.yaml", card("""
  - id: missing
    type: mcq
    prompt: Q
    choices: [A, B, C]
    answer: D
    explanation: e
    source: s
  - id: dup
    type: mcq
    prompt: Q
    choices: [A, B, a]
    answer: A
    explanation: e
    source: s
  - id: few
    type: mcq
    prompt: Q
    choices: [A, B]
    answer: A
    explanation: e
    source: s
"""))
    _, problems = problems_of(path)
    assert (8, "error", "card 'missing': the answer 'D' is not one of its choices") in problems
    assert (14, "error", "card 'dup': duplicate choice 'a'") in problems
    assert (21, "error", "card 'few': an mcq needs 3 to 5 choices, it has 2") in problems


def test_empty_and_missing_fields_unknown_fields_wrong_types(deck_dir):
    path = write(deck_dir, "d.yaml", card("""
  - id: e1
    type: basic
    prompt: ""
    answer: A
    explaination: typo
    source: s
  - id: e2
    type: typed
    prompt: Q
    explanation: e
    source: s
  - id: e3
    type: basic
    prompt: [not, text]
    answer: A
    tags: solo
    explanation: e
    source: s
"""))
    _, problems = problems_of(path)
    assert (6, "error", "'prompt' in card 'e1' is empty") in problems
    assert (8, "error", "unknown field 'explaination' in the card at line 4; did you mean 'explanation'?") in problems
    assert (10, "error", "card 'e2' has no 'answer'") in problems
    assert (17, "error", "'prompt' in card 'e3' must be text, not a list") in problems
    assert (19, "error", "'tags' in card 'e3' must be a list, not text") in problems


def test_tabs_encoding_empty_and_top_level(deck_dir):
    tabs = write(deck_dir, "tabs.yaml", "id: d\ntitle: T\ncards:\n\t- id: x\n")
    assert problems_of(tabs)[1] == [(4, "error", "tab used for indentation; YAML needs spaces")]
    latin = deck_dir / "latin.yaml"
    latin.write_bytes(b"id: d\ntitle: caf\xe9\n")
    assert problems_of(latin)[1] == [(2, "error", "byte 0xe9 is not UTF-8; save the file as UTF-8")]
    empty = write(deck_dir, "empty.yaml", "# only a comment\n")
    assert problems_of(empty)[1] == [(1, "error", "file is empty: a deck needs id, title and cards")]
    listing = write(deck_dir, "list.yaml", "- id: x\n")
    assert problems_of(listing)[1] == [(1, "error", "the deck must be a mapping (key: value lines), not a list")]


def test_unquoted_colon_hint(deck_dir):
    path = write(deck_dir, "d.yaml", "id: d\ntitle: T\ncards:\n  - id: q\n    type: basic\n    prompt: A client says: I will stop\n    answer: A\n")
    deck, problems = problems_of(path)
    assert deck is None
    line, _, message = problems[0]
    assert line == 6 and "quote" in message


def test_alias_bomb_is_refused_quickly(deck_dir):
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 10):
        prev = chr(ord("a") + i - 1)
        cur = chr(ord("a") + i)
        lines.append(f"{cur}: &{cur} [" + ",".join([f"*{prev}"] * 9) + "]")
    path = write(deck_dir, "bomb.yaml", "\n".join(lines) + "\n")
    deck, problems = problems_of(path)
    assert deck is None
    assert any("aliases" in message for _, _, message in problems)


def test_oversized_file_refused(deck_dir):
    path = deck_dir / "big.yaml"
    path.write_bytes(b"id: d\n" + b"# padding\n" * 300_000)
    deck, problems = problems_of(path)
    assert deck is None
    assert "limited to 2,097,152 bytes" in problems[0][2]


def test_bom_and_crlf_load(deck_dir):
    path = deck_dir / "crlf.yaml"
    text = "\ufeff" + "id: d\r\ntitle: T\r\ncards:\r\n  - id: q\r\n    type: basic\r\n    prompt: P\r\n    answer: A\r\n    explanation: e\r\n    source: s\r\n"
    path.write_bytes(text.encode("utf-8"))
    deck, problems = problems_of(path)
    assert problems == [] and deck.cards[0].answer == "A"


def test_warnings_do_not_fail(deck_dir):
    path = write(deck_dir, "d.yaml", card("""
  - id: w
    type: basic
    prompt: Is empathy the answer here? Name it.
    answer: empathy
  - id: long
    type: mcq
    prompt: Which?
    choices: [Short, Brief, "A very long and careful and fully qualified right answer"]
    answer: A very long and careful and fully qualified right answer
    explanation: e
    source: s
"""))
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 0, result.stdout
    assert f"{path}:6:13: warning: card 'w': the answer 'empathy' appears word for word in the prompt" in result.stdout
    assert f"{path}:4:5: warning: card 'w' has no explanation" in result.stdout
    assert "giveaway" in result.stdout
    assert result.stdout.splitlines()[-1].endswith("0 error(s), 4 warning(s)")


def test_json_format(deck_dir):
    write(deck_dir, "d.yaml", "id: d\ntitle: T\ncards: []\n")
    result = runner.invoke(app, ["validate", "--format", "json", str(deck_dir)])
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["errors"] == 1
    assert report["problems"][0]["line"] == 3
    assert report["problems"][0]["message"] == "'cards' is empty"


def test_missing_path_is_one_line_usage_error(deck_dir):
    from mi_quiz import cli

    result = runner.invoke(app, ["decks", "--decks", str(deck_dir / "nope")])
    assert isinstance(result.exception, cli.UsageFailure)


def test_cloze_without_prompt_is_reported(deck_dir):
    # Found by the property test: a misspelt `prompt` key on a cloze card crashed the reader.
    path = write(deck_dir, "d.yaml", card("""
  - id: c
    type: cloze
    prompt0: The {{c1::four}} processes.
    explanation: e
    source: s
"""))
    deck, problems = problems_of(path)
    assert deck is None
    assert (4, "error", "card 'c' has no 'prompt'") in problems
