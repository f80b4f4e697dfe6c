"""The command line: parse options, call the core, render. Nothing else lives here."""

from __future__ import annotations

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
JsonOption = typer.Option(False, "--json", help="Print JSON.")
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


def _echo_json(value, indent: int = 2, default=None) -> None:
    import json  # only the --json paths pay for it

    typer.echo(json.dumps(value, indent=indent, default=default))


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
    as_json: bool = JsonOption,
) -> None:
    """List the decks found, with their cards by type and where each came from."""
    loaded = _load(decks)
    if as_json:
        rows = [
            {"id": d.id, "title": d.title, "cards": len(d.cards), "types": d.types, "domain": d.domain,
             "weight": d.weight, "origin": d.origin, "path": d.path}
            for d in loaded.decks
        ]
        _echo_json(rows)
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
        _echo_json({
            "files": len(files), "decks": len(loaded.decks), "cards": len(loaded.cards()),
            "errors": len(errors), "warnings": len(warnings),
            "problems": [
                {"path": p.path, "line": p.line, "column": p.column, "severity": p.severity, "message": p.message}
                for p in loaded.problems
            ],
        })
    else:
        for problem in loaded.problems:
            typer.echo(str(problem))
        typer.echo(
            f"{len(files)} file(s), {len(loaded.decks)} deck(s), {len(loaded.cards())} card(s): "
            f"{len(errors)} error(s), {len(warnings)} warning(s)"
        )
    raise typer.Exit(1 if errors else 0)


def _open_store(db: Optional[str]):
    from mi_quiz import paths
    from mi_quiz.store import Store, StoreError

    path = paths.db_path(db)
    if path.is_dir():
        raise UsageFailure(f"--db: {path} is a folder, not a database file")
    try:
        store = Store.open(path)
    except StoreError as error:
        fail(f"error: {error}", 1)
    if store.backup:
        typer.echo(f"Upgraded the database schema; the old one is backed up at {store.backup}", err=True)
    return store


def _settings():
    from mi_quiz import config

    try:
        return config.load()
    except config.ConfigError as error:
        fail(f"error: {error}", 1)


def _clock():
    """The real clock, or a fixed start for scripted runs (MI_QUIZ_NOW, ISO 8601)."""
    import time
    from datetime import datetime, timezone

    fixed = os.environ.get("MI_QUIZ_NOW")
    if not fixed:
        return lambda: datetime.now(timezone.utc)
    try:
        start = datetime.fromisoformat(fixed).astimezone(timezone.utc)
    except ValueError:
        raise UsageFailure(f"MI_QUIZ_NOW: '{fixed}' is not an ISO 8601 time") from None
    origin = time.monotonic()
    from datetime import timedelta

    return lambda: start + timedelta(seconds=time.monotonic() - origin)


def _select(loaded, deck: Optional[List[str]], tag: Optional[List[str]]):
    from mi_quiz.sessions import SelectionError, select_cards

    try:
        return select_cards(loaded, deck, tag)
    except SelectionError as error:
        raise UsageFailure(str(error)) from None


def _interactive() -> bool:
    return sys.stdin.isatty() and sys.stdout.isatty()


DeckFilter = typer.Option(None, "--deck", help="Only this deck id (repeatable).", metavar="ID")
TagFilter = typer.Option(None, "--tag", help="Only cards with this tag or level (repeatable).", metavar="TAG")
SeedOption = typer.Option(None, "--seed", help="Seed the shuffles (reproducible runs).")
QuestionsOption = typer.Option(None, "--questions", min=1, help="Exam length (default: config exam_questions, 50).")
PassOption = typer.Option(None, "--pass", min=1, max=100, help="Pass mark in percent (default: config exam_pass_percent, 70).")


def _exam_shape(settings, questions: Optional[int], pass_percent: Optional[float]) -> tuple[int, float]:
    """Questions and pass mark: the options, else the configured exam."""
    return (questions or settings.exam_questions,
            pass_percent if pass_percent is not None else settings.exam_pass_percent)


