"""Line-by-line study and exam screens, for piped stdin: plain text, no control
codes, one answer per line. Never imports rich, so scripted runs start fast."""

from __future__ import annotations

import sys
import time
from typing import IO

from mi_quiz.grading import Grade
from mi_quiz.schedule import RATING_NAMES, describe_interval
from mi_quiz.study import Question, Response, Review

LETTERS = "abcde"
RATING_WORDS = {name: rating for rating, name in RATING_NAMES.items()}
TRUE_WORDS = {"true": True, "t": True, "false": False, "f": False}
MARKS = {"?": "guess", "!": "easy"}


def progress_line(question: Question) -> str:
    left = question.remaining
    state = "new" if question.is_new else question.mode
    return (
        f"[{question.position}/{question.total}] {question.card.deck_id} · {state} · "
        f"left: {left.get('new', 0)} new, {left.get('learning', 0)} learning, {left.get('review', 0)} review"
    )


def rating_line(previews: dict) -> str:
    return "   ".join(
        f"{rating} {RATING_NAMES[rating].capitalize()} · {describe_interval(interval)}"
        for rating, interval in previews.items()
    ) or "1 Again   2 Hard   3 Good   4 Easy"


def split_mark(text: str) -> tuple[str, str | None]:
    text = text.strip()
    if len(text) > 1 and text[-1] in MARKS:
        return text[:-1].strip(), MARKS[text[-1]]
    return text, None


def parse_choice(text: str, count: int) -> int | None:
    text = text.strip().lower().rstrip(").")
    if len(text) == 1 and text in LETTERS[:count]:
        return LETTERS.index(text)
    if text.isdigit() and 1 <= int(text) <= count:
        return int(text) - 1
    return None


def parse_rating(text: str) -> int | None:
    text = text.strip().lower()
    if text in ("1", "2", "3", "4"):
        return int(text)
    return RATING_WORDS.get(text)


def parse_answer(question: Question, line: str) -> Response | str:
    """A Response, or the message to show when the line is not a valid answer."""
    kind = question.card.kind
    if line.strip().lower() in ("u", "undo"):
        return Response("undo")
    if kind in ("basic", "cloze"):
        rating = parse_rating(line)
        return Response("answer", rating) if rating else "Rate 1-4 (again, hard, good, easy), or u to undo."
    text, mark = split_mark(line)
    if kind == "mcq":
        index = parse_choice(text, len(question.choices))
        last = LETTERS[len(question.choices) - 1]
        return Response("answer", index, mark) if index is not None else f"Answer with a letter a-{last} (add ? if you guessed)."
    if kind == "truefalse":
        value = TRUE_WORDS.get(text.lower())
        return Response("answer", value, mark) if value is not None else "Answer true or false (t/f)."
    return Response("answer", text, mark) if text else "Type an answer."


def feedback_lines(question: Question, grade: Grade, review: Review) -> list[str]:
    card = question.card
    lines = []
    if card.kind in ("basic", "cloze"):
        pass
    elif grade.close_enough:
        lines.append(f"Close enough (a typo): you typed '{grade.given.strip()}', the answer is '{card.answer}'.")
        lines.append(f"Difference: {grade.diff}   ([-x-] typed but not in the answer, {{+x+}} missing)")
    elif grade.correct:
        lines.append("Right.")
    else:
        lines.append(f"Wrong. You answered: {grade.given}")
        lines.append(f"Answer: {card.answer}")
    if review.state_after is not None and review.state_after.due is not None:
        lines.append(f"Next review in {describe_interval(review.state_after.due - review.reviewed_at)}.")
    if card.explanation and (not grade.correct or card.kind in ("basic", "cloze", "typed")):
        lines.append(f"Why: {card.explanation}")
    if card.source and not grade.correct:
        lines.append(f"Source: {card.source}")
    return lines


