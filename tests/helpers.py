"""Test doubles for the study and exam loops: a clock we move by hand and a UI
that answers from a script."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from mi_quiz.study import Response

START = datetime(2026, 3, 2, 15, 0, tzinfo=timezone.utc)  # a Monday, 15:00 UTC


class Clock:
    def __init__(self, start: datetime = START, step: timedelta = timedelta(seconds=0)) -> None:
        self.now = start
        self.step = step  # added after every reading: time spent answering

    def __call__(self) -> datetime:
        current = self.now
        self.now = self.now + self.step
        return current

    def advance(self, **kwargs) -> None:
        self.now += timedelta(**kwargs)


class ScriptedUI:
    """Answers each question with the next scripted callable(question) -> Response."""

    def __init__(self, script, follow=None) -> None:
        self.script = list(script)
        self.follow = list(follow or [])
        self.asked = []
        self.grades = []
        self.notices = []

    def ask(self, question):
        if not self.script:
            return Response("quit")
        self.asked.append(question)
        return self.script.pop(0)(question)

    def feedback(self, question, grade, review):
        self.grades.append((question.card.card_id, grade, review))
        return self.follow.pop(0) if self.follow else None

    def notice(self, text):
        self.notices.append(text)


def right(question):
    card = question.card
    if card.kind == "mcq":
        return Response("answer", question.choices.index(card.answer))
    if card.kind == "truefalse":
        return Response("answer", card.answer == "true")
    if card.kind == "typed":
        return Response("answer", card.answer)
    return Response("answer", 3)


def wrong(question):
    card = question.card
    if card.kind == "mcq":
        return Response("answer", next(i for i, c in enumerate(question.choices) if c != card.answer))
    if card.kind == "truefalse":
        return Response("answer", card.answer != "true")
    if card.kind == "typed":
        return Response("answer", "something else entirely")
    return Response("answer", 1)


def rate(value):
    return lambda question: Response("answer", value)


def undo(question):
    return Response("undo")