@app.command()
def study(
    deck: Optional[List[str]] = DeckFilter,
    tag: Optional[List[str]] = TagFilter,
    new: Optional[int] = typer.Option(None, "--new", min=0, help="New cards for this session (instead of the daily limit)."),
    limit: Optional[int] = typer.Option(None, "--limit", min=0, help="Reviews for this session (instead of the daily limit)."),
    cram: bool = typer.Option(False, "--cram", help="Go through cards ahead of schedule; the schedule is not changed."),
    missed: bool = typer.Option(False, "--missed", help="Study the questions missed in the last mock exam, now."),
    decks: Optional[List[str]] = DecksOption,
    db: Optional[str] = DbOption,
    seed: Optional[int] = SeedOption,
) -> None:
    """Study what is due, plus today's new cards. Every answer is saved at once."""
    import random

    from mi_quiz.sessions import SelectionError, estimate_readiness, missed_in_last_exam, outlook, prepare_study
    from mi_quiz.ui_lines import readiness_lines, summary_lines

    settings = _settings()
    clock = _clock()
    loaded = _load(decks)
    store = _open_store(db)
    tz = clock().astimezone().tzinfo
    cards = None
    if missed:
        cards = missed_in_last_exam(store, _select(loaded, deck, tag))
        if not cards:
            typer.echo("No missed questions from a mock exam to study.")
            return
    try:
        plan = prepare_study(
            store, loaded, settings, clock(), tz, random.Random(seed), clock, deck_ids=deck, tags=tag,
            cards=cards, new=len(cards) if missed else new, limit=limit, cram=cram, everything=missed,
        )
    except SelectionError as error:
        raise UsageFailure(str(error)) from None
    if _interactive():
        from mi_quiz.ui_rich import RichStudyUI

        ui = RichStudyUI()
    else:
        from mi_quiz.ui_lines import LineStudyUI

        ui = LineStudyUI()
    try:
        with ui:
            summary = plan.session.run(ui)
    except (KeyboardInterrupt, EOFError):
        summary = plan.session.summary  # every answer given is already committed
    lines = summary_lines(summary, outlook(store, plan, settings, clock(), tz), clock(), tz)
    estimate = estimate_readiness(store, loaded, _select(loaded, deck, tag), settings, clock(),
                                  settings.exam_questions, settings.exam_pass_percent)
    lines += readiness_lines(estimate)[:1]
    if _interactive():
        from mi_quiz import terminal

        terminal.show_summary("Session summary", lines)
    else:
        typer.echo("\n".join(["", *lines]))
    store.close()


