"""The callsim command line: one Typer app; each command group lives in its own module."""

from __future__ import annotations

import typer

app = typer.Typer(
    name="callsim",
    help="Rehearse cold calls out loud against scripted personas, offline.",
    no_args_is_help=False,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _register_commands() -> None:
    from simulator.cli import calls, doctor, practice_app, recorded, records, scenarios, score

    for module in (scenarios, calls, records, doctor, practice_app, score, recorded):
        module.register(app)


_register_commands()


def main() -> None:
    """Entry point of the `callsim` script and `python -m simulator`."""
    from simulator.cli.errors import run_guarded

    run_guarded(app)
