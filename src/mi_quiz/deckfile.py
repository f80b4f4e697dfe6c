"""Reading one deck file: the only module that touches YAML.

Every scalar is taken as the text the author wrote (we walk the composed node
tree and never let YAML 1.1 resolve `no`, `off` or `12:30` into other types),
and every problem is reported with the line and column of the node it is about.
"""

from __future__ import annotations

import os
import re
from collections import Counter

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from mi_quiz.cards import (
    CARD_TYPES,
    LEVELS,
    Card,
    Deck,
    Problem,
    cloze_deletions,
    cloze_side,
    content_hash,
)

# The base loader resolves no implicit types (every scalar stays the text the
# author wrote, which is all we read), and its C version composes about five
# times faster than the pure-Python one; fall back where it is missing.
_Loader = getattr(yaml, "CBaseLoader", yaml.BaseLoader)

MAX_BYTES = 2 * 1024 * 1024
DECK_FIELDS = ("id", "title", "description", "exam", "cards")
EXAM_FIELDS = ("domain", "weight")
CARD_FIELDS = (
    "id", "type", "level", "tags", "prompt", "choices", "answer", "accept",
    "explanation", "source",
)
DECK_ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
CARD_ID_RE = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
TAG_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
TAB_INDENT_RE = re.compile(r"^[ ]*\t", re.M)
TRUE_FALSE = ("true", "false")


def read_deck(path: str, origin: str = "") -> tuple[Deck | None, list[Problem]]:
    """Parse a deck file; the deck is None when any error was found."""
    try:
        size = os.path.getsize(path)
        if size > MAX_BYTES:
            return None, [Problem(path, 0, 0, f"file is {size:,} bytes; decks are limited to {MAX_BYTES:,} bytes")]
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError as error:
        return None, [Problem(path, 0, 0, f"cannot read: {error.strerror or error}")]
    return parse_deck(data, path, origin)


def parse_deck(data: bytes, path: str, origin: str = "") -> tuple[Deck | None, list[Problem]]:
    report = _Report(path)
    text = _decode(data, report)
    if text is None:
        return None, report.problems
    for match in TAB_INDENT_RE.finditer(text):
        line = text.count("\n", 0, match.start()) + 1
        report.error_at(line, match.end() - match.start(), "tab used for indentation; YAML needs spaces")
    if report.problems:
        return None, report.problems
    try:
        root = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as error:
        report.yaml_error(error)
        return None, report.problems
    except yaml.YAMLError as error:  # an error with no position
        report.error_at(0, 0, f"not valid YAML: {error}")
        return None, report.problems
    if root is None:
        report.error_at(1, 1, "file is empty: a deck needs id, title and cards")
        return None, report.problems
    # Every alias needs a '*'. Refusing them before the walk means no node is
    # ever reached twice, so the walk below stays linear in the file.
    if "*" in text and _first_alias(root, report):
        return None, report.problems
    deck = _DeckReader(report, text).read(root, origin)
    report.problems.sort(key=lambda p: (p.line, p.column))
    errors = [p for p in report.problems if p.severity == "error"]
    return (None if errors else deck), report.problems


def _first_alias(root: Node, report: _Report) -> bool:
    """Report a node reached twice (an alias) before anything expands it.

    Composing shares aliased nodes instead of copying them, so this walk stays
    linear even for a "billion laughs" file.
    """
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            report.error(node, "YAML anchors and aliases (&name / *name) are not allowed in decks")
            return True
        seen.add(id(node))
        if isinstance(node, SequenceNode):
            stack.extend(node.value)
        elif isinstance(node, MappingNode):
            for key, value in node.value:
                stack.extend((key, value))
    return False


def _decode(data: bytes, report: _Report) -> str | None:
    if len(data) > MAX_BYTES:
        report.error_at(0, 0, f"file is {len(data):,} bytes; decks are limited to {MAX_BYTES:,} bytes")
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        column = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
        report.error_at(line, column, f"byte 0x{data[error.start]:02x} is not UTF-8; save the file as UTF-8")
        return None
    if not text.strip():
        report.error_at(1, 1, "file is empty: a deck needs id, title and cards")
        return None
    return text