class LineStudyUI:
    def __init__(self, reader: IO[str] | None = None, writer: IO[str] | None = None) -> None:
        self.reader = reader or sys.stdin
        self.writer = writer or sys.stdout

    def __enter__(self) -> "LineStudyUI":
        return self

    def __exit__(self, *exc) -> None:
        pass

    def say(self, text: str = "") -> None:
        self.writer.write(text + "\n")
        self.writer.flush()

    def read(self, prompt: str) -> str | None:
        self.writer.write(prompt)
        self.writer.flush()
        line = self.reader.readline()
        if not line:
            self.say()
            return None
        line = line.rstrip("\r\n")
        self.say(line)  # piped input is not echoed: show it so the transcript reads well
        return line

    def show_question(self, question: Question) -> None:
        card = question.card
        self.say()
        self.say(progress_line(question))
        if question.changed:
            self.say("Note: this card's answer changed since you last saw it.")
        self.say(card.prompt)
        for letter, choice in zip(LETTERS, question.choices):
            self.say(f"  {letter}) {choice}")
        if card.kind in ("basic", "cloze"):
            self.say(f"Answer: {card.answer}")
            self.say(rating_line(question.previews))

    def ask(self, question: Question) -> Response:
        self.show_question(question)
        started = time.monotonic()
        prompt = {"basic": "rating> ", "cloze": "rating> ", "typed": "answer> "}.get(question.card.kind, "answer> ")
        while True:
            line = self.read(prompt)
            if line is None or not line.strip():
                return Response("quit")
            parsed = parse_answer(question, line)
            if isinstance(parsed, Response):
                return Response(parsed.action, parsed.value, parsed.mark, int((time.monotonic() - started) * 1000))
            self.say(parsed)

    def feedback(self, question: Question, grade: Grade, review: Review) -> str | None:
        for line in feedback_lines(question, grade, review):
            self.say(line)
        return None

    def notice(self, text: str) -> None:
        self.say(text)


def summary_lines(summary, outlook, now, tz) -> list[str]:
    """The end-of-session report, as plain lines (the rich UI boxes the same lines)."""
    lines = []
    if summary.reviewed:
        minutes, seconds = divmod(round(summary.seconds), 60)
        accuracy = f"{summary.accuracy:.0%}" if summary.accuracy is not None else "-"
        lines.append(f"Reviewed {summary.reviewed} card(s) in {minutes}m {seconds:02d}s; right {summary.correct} of {summary.graded} ({accuracy}).")
        if summary.new_seen:
            lines.append(f"New cards seen: {summary.new_seen}.")
    else:
        lines.append("Nothing was reviewed this time.")
    lines.append(f"Study streak: {outlook.streak} day(s).")
    lines.append(f"Due tomorrow: {outlook.due_tomorrow} card(s).")
    if outlook.next_due is not None:
        lines.append(f"Next card due: {outlook.next_due.astimezone(tz):%Y-%m-%d %H:%M}.")
    lines.append(f"New cards left: {outlook.new_left} ({outlook.new_today_left} more allowed today).")
    return lines


# -- mock exams ---------------------------------------------------------------------


def clock_text(left) -> str:
    seconds = max(0, int(left.total_seconds()))
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d} left"


def exam_header(prompt) -> str:
    question = prompt.question
    parts = [f"[{question.position}/{prompt.total}] {question.card.deck_id}"]
    if prompt.time_left is not None:
        parts.append(clock_text(prompt.time_left))
    if prompt.answer.flagged:
        parts.append("flagged")
    if prompt.answer.value is not None:
        parts.append("answered")
    return " · ".join(parts)


def parse_exam_line(prompt, line: str):
    """An ExamAction, or the message to show when the line is not valid."""
    from mi_quiz.exam import ExamAction

    text = line.strip()
    if text.lower() in ("s", "skip", "-"):
        return ExamAction("skip")
    flag = text.endswith("*")
    text = text.rstrip("*").strip()
    if flag and not text:
        return ExamAction("flag")
    card = prompt.question.card
    if card.kind == "mcq":
        index = parse_choice(text, len(prompt.question.choices))
        if index is None:
            return f"Answer with a letter a-{LETTERS[len(prompt.question.choices) - 1]}; s to skip; add * to flag."
        value = index
    elif card.kind == "truefalse":
        value = TRUE_WORDS.get(text.lower())
        if value is None:
            return "Answer true or false (t/f); s to skip; add * to flag."
    else:
        value = text
    return ExamAction("flag" if flag else "answer", value)


