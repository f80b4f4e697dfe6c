"""Rich rendering for the listing commands (decks, history, readiness).

The interactive study and exam screens live in ui_rich.py; piped sessions in
ui_lines.py, which never imports rich.
"""

from __future__ import annotations

from rich.console import Console
from rich.table import Table
from rich.text import Text

from mi_quiz.cards import Deck

console = Console(highlight=False)


def show_decks(decks: list[Deck]) -> None:
    if not decks:
        console.print("No decks found. Add a folder with --decks PATH or MI_QUIZ_DECKS.")
        return
    if console.width < 100:  # a table of five columns wraps badly: one block per deck
        for deck in decks:
            types = ", ".join(f"{kind} {count}" for kind, count in deck.types.items())
            console.print(Text.assemble((deck.id, "bold"), f"  {deck.title}"))
            console.print(f"  {len(deck.cards)} study cards ({types})", markup=False)
            console.print(f"  {deck.origin}: {deck.path}", overflow="fold", markup=False)
        return
    table = Table(title="Decks", title_justify="left")
    table.add_column("id", no_wrap=True)
    table.add_column("title")
    table.add_column("cards", justify="right")
    table.add_column("by type")
    table.add_column("from")
    for deck in decks:
        types = ", ".join(f"{kind} {count}" for kind, count in deck.types.items())
        cells = (deck.id, deck.title, str(len(deck.cards)), types, f"{deck.origin}: {deck.path}")
        table.add_row(*(Text(cell) for cell in cells))  # deck text is never markup
    console.print(table)


def print_table(title: str, columns: list[str], rows: list[list[str]]) -> None:
    table = Table(title=title, title_justify="left")
    for index, column in enumerate(columns):
        table.add_column(column, justify="left" if index == 0 else "right")
    for row in rows:
        table.add_row(*row)
    console.print(table)


def show_summary(title: str, lines: list[str]) -> None:
    from rich.panel import Panel
    from rich.text import Text

    # Text, not markup: deck content such as "[deck/card]" must print as written.
    console.print(Panel(Text("\n".join(lines)), title=title, title_align="left"))