@app.command()
def exam(
    questions: Optional[int] = QuestionsOption,
    minutes: Optional[float] = typer.Option(None, "--time", min=0.1, help="Time limit in minutes; unanswered questions count as wrong."),
    pass_percent: Optional[float] = PassOption,
    deck: Optional[List[str]] = DeckFilter,
    tag: Optional[List[str]] = TagFilter,
    seed: Optional[int] = SeedOption,
    record: bool = typer.Option(False, "--record", help="Let the answers move the spaced-repetition schedule."),
    as_json: bool = JsonOption,
    history: bool = typer.Option(False, "--history", help="List past attempts and their trend instead."),
    decks: Optional[List[str]] = DecksOption,
    db: Optional[str] = DbOption,
) -> None:
    """Sit a mock exam: no feedback until the end, skip and flag, optional timer."""
    import random
    import uuid
    from datetime import timedelta

    from mi_quiz import exam as exams
    from mi_quiz.sessions import estimate_readiness, history_rows, save_exam, weights_for
    from mi_quiz.ui_lines import report_lines

    settings = _settings()
    store = _open_store(db)
    if history:
        rows, trend = history_rows(store)
        if as_json:
            _echo_json(store.exams())
        elif not rows:
            typer.echo("No mock exams yet: mi-quiz exam")
        else:
            from mi_quiz import terminal

            terminal.print_table("Mock exams", ["date", "questions", "score", "result", "predicted", "time"], rows)
            if trend:
                typer.echo(trend)
        return
    clock = _clock()
    loaded = _load(decks)
    cards = _select(loaded, deck, tag)
    count, mark = _exam_shape(settings, questions, pass_percent)
    seed = seed if seed is not None else random.SystemRandom().getrandbits(32)
    rng = random.Random(seed)
    drawn = exams.draw_exam(cards, count, weights_for(loaded, cards), rng)
    if not drawn:
        fail("error: no multiple-choice, true/false or typed questions in the chosen decks", 1)
    if len(drawn) < count:
        typer.echo(f"Only {len(drawn)} exam questions are available; the exam has {len(drawn)}.", err=True)
    estimate = estimate_readiness(store, loaded, cards, settings, clock(), len(drawn), mark)
    if _interactive() and not as_json:
        from mi_quiz.ui_rich import RichExamUI

        ui = RichExamUI()
    else:
        from mi_quiz.ui_lines import LineExamUI

        ui = LineExamUI(writer=sys.stderr if as_json else sys.stdout)
    sitting = exams.ExamSitting(drawn, clock, timedelta(minutes=minutes) if minutes else None, mark)
    exam_id = str(uuid.uuid4())
    try:
        result = sitting.run(ui)
    except (KeyboardInterrupt, EOFError):
        stopped = sitting.stopped()
        save_exam(store, stopped, exam_id, seed, estimate, record, settings, rng, abandoned=True)
        typer.echo(f"\nExam stopped: {stopped.report.answered} answer(s) saved as a stopped attempt "
                   "(mi-quiz exam --history).", err=True)
        raise typer.Exit(130)
    save_exam(store, result, exam_id, seed, estimate, record, settings, rng)
    if as_json:
        report = result.report
        _echo_json({
            "exam_id": exam_id, "seed": seed, "questions": report.total, "answered": report.answered,
            "correct": report.correct, "percent": round(report.percent, 2), "pass_percent": mark,
            "needed": report.needed, "passed": report.passed, "timed_out": result.timed_out,
            "seconds_used": (result.finished - result.started).total_seconds(),
            "by_deck": {k: {"right": v[0], "total": v[1]} for k, v in report.by_deck.items()},
            "by_level": {k: {"right": v[0], "total": v[1]} for k, v in report.by_level.items()},
            "predicted_score": estimate.predicted, "predicted_pass": estimate.pass_probability,
            "missed": [
                {"position": m.question.position, "deck_id": m.question.card.deck_id, "card_id": m.question.card.card_id,
                 "prompt": m.question.card.prompt, "given": m.given, "answer": m.question.card.answer,
                 "explanation": m.question.card.explanation, "source": m.question.card.source}
                for m in report.missed
            ],
        })
        return
    lines = report_lines(result, estimate)
    lines.append("")
    lines.append("Study the missed questions now: mi-quiz study --missed")
    if _interactive():
        from mi_quiz import terminal

        terminal.show_summary("Mock exam", lines)
    else:
        typer.echo("\n".join(["", *lines]))
    store.close()


@app.command()
def ready(
    questions: Optional[int] = QuestionsOption,
    pass_percent: Optional[float] = PassOption,
    deck: Optional[List[str]] = DeckFilter,
    tag: Optional[List[str]] = TagFilter,
    as_json: bool = JsonOption,
    decks: Optional[List[str]] = DecksOption,
    db: Optional[str] = DbOption,
) -> None:
    """Predicted score per deck and the chance of passing, from your own recall."""
    from dataclasses import asdict

    from mi_quiz.sessions import calibration_rows, estimate_readiness, exam_date_plan
    from mi_quiz.ui_lines import readiness_lines

    settings = _settings()
    clock = _clock()
    loaded = _load(decks)
    cards = _select(loaded, deck, tag)
    store = _open_store(db)
    now = clock()
    estimate = estimate_readiness(store, loaded, cards, settings, now, *_exam_shape(settings, questions, pass_percent))
    plan = exam_date_plan(store, cards, settings, now, now.astimezone().tzinfo)
    if as_json:
        payload = asdict(estimate)
        payload["exam_date"] = asdict(plan) if plan else None  # dates print as YYYY-MM-DD (default=str)
        _echo_json(payload, default=str)
        return
    typer.echo("\n".join(readiness_lines(estimate, plan, calibration_rows(store))))
    store.close()


