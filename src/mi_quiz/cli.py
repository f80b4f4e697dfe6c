"""The command line: parse options, call the core, render. Nothing else lives here."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import List, Optional

import typer

from mi_quiz import __version__

app = typer.Typer(
    help="Exam prep for motivational-interviewing topics: spaced-repetition drills, mock exams, readiness.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

DecksOption = typer.Option(None, "--decks", help="Another deck folder or file (repeatable).", metavar="PATH")
DbOption = typer.Option(None, "--db", help="The SQLite database (default: user data dir; or MI_QUIZ_DB).", metavar="PATH")


class UsageFailure(Exception):
    """A bad option or argument: one line on stderr, exit status 2."""


def fail(message: str, code: int = 2) -> None:
    typer.echo(f"mi-quiz: {message}", err=True)
    raise typer.Exit(code)


def _check_paths(option: str, given: Optional[List[str]]) -> List[str]:
    for entry in given or []:
        if not Path(entry).expanduser().exists():
            raise UsageFailure(f"{option}: no such file or folder: {entry}")
    return list(given or [])


def _version(value: bool) -> None:
    if value:
        typer.echo(f"mi-quiz {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Show the version and exit."),
) -> None:
    pass


def _load(decks: Optional[List[str]], quiet: bool = False):
    """Load every deck on the search path; broken decks are skipped with a warning."""
    from mi_quiz import library

    places = library.search_path(_check_paths("--decks", decks))
    loaded = library.load_library(places)
    if not quiet:
        for path in loaded.skipped:
            first = next((p for p in loaded.problems if p.path == path and p.severity == "error"), None)
            count = sum(1 for p in loaded.problems if p.path == path and p.severity == "error")
            more = f" (and {count - 1} more; run mi-quiz validate)" if count > 1 else ""
            typer.echo(f"warning: skipped deck {first or path}{more}", err=True)
    return loaded


@app.command()
def decks(
    decks: Optional[List[str]] = DecksOption,
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """List the decks found, with their cards by type and where each came from."""
    loaded = _load(decks)
    if as_json:
        rows = [
            {"id": d.id, "title": d.title, "cards": len(d.cards), "types": d.types, "domain": d.domain,
             "weight": d.weight, "origin": d.origin, "path": d.path}
            for d in loaded.decks
        ]
        typer.echo(json.dumps(rows, indent=2))
        return
    from mi_quiz import terminal

    terminal.show_decks(loaded.decks)


@app.command()
def validate(
    paths: Optional[List[str]] = typer.Argument(None, help="Deck files or folders (default: every deck on the search path).", metavar="[PATH]..."),
    decks: Optional[List[str]] = DecksOption,
    output: str = typer.Option("text", "--format", help="text or json."),
) -> None:
    """Check deck files and report every problem as FILE:LINE:COL: message."""
    from mi_quiz import library

    if output not in ("text", "json"):
        raise UsageFailure(f"--format: use text or json, not '{output}'")
    if paths:
        places = [(Path(p), "argument") for p in _check_paths("PATH", paths)]
    else:
        places = library.search_path(_check_paths("--decks", decks))
    files = library.deck_files(places)
    loaded = library.load_library(places, use_cache=False)
    errors = [p for p in loaded.problems if p.severity == "error"]
    warnings = [p for p in loaded.problems if p.severity == "warning"]
    if output == "json":
        typer.echo(json.dumps({
            "files": len(files), "decks": len(loaded.decks), "cards": len(loaded.cards()),
            "errors": len(errors), "warnings": len(warnings),
            "problems": [
                {"path": p.path, "line": p.line, "column": p.column, "severity": p.severity, "message": p.message}
                for p in loaded.problems
            ],
        }, indent=2))
    else:
        for problem in loaded.problems:
            typer.echo(str(problem))
        typer.echo(
            f"{len(files)} file(s), {len(loaded.decks)} deck(s), {len(loaded.cards())} card(s): "
            f"{len(errors)} error(s), {len(warnings)} warning(s)"
        )
    raise typer.Exit(1 if errors else 0)


@app.command()
def schema(path_only: bool = typer.Option(False, "--path", help="Print only the schema file's path.")) -> None:
    """Print the deck JSON Schema (for yaml-language-server), or its path."""
    from mi_quiz import paths

    if path_only:
        typer.echo(str(paths.schema_path()))
    else:
        typer.echo(paths.schema_path().read_text(encoding="utf-8"), nl=False)


def main() -> None:
    try:
        app(prog_name="mi-quiz")
    except UsageFailure as failure:
        typer.echo(f"mi-quiz: error: {failure}", err=True)
        sys.exit(2)
    except KeyboardInterrupt:
        typer.echo("", err=True)
        sys.exit(130)
    except Exception as error:  # last resort: a one-line report instead of a traceback
        if os.environ.get("MI_QUIZ_DEBUG"):
            raise
        typer.echo(f"mi-quiz: internal error: {type(error).__name__}: {error} (set MI_QUIZ_DEBUG=1 for details)", err=True)
        sys.exit(70)
