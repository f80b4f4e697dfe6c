"""Checking answers. Pure functions: no terminal, no storage."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from mi_quiz.cards import Card
from mi_quiz.schedule import AGAIN, EASY, GOOD, HARD


@dataclass(frozen=True, slots=True)
class Grade:
    correct: bool
    rating: int
    given: str  # what the candidate answered, as text (an mcq's chosen option)
    close_enough: bool = False
    diff: str = ""  # for a close-enough typed answer: where it differed


def normalise(text: str) -> str:
    """Case, accents' composition, punctuation and spacing do not count."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = re.sub(r"[^\w\s]", " ", text)
    return " ".join(text.split())


def _distance(a: str, b: str) -> int:
    """Edits between two strings, a swap of neighbours counting as one (the
    commonest typing slip)."""
    rows = [list(range(len(b) + 1))]
    for i in range(1, len(a) + 1):
        row = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            row[j] = min(rows[i - 1][j] + 1, row[j - 1] + 1, rows[i - 1][j - 1] + (a[i - 1] != b[j - 1]))
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                row[j] = min(row[j], rows[i - 2][j - 2] + 1)
        rows.append(row)
    return rows[-1][-1]


def typo_allowance(answer: str) -> int:
    """One slip for short answers, one more per eight characters after that."""
    length = len(answer)
    if length < 4:
        return 0
    return 1 + (length - 4) // 8


def show_difference(given: str, expected: str) -> str:
    """Mark what differs: [-removed-]{+added+} from the typed answer to the expected one."""
    import difflib

    out = []
    matcher = difflib.SequenceMatcher(a=given, b=expected)
    for op, a0, a1, b0, b1 in matcher.get_opcodes():
        if op == "equal":
            out.append(given[a0:a1])
            continue
        if a1 > a0:
            out.append(f"[-{given[a0:a1]}-]")
        if b1 > b0:
            out.append(f"{{+{expected[b0:b1]}+}}")
    return "".join(out)


def grade_typed(card: Card, given: str) -> Grade:
    wanted = [card.answer, *card.accept]
    typed = normalise(given)
    if any(typed == normalise(option) for option in wanted):
        return Grade(True, GOOD, given)
    best = min(wanted, key=lambda option: _distance(typed, normalise(option)))
    if typed and _distance(typed, normalise(best)) <= typo_allowance(normalise(best)):
        return Grade(True, GOOD, given, close_enough=True, diff=show_difference(given.strip(), best))
    return Grade(False, AGAIN, given)


def grade_choice(card: Card, shown: tuple[str, ...], index: int) -> Grade:
    chosen = shown[index]
    right = chosen == card.answer
    return Grade(right, GOOD if right else AGAIN, chosen)


def grade_truefalse(card: Card, value: bool) -> Grade:
    given = "true" if value else "false"
    right = given == card.answer
    return Grade(right, GOOD if right else AGAIN, given)


def adjust(grade: Grade, mark: str | None) -> Grade:
    """A right answer the candidate marks as a guess counts as Hard; as easy, Easy.

    A wrong answer stays Again whatever the mark: rating a lapse Hard would
    inflate the interval (the FSRS pitfall Anki's manual warns about).
    """
    if not grade.correct or mark is None:
        return grade
    rating = {"guess": HARD, "easy": EASY}[mark]
    return Grade(grade.correct, rating, grade.given, grade.close_enough, grade.diff)
