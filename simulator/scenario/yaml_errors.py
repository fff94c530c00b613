"""YAML syntax errors in plain sentences: what is wrong with the line, not what the parser expected.

ruamel's messages name parser states ("expected <block end>, but found '<block mapping start>'"). Each row
below recognises one such message and says it as a person would, looking at the line it points to.
The parser's own words stay the fallback, so no error is ever hidden.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Spot:
    """Where the parser stopped, with the text around it."""

    problem: str  # ruamel's problem words
    context: str  # ruamel's context words ("while parsing a block mapping")
    line: int  # 1-based line of the problem
    started_line: int | None  # 1-based line where the context began (a bracket, a quote), if known
    lines: list[str]

    def text(self, line: int) -> str:
        return self.lines[line - 1] if 0 < line <= len(self.lines) else ""

    def indent(self, line: int) -> int:
        text = self.text(line)
        return len(text) - len(text.lstrip(" "))

    def line_above(self) -> int | None:
        """The nearest line above the problem that holds something (not blank, not a comment)."""
        for number in range(self.line - 1, 0, -1):
            stripped = self.text(number).strip()
            if stripped and not stripped.startswith("#"):
                return number
        return None

    def indented_more_than_above(self) -> bool:
        above = self.line_above()
        return above is not None and self.indent(self.line) > self.indent(above)

    def since(self) -> str:
        return f" (it starts at line {self.started_line})" if self.started_line not in (None, self.line) else ""


@dataclass(frozen=True)
class Sentence:
    name: str
    applies: Callable[[Spot], bool]
    says: Callable[[Spot], str]
    at_indent: bool = False  # the column is where the line's text starts (the indentation is the problem)


SENTENCES: tuple[Sentence, ...] = (
    Sentence(
        "indented too far",
        lambda s: (
            ("mapping values are not allowed" in s.problem or "<block mapping start>" in s.problem)
            and s.indented_more_than_above()
        ),
        lambda s: "this line is indented more than the one above it; line it up with the key it belongs beside",
        at_indent=True,
    ),
    Sentence(
        "colon inside a value",
        lambda s: "mapping values are not allowed" in s.problem,
        lambda s: "a second ': ' on this line; put a text that contains ': ' in quotes",
    ),
    Sentence(
        "indentation does not match",
        lambda s: "expected <block end>" in s.problem,
        lambda s: (
            "this line's indentation does not match the lines above it"
            + (
                " (a '- ' item beside keys, or a key beside '- ' items)"
                if s.text(s.line).lstrip().startswith("-")
                else ""
            )
        ),
        at_indent=True,
    ),
    Sentence(
        "quote never closed",
        lambda s: "quoted scalar" in s.context and "end of stream" in s.problem,
        lambda s: f"a quote opened at line {s.started_line or s.line} is never closed",
    ),
    Sentence(
        "list bracket never closed",
        lambda s: "flow sequence" in s.context,
        lambda s: f"a [list] is not closed: add the ']' or a ',' between its items{s.since()}",
    ),
    Sentence(
        "mapping brace never closed",
        lambda s: "flow mapping" in s.context,
        lambda s: f"a {{mapping}} is not closed: add the '}}' or a ',' between its keys{s.since()}",
    ),
    Sentence(
        "tab",
        lambda s: "\\t" in s.problem or "tab" in s.problem,
        lambda s: "a tab character: YAML indents with spaces only",
    ),
    Sentence(
        "stray character",
        lambda s: "cannot start any token" in s.problem,
        lambda s: "a character that cannot start a value here ('@' and '`' need quotes around the text)",
    ),
)


def plain_sentence(error: Any, text: str) -> tuple[int, int, str]:
    """Line, column and a sentence for a ruamel MarkedYAMLError on `text`."""
    mark = error.problem_mark or error.context_mark
    line, col = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
    started = error.context_mark
    spot = Spot(
        problem=str(error.problem or ""),
        context=str(error.context or ""),
        line=line,
        started_line=started.line + 1 if started is not None else None,
        lines=text.splitlines(),
    )
    for sentence in SENTENCES:
        if sentence.applies(spot):
            return line, spot.indent(line) + 1 if sentence.at_indent else col, sentence.says(spot)
    return line, col, f"YAML syntax: {parser_words(error, line)}"


def parser_words(error: Any, line: int) -> str:
    """ruamel's own message, tidied (the fallback when no sentence fits)."""
    problem = str(error.problem or error.context or "not valid YAML")
    context = str(error.context or "")
    if "duplicate key" in problem:
        return problem.replace("found duplicate key", "duplicate key")
    if context.startswith("expected"):
        return f"{context}, {problem}"
    if context and error.problem:
        started = error.context_mark
        where = f" that starts at line {started.line + 1}" if started is not None and started.line + 1 != line else ""
        return f"{problem} ({context}{where})"
    return problem
