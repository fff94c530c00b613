"""The starting scenario `callsim scenarios new` writes: template.yaml with the id and paths filled in."""

from __future__ import annotations

from pathlib import Path

from simulator.scenario.schema import schema_comment

TEMPLATE = Path(__file__).with_name("template.yaml")


def render_template(scenario_id: str, target: Path) -> str:
    """The template for a scenario that will be saved at target (its $schema line points from there)."""
    text = TEMPLATE.read_text(encoding="utf-8")
    return (
        text.replace("__SCHEMA_COMMENT__", schema_comment(target))
        .replace("__ID__", scenario_id)
        .replace("__FILE__", str(target))
    )
