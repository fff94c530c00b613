"""docs/scoring.md shows each score's table of rules exactly as the code has them."""

from __future__ import annotations

import re
from pathlib import Path
from types import ModuleType

import pytest

from simulator.scoring import next_step, rigidity, value_added

DOC = (Path(__file__).parent.parent / "docs" / "scoring.md").read_text(encoding="utf-8")
SECTIONS = {"Rigidity": rigidity, "Value added": value_added, "Next-step positioning": next_step}


def _signed(value: float) -> str:
    return f"{value:+g}"


def _section(title: str) -> str:
    start = DOC.index(f"### {title}")
    end = DOC.find("\n## ", start)
    following = DOC.find("\n### ", start + 1)
    stops = [stop for stop in (end, following) if stop > 0]
    return DOC[start : min(stops)] if stops else DOC[start:]


@pytest.mark.parametrize("title", list(SECTIONS))
def test_the_docs_table_is_the_codes_table(title: str) -> None:
    module: ModuleType = SECTIONS[title]
    text = _section(title)
    assert f"base {module.BASE:g})" in text.splitlines()[0]
    rows = re.findall(r"^\| `([a-z_]+)` \| (.+?) \| ([^|]+) \| ([^|]+) \| ([^|]+) \|$", text, re.MULTILINE)
    documented = {
        key: (looks.strip(), points.strip(), partial.strip(), cap.strip()) for key, looks, points, partial, cap in rows
    }
    expected = {
        rule.key: (rule.looks_for, _signed(rule.points), " / ".join(_signed(p) for p in rule.partial) or "—",
                   _signed(rule.cap))
        for rule in module.RULES
    }  # fmt: skip
    assert documented == expected
