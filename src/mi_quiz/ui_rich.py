"""The interactive terminal: rich panels and single-key answers."""

from __future__ import annotations

import sys
import time

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from mi_quiz.grading import Grade
from mi_quiz.schedule import RATING_NAMES, describe_interval
from mi_quiz.study import Question, Response, Review
from mi_quiz.ui_lines import LETTERS, feedback_lines, progress_line

COLOURS = {1: "red", 2: "yellow", 3: "green", 4: "cyan"}


def _options(choices: tuple[str, ...], kind: str) -> Table:
    """Options in a grid, so a wrapped option stays indented under its letter."""
    grid = Table.grid(padding=(0, 1))
    grid.add_column(justify="right", style="bold", no_wrap=True)
    grid.add_column()
    rows = list(zip(LETTERS, choices)) if kind == "mcq" else [("t", "true"), ("f", "false")] if kind == "truefalse" else []
    for letter, text in rows:
        grid.add_row(f"  {letter}", text)
    return grid


class Keys:
    """Single keys for a whole session. The terminal stays in cbreak mode from
    start to end, so a key pressed while a panel is still drawing is neither
    echoed nor lost; typed answers switch back to line input for a moment."""

    def __init__(self) -> None:
        self.saved = None

    def __enter__(self) -> "Keys":
        try:
            import termios
            import tty
        except ImportError:  # Windows: msvcrt reads single keys without a mode
            return self
        self.saved = termios.tcgetattr(sys.stdin.fileno())
        tty.setcbreak(sys.stdin.fileno())
        return self

    def __exit__(self, *exc) -> None:
        if self.saved is not None:
            import termios

            termios.tcsetattr(sys.stdin.fileno(), termios.TCSADRAIN, self.saved)
            self.saved = None

    def key(self) -> str:
        if self.saved is None:
            try:
                import msvcrt
            except ImportError:
                key = sys.stdin.read(1)
            else:
                key = msvcrt.getwch()
        else:
            key = sys.stdin.read(1)
        if key == "\x03":
            raise KeyboardInterrupt
        if key in ("\x04", ""):  # Ctrl-D or end of input
            return "q"
        return key

    def line(self, prompt: str) -> str:
        if self.saved is None:
            return input(prompt)
        import termios
        import tty

        fd = sys.stdin.fileno()
        termios.tcsetattr(fd, termios.TCSADRAIN, self.saved)
        try:
            return input(prompt)
        finally:
            tty.setcbreak(fd)