class _Report:
    def __init__(self, path: str) -> None:
        self.path = path
        self.problems: list[Problem] = []

    def error_at(self, line: int, column: int, message: str, severity: str = "error") -> None:
        self.problems.append(Problem(self.path, line, column, message, severity))

    def error(self, node: Node, message: str) -> None:
        self.error_at(node.start_mark.line + 1, node.start_mark.column + 1, message)

    def warn(self, node: Node, message: str) -> None:
        self.error_at(node.start_mark.line + 1, node.start_mark.column + 1, message, "warning")

    def yaml_error(self, error: yaml.MarkedYAMLError) -> None:
        mark = error.problem_mark or error.context_mark
        message = error.problem or error.context or "not valid YAML"
        if "mapping values are not allowed" in message:
            message += " (is there an unquoted ': ' inside a text? put the text in quotes)"
        elif "expected a single document" in message:
            message = "more than one YAML document ('---'); a deck file holds one"
        line, column = (mark.line + 1, mark.column + 1) if mark else (0, 0)
        self.error_at(line, column, f"YAML syntax: {message}")


_KIND_NAMES = {MappingNode: "a mapping", SequenceNode: "a list", ScalarNode: "text"}


class _DeckReader:
    def __init__(self, report: _Report, text: str) -> None:
        self.report = report
        self.text = text

    # -- generic node helpers -------------------------------------------------

    def _mapping(self, node: Node, what: str, allowed: tuple[str, ...]) -> dict[str, tuple[Node, Node]] | None:
        if not isinstance(node, MappingNode):
            self.report.error(node, f"{what} must be a mapping (key: value lines), not {_KIND_NAMES[type(node)]}")
            return None
        fields: dict[str, tuple[Node, Node]] = {}
        for key, value in node.value:
            if not isinstance(key, ScalarNode):
                self.report.error(key, f"{what}: keys must be plain words")
                continue
            name = key.value
            if name in fields:
                first = fields[name][0].start_mark.line + 1
                self.report.error(key, f"duplicate key '{name}' in {what} (first at line {first}); YAML would silently keep only the last one")
                continue
            if name not in allowed:
                import difflib  # only for the rare typo

                hint = difflib.get_close_matches(name, allowed, n=1)
                suggestion = f"; did you mean '{hint[0]}'?" if hint else f"; allowed: {', '.join(allowed)}"
                self.report.error(key, f"unknown field '{name}' in {what}{suggestion}")
                continue
            fields[name] = (key, value)
        return fields

    def _text(self, fields: dict, name: str, what: str, required: bool = False, at: Node | None = None) -> str | None:
        if name not in fields:
            if required and at is not None:
                self.report.error(at, f"{what} has no '{name}'")
            return None
        key, node = fields[name]
        if not isinstance(node, ScalarNode):
            self.report.error(node, f"'{name}' in {what} must be text, not {_KIND_NAMES[type(node)]}")
            return None
        value = node.value.strip()
        if required and not value:
            self.report.error(key, f"'{name}' in {what} is empty")
        return value

    def _text_list(self, fields: dict, name: str, what: str) -> list[tuple[str, Node]] | None:
        if name not in fields:
            return None
        _, node = fields[name]
        if not isinstance(node, SequenceNode):
            self.report.error(node, f"'{name}' in {what} must be a list, not {_KIND_NAMES[type(node)]}")
            return None
        items = []
        for item in node.value:
            if not isinstance(item, ScalarNode):
                self.report.error(item, f"each item of '{name}' in {what} must be text, not {_KIND_NAMES[type(item)]}")
                continue
            items.append((item.value.strip(), item))
        return items

    # -- the deck ---------------------------------------------------------------

    def read(self, root: Node, origin: str) -> Deck | None:
        report = self.report
        fields = self._mapping(root, "the deck", DECK_FIELDS)
        if fields is None:
            return None
        deck_id = self._text(fields, "id", "the deck", required=True, at=root) or ""
        if deck_id and not DECK_ID_RE.match(deck_id):
            report.error(fields["id"][1], f"deck id '{deck_id}' must be lowercase letters, digits and '-'")
        title = self._text(fields, "title", "the deck", required=True, at=root) or ""
        description = self._text(fields, "description", "the deck") or ""
        domain, weight = self._exam(fields)
        cards = self._cards(fields, deck_id, root)
        types = Counter(kind for kind, _ in self.source_kinds)
        return Deck(
            id=deck_id, title=title, path=report.path, description=description,
            domain=domain, weight=weight, cards=tuple(cards), origin=origin,
            types=dict(sorted(types.items())),
        )

    def _exam(self, fields: dict) -> tuple[str, float | None]:
        if "exam" not in fields:
            return "", None
        exam = self._mapping(fields["exam"][1], "'exam'", EXAM_FIELDS)
        if exam is None:
            return "", None
        domain = self._text(exam, "domain", "'exam'") or ""
        raw = self._text(exam, "weight", "'exam'")
        if raw is None:
            return domain, None
        try:
            weight = float(raw)
        except ValueError:
            weight = -1.0
        if not weight > 0 or weight != weight or weight == float("inf"):
            self.report.error(exam["weight"][1], f"exam weight must be a positive number, not '{raw}'")
            return domain, None
        return domain, weight

    def _cards(self, fields: dict, deck_id: str, root: Node) -> list[Card]:
        self.source_kinds: list[tuple[str, int]] = []
        if "cards" not in fields:
            self.report.error(root, "the deck has no 'cards'")
            return []
        node = fields["cards"][1]
        if not isinstance(node, SequenceNode):
            self.report.error(node, f"'cards' must be a list of cards, not {_KIND_NAMES[type(node)]}")
            return []
        if not node.value:
            self.report.error(node, "'cards' is empty")
        cards: list[Card] = []
        first_line: dict[str, int] = {}
        for card_node in node.value:
            card_id = self._card(card_node, deck_id, cards)
            if card_id is None:
                continue
            line = card_node.start_mark.line + 1
            if card_id in first_line:
                self.report.error(card_node, f"duplicate card id '{card_id}' (first at line {first_line[card_id]}); progress is keyed by id")
            else:
                first_line[card_id] = line
        return cards

    def _card(self, node: Node, deck_id: str, out: list[Card]) -> str | None:
        report = self.report
        line = node.start_mark.line + 1
        fields = self._mapping(node, f"the card at line {line}", CARD_FIELDS)
        if fields is None:
            return None
        card_id = self._text(fields, "id", f"the card at line {line}", required=True, at=node)
        what = f"card '{card_id}'" if card_id else f"the card at line {line}"
        if card_id and not CARD_ID_RE.match(card_id):
            report.error(fields["id"][1], f"card id '{card_id}' must be lowercase letters, digits, '.', '_' and '-'")
        kind = self._text(fields, "type", what, required=True, at=node)
        if kind is not None and kind not in CARD_TYPES:
            report.error(fields["type"][1], f"{what}: unknown type '{kind}'; use one of {', '.join(CARD_TYPES)}")
            kind = None
        prompt = self._text(fields, "prompt", what, required=True, at=node) or ""
        level = self._text(fields, "level", what) or ""
        if level and level not in LEVELS:
            report.error(fields["level"][1], f"{what}: level '{level}' must be one of {', '.join(LEVELS)}")
        tags = self._text_list(fields, "tags", what) or []
        for tag, tag_node in tags:
            if not TAG_RE.match(tag):
                report.error(tag_node, f"{what}: tag '{tag}' must be lowercase letters, digits and '-'")
        explanation = self._text(fields, "explanation", what) or ""
        source = self._text(fields, "source", what) or ""
        if not explanation:
            report.warn(node, f"{what} has no explanation")
        if not source:
            report.warn(node, f"{what} has no source")
        choices = self._text_list(fields, "choices", what)
        accept = self._text_list(fields, "accept", what)
        answer = None
        if kind != "cloze":
            answer = self._text(fields, "answer", what, required=True, at=node)
        elif "answer" in fields:
            report.error(fields["answer"][0], f"{what}: a cloze card takes its answers from its {{{{c1::...}}}} deletions, not 'answer'")
        if kind is None or card_id is None:
            return card_id
        self.source_kinds.append((kind, line))
        common = dict(
            deck_id=deck_id, kind=kind, explanation=explanation, source=source,
            tags=tuple(t for t, _ in tags), level=level, line=line,
        )
        if kind == "cloze":
            self._cloze(fields, card_id, prompt, what, common, out)
            return card_id
        answer = answer or ""
        if choices is not None and kind != "mcq":
            report.warn(fields["choices"][0], f"{what}: 'choices' is only used by mcq cards")
        if accept is not None and kind != "typed":
            report.warn(fields["accept"][0], f"{what}: 'accept' is only used by typed cards")
        choice_texts: tuple[str, ...] = ()
        if kind == "mcq":
            choice_texts = self._check_choices(fields, choices, answer, what, node)
        elif kind == "truefalse":
            if answer and answer.lower() not in TRUE_FALSE:
                report.error(fields["answer"][1], f"{what}: a truefalse answer must be true or false, not '{answer}'")
            answer = answer.lower()
        if kind in ("basic", "typed", "mcq") and _gives_away(answer, prompt):
            report.warn(fields["prompt"][1], f"{what}: the answer '{answer}' appears word for word in the prompt")
        accept_texts = tuple(a for a, _ in accept or []) if kind == "typed" else ()
        out.append(Card(
            card_id=card_id, prompt=prompt, answer=answer, choices=choice_texts, accept=accept_texts,
            hash=content_hash(prompt, answer, choice_texts, accept_texts), **common,
        ))
        return card_id

    def _check_choices(self, fields, choices, answer, what, node) -> tuple[str, ...]:
        report = self.report
        if choices is None:
            report.error(node, f"{what}: an mcq card needs 'choices' (3 to 5 options)")
            return ()
        texts = [c for c, _ in choices]
        seen: set[str] = set()
        for text, choice_node in choices:
            if not text:
                report.error(choice_node, f"{what}: empty choice")
            elif text.casefold() in seen:
                report.error(choice_node, f"{what}: duplicate choice '{text}'")
            seen.add(text.casefold())
        if not 3 <= len(texts) <= 5:
            report.error(fields["choices"][1], f"{what}: an mcq needs 3 to 5 choices, it has {len(texts)}")
        if answer and answer not in texts:
            close = [c for c in texts if c.casefold() == answer.casefold()]
            hint = f" (differs only in case from '{close[0]}')" if close else ""
            report.error(fields["answer"][1], f"{what}: the answer '{answer}' is not one of its choices{hint}")
        elif answer:
            others = [len(c) for c in texts if c != answer]
            longest = max(others, default=0)
            if longest and len(answer) > 1.5 * longest and len(answer) - longest >= 15:
                report.warn(fields["answer"][1], f"{what}: the right answer is much longer than every other choice (a giveaway)")
        return tuple(texts)

    def _cloze(self, fields, card_id, prompt, what, common, out) -> None:
        if "prompt" not in fields:
            return  # already reported as missing
        numbers = cloze_deletions(prompt)
        if not numbers:
            self.report.error(fields["prompt"][1], f"{what}: a cloze prompt needs at least one {{{{c1::...}}}} deletion")
            return
        for number in numbers:
            shown, answer = cloze_side(prompt, number)
            if not answer.strip():
                self.report.error(fields["prompt"][1], f"{what}: deletion c{number} is empty")
                continue
            out.append(Card(
                card_id=f"{card_id}#c{number}", prompt=shown, answer=answer,
                hash=content_hash(shown, answer, (), ()), **common,
            ))


def _normal(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", text.casefold()).split())


def _gives_away(answer: str, prompt: str) -> bool:
    needle = _normal(answer)
    if len(needle) < 4:
        return False
    return re.search(rf"\b{re.escape(needle)}\b", _normal(prompt)) is not None
