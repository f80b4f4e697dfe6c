"""Whatever bytes a deck file holds, reading it reports problems and never
raises: a deck author never sees a traceback."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import SMALL_DECK
from mi_quiz.deckfile import parse_deck

TOKENS = ["id:", "title:", "cards:", "- ", "  ", "\n", "type:", "mcq", "cloze", "prompt:", "answer:", "choices:",
          "[", "]", "{", "}", ",", ":", "&a", "*a", "<<:", "'", '"', "#", "{{c1::", "}}", "\t", "---", "no", "1.0",
          "exam:", "weight:", "level:", "tags:", "accept:", "\r\n", "\ufeff", "|", ">"]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(TOKENS), max_size=60))
def test_token_soup_never_raises(tokens):
    deck, problems = parse_deck("".join(tokens).encode("utf-8"), "soup.yaml")
    assert deck is not None or problems
    assert all(p.message for p in problems)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=400))
def test_random_bytes_never_raise(data):
    deck, problems = parse_deck(data, "bytes.yaml")
    assert deck is not None or problems


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=0, max_value=len(SMALL_DECK)), st.text(max_size=8))
def test_edits_of_a_good_deck_never_raise(position, insert):
    text = SMALL_DECK[:position] + insert + SMALL_DECK[position:]
    deck, problems = parse_deck(text.encode("utf-8", "surrogatepass"), "edited.yaml")
    assert deck is not None or problems