class RichStudyUI:
    def __init__(self, console: Console | None = None) -> None:
        self.console = console or Console(highlight=False)
        self.keys = Keys()

    def __enter__(self) -> "RichStudyUI":
        self.keys.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        self.keys.__exit__(*exc)

    def _panel(self, question: Question, body) -> Panel:
        card = question.card
        return Panel(
            body, title=Text(card.deck_id, style="bold"), title_align="left",
            subtitle=progress_line(question).split(" · ", 1)[-1] if self.console.width >= 70 else None,
            border_style="blue",
        )

    def ask(self, question: Question) -> Response:
        card = question.card
        left = question.remaining
        status = f"{question.position} of {question.total} · {left.get('new', 0)} new · {left.get('learning', 0)} learning · {left.get('review', 0)} due"
        parts = [Text(status + (" · new card" if question.is_new else ""), style="dim")]
        if question.changed:
            parts.append(Text("This card's answer changed since you last saw it.", style="yellow"))
        parts.append(Text(card.prompt, style="bold"))
        parts.append(_options(question.choices, card.kind))
        self.console.print()
        self.console.print(self._panel(question, Group(*parts)))
        started = time.monotonic()
        response = self._read_answer(question)
        return Response(response.action, response.value, response.mark, int((time.monotonic() - started) * 1000))

    def _read_answer(self, question: Question) -> Response:
        card = question.card
        if card.kind == "typed":
            self.console.print("Type your answer (empty line: stop; u: undo)")
            line = self.keys.line("> ").strip()
            if not line:
                return Response("quit")
            if line.lower() in ("u", "undo"):
                return Response("undo")
            return Response("answer", line)
        if card.kind in ("basic", "cloze"):
            self.console.print("[dim]space: show answer · u: undo · q: stop[/dim]")
            while True:
                key = self.keys.key().lower()
                if key in ("q", "\x1b"):
                    return Response("quit")
                if key == "u":
                    return Response("undo")
                if key in (" ", "\n", "\r"):
                    break
            self.console.print(Panel(Text(card.answer, style="bold green"), title="answer", title_align="left"))
            self.console.print(self._rating_text(question))
            while True:
                key = self.keys.key().lower()
                if key in ("1", "2", "3", "4"):
                    return Response("answer", int(key))
                if key in (" ", "\n", "\r"):
                    return Response("answer", 3)
                if key == "u":
                    return Response("undo")
                if key in ("q", "\x1b"):
                    return Response("quit")
        count = len(question.choices)
        self.console.print(
            f"[dim]{'t/f' if card.kind == 'truefalse' else 'a-' + LETTERS[count - 1]}: answer · u: undo · q: stop[/dim]"
        )
        while True:
            key = self.keys.key().lower()
            if key == "q" or key == "\x1b":
                return Response("quit")
            if key == "u":
                return Response("undo")
            if card.kind == "truefalse" and key in ("t", "f"):
                return Response("answer", key == "t")
            if card.kind == "mcq" and key in LETTERS[:count]:
                return Response("answer", LETTERS.index(key))
            if card.kind == "mcq" and key.isdigit() and 1 <= int(key) <= count:
                return Response("answer", int(key) - 1)

    def _rating_text(self, question: Question) -> Text:
        text = Text()
        for rating, interval in question.previews.items():
            text.append(f" {rating} ", style=f"bold {COLOURS[rating]}")
            text.append(f"{RATING_NAMES[rating].capitalize()} · {describe_interval(interval)}  ")
        return text

    def feedback(self, question: Question, grade: Grade, review: Review) -> str | None:
        card = question.card
        lines = feedback_lines(question, grade, review)
        if card.kind not in ("basic", "cloze"):
            style = "green" if grade.correct else "red"
            self.console.print(Panel(Text("\n".join(lines)), border_style=style, title="right" if grade.correct else "wrong", title_align="left"))
            options = "enter: next · g: I guessed · e: easy · u: undo · q: stop" if grade.correct else "enter: next · u: undo · q: stop"
        else:
            if lines:
                self.console.print(Text("\n".join(lines), style="dim"))
            return None
        self.console.print(f"[dim]{options}[/dim]")
        while True:
            key = self.keys.key().lower()
            if key in ("\n", "\r", " "):
                return None
            if key == "g" and grade.correct:
                return "guess"
            if key == "e" and grade.correct:
                return "easy"
            if key == "u":
                return "undo"
            if key in ("q", "\x1b"):
                return "quit"

    def notice(self, text: str) -> None:
        self.console.print(Text(text, style="yellow"))


class RichExamUI:
    """Exam screens: a panel per question, answers confirmed with Enter (so a
    stray key never answers a timed question)."""

    def __init__(self, console: Console | None = None) -> None:
        self.console = console or Console(highlight=False)

    def ask(self, prompt):
        from mi_quiz.exam import ExamAction
        from mi_quiz.ui_lines import exam_header, parse_exam_line

        question = prompt.question
        parts = [Text(question.card.prompt, style="bold"), _options(question.choices, question.card.kind)]
        self.console.print()
        self.console.print(Panel(Group(*parts), title=exam_header(prompt), title_align="left", border_style="blue"))
        self.console.print("[dim]answer + Enter · s: skip · add * to flag · empty line: submit the exam[/dim]")
        while True:
            line = input("> ")
            if not line.strip():
                return ExamAction("submit")
            parsed = parse_exam_line(prompt, line)
            if not isinstance(parsed, str):
                return parsed
            self.console.print(Text(parsed, style="yellow"))

    def review_menu(self, unanswered, flagged, time_left) -> bool:
        from mi_quiz.ui_lines import clock_text

        if unanswered:
            self.console.print(Text(f"Unanswered: {', '.join(map(str, unanswered))}"))
        if flagged:
            self.console.print(Text(f"Flagged: {', '.join(map(str, flagged))}"))
        if time_left is not None:
            self.console.print(clock_text(time_left))
        return input("Go back to them? (y = yes; Enter = submit) ").strip().lower() in ("y", "yes")

    def notice(self, text: str) -> None:
        self.console.print(Text(text, style="yellow"))
