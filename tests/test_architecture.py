"""The core stays pure: no terminal, CLI, YAML or SQLite imports."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SOURCE = Path(__file__).resolve().parent.parent / "src" / "mi_quiz"
CORE = ["cards", "grading", "schedule", "study", "exam", "readiness"]
FORBIDDEN = {"rich", "typer", "click", "yaml", "sqlite3", "sqlite_utils"}


def imported(module: str) -> set[str]:
    tree = ast.parse((SOURCE / f"{module}.py").read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0] if not node.module.startswith("mi_quiz") else node.module)
    return names


@pytest.mark.parametrize("module", CORE)
def test_core_module_imports_nothing_outside(module):
    assert not imported(module) & FORBIDDEN
    # nor the modules that own those outside things
    assert not imported(module) & {"mi_quiz.store", "mi_quiz.deckfile", "mi_quiz.cli", "mi_quiz.ui_rich", "mi_quiz.terminal"}


def test_only_store_and_migrations_speak_sql():
    for path in SOURCE.glob("*.py"):
        if path.stem in ("store", "migrations"):
            continue
        assert not imported(path.stem) & {"sqlite3", "sqlite_utils"}, path.name


def test_only_deckfile_touches_yaml():
    for path in SOURCE.glob("*.py"):
        if path.stem != "deckfile":
            assert "yaml" not in imported(path.stem), path.name


def test_every_command_has_help():
    from typer.testing import CliRunner

    from mi_quiz.cli import app

    runner = CliRunner()
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("study", "exam", "ready", "decks", "validate", "config", "doctor", "schema"):
        sub = runner.invoke(app, [command, "--help"])
        assert sub.exit_code == 0 and len(sub.stdout) > 80, command