class LineExamUI(LineStudyUI):
    def show_exam_question(self, prompt) -> None:
        self.say()
        self.say(exam_header(prompt))
        self.say(prompt.question.card.prompt)
        for letter, choice in zip(LETTERS, prompt.question.choices):
            self.say(f"  {letter}) {choice}")

    def ask(self, prompt):
        from mi_quiz.exam import ExamAction

        self.show_exam_question(prompt)
        while True:
            line = self.read("answer> ")
            if line is None or not line.strip():
                return ExamAction("submit")
            parsed = parse_exam_line(prompt, line)
            if not isinstance(parsed, str):
                return parsed
            self.say(parsed)

    def review_menu(self, unanswered, flagged, time_left) -> bool:
        self.say()
        if unanswered:
            self.say("Unanswered: " + ", ".join(map(str, unanswered)))
        if flagged:
            self.say("Flagged: " + ", ".join(map(str, flagged)))
        if time_left is not None:
            self.say(clock_text(time_left))
        line = self.read("Go back to them? (y = yes; n or empty = submit) ")
        return bool(line) and line.strip().lower() in ("y", "yes")


def percent(right: int, total: int) -> str:
    return f"{right}/{total} ({100 * right / total:.0f}%)" if total else "0/0"


def report_lines(result, estimate=None) -> list[str]:
    report = result.report
    used = int((result.finished - result.started).total_seconds())
    lines = [
        f"Score: {report.correct}/{report.total} ({report.percent:.1f}%): "
        f"{'PASS' if report.passed else 'FAIL'} (pass mark {result.pass_percent:g}%: {report.needed} right needed)",
        f"Answered: {report.answered} of {report.total}."
        + (" Time ran out." if result.timed_out else ""),
        f"Time used: {used // 60}m {used % 60:02d}s"
        + (f" of {int(result.time_limit.total_seconds() // 60)}m" if result.time_limit else ""),
        "By deck: " + "; ".join(f"{deck} {percent(*tally)}" for deck, tally in report.by_deck.items()),
        "By level: " + "; ".join(f"{level} {percent(*tally)}" for level, tally in report.by_level.items()),
    ]
    if estimate is not None:
        lines.append(
            f"Predicted before this exam: {100 * estimate.predicted:.0f}% score, "
            f"{100 * estimate.pass_probability:.0f}% chance to pass."
        )
    if report.missed:
        lines += ["", "Missed questions:"]
        for missed in report.missed:
            card = missed.question.card
            lines.append(f"{missed.question.position}. [{card.deck_id}/{card.card_id}] {card.prompt}")
            lines.append(f"   You answered: {missed.given if missed.given is not None else '(not answered)'}")
            lines.append(f"   Right answer: {card.answer}")
            if card.explanation:
                lines.append(f"   Why: {card.explanation}")
            if card.source:
                lines.append(f"   Source: {card.source}")
    return lines


def readiness_lines(estimate, plan=None, calibration=None) -> list[str]:
    lines = [
        f"Predicted score: {100 * estimate.predicted:.0f}%. Chance to pass a {estimate.questions}-question exam "
        f"at {estimate.pass_percent:g}%: {100 * estimate.pass_probability:.0f}%."
    ]
    for deck in estimate.decks:
        lines.append(f"  {deck.deck_id}: {100 * deck.predicted:.0f}% predicted ({deck.seen} of {deck.questions} exam-style questions studied)")
    if plan is not None:
        if plan.days_left < 0:
            lines.append(f"Exam date {plan.exam_date} has passed; set a new one with mi-quiz config exam_date YYYY-MM-DD.")
        elif plan.on_track:
            lines.append(f"Exam on {plan.exam_date} ({plan.days_left} day(s) left): at {plan.new_per_day} new a day, every card is introduced by {plan.introduced_by}.")
        else:
            lines.append(
                f"Exam on {plan.exam_date} ({plan.days_left} day(s) left): at {plan.new_per_day} new a day, "
                f"{plan.unseen} unseen cards will not all be introduced in time; "
                f"{plan.needed_per_day} new a day would (mi-quiz config new_per_day {plan.needed_per_day})."
            )
    for row in calibration or []:
        lines.append(row)
    return lines