@app.command()
def doctor(
    rebuild: bool = typer.Option(False, "--rebuild", help="Rebuild every card's schedule by replaying the review log."),
    decks: Optional[List[str]] = DecksOption,
    db: Optional[str] = DbOption,
) -> None:
    """Check the database: integrity, review count, progress on cards no deck has any more."""
    from mi_quiz.schedule import Scheduler, replay_log

    settings = _settings()
    store = _open_store(db)
    typer.echo(f"database: {store.path}")
    typer.echo(f"integrity: {store.integrity()}")
    typer.echo(f"reviews: {store.review_count()}")
    known = {card.key for card in _load(decks, quiet=True).cards()}
    orphans = store.orphans(known)
    typer.echo(f"cards with history but no longer in any deck: {len(orphans)} (kept, never deleted)")
    for deck_id, card_id, count in orphans[:20]:
        typer.echo(f"  {deck_id}/{card_id}: {count} review(s)")
    if rebuild:
        before, _ = store.states()
        rebuilt = replay_log(store.scheduling_reviews(), Scheduler(settings.desired_retention, settings.fuzz))
        store.replace_states(rebuilt)
        changed = sum(1 for key, (state, _) in rebuilt.items() if before.get(key) != state)
        typer.echo(f"rebuilt {len(rebuilt)} card state(s) from the log; {changed} differed from the cache")
    store.close()


@app.command()
def config(
    key: Optional[str] = typer.Argument(None, help="A setting to show or change."),
    value: Optional[str] = typer.Argument(None, help="Its new value."),
) -> None:
    """Show the settings, or set one: mi-quiz config new_per_day 30."""
    import json
    from dataclasses import asdict

    from mi_quiz import config as settings_file

    settings = _settings()
    if key is None:
        typer.echo(f"# {settings_file.config_file()}")
        for name, current in asdict(settings).items():
            typer.echo(f"{name} = {json.dumps(current)}    # {settings_file.HELP[name]}")
        return
    if key not in settings_file.HELP:
        raise UsageFailure(f"config: unknown setting '{key}'; settings: {', '.join(settings_file.HELP)}")
    try:
        parsed = settings_file.parse(key, value) if value is not None else None
    except settings_file.ConfigError as error:
        raise UsageFailure(str(error)) from None
    if value is None:
        _echo_json(getattr(settings, key), indent=None)
        return
    setattr(settings, key, parsed)
    settings_file.save(settings)
    typer.echo(f"{key} = {json.dumps(parsed)}")


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
        code = app(prog_name="mi-quiz", standalone_mode=False)
    except typer.Abort:
        typer.echo("", err=True)
        sys.exit(130)
    except typer.TyperException as error:
        if type(error).__name__ == "NoArgsIsHelpError":  # bare `mi-quiz`: the help is the answer
            typer.echo(error.format_message())
            sys.exit(0)
        # Click's usage errors, on one line instead of usage + blank + error.
        message = error.format_message() if hasattr(error, "format_message") else str(error)
        command = getattr(getattr(error, "ctx", None), "command_path", "mi-quiz")
        typer.echo(f"mi-quiz: error: {message} (see: {command} --help)", err=True)
        sys.exit(getattr(error, "exit_code", 2))
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
    sys.exit(code if isinstance(code, int) else 0)
