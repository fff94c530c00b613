"""The callsim command line: one Typer app; each command group lives in its own module."""

from __future__ import annotations

import typer

from simulator.cli.help_format import PlainHelpGroup

app = typer.Typer(
    name="callsim",
    cls=PlainHelpGroup,
    help="Rehearse cold calls out loud against scripted personas, offline.\n\n"
    "Run `callsim` with no command to open the practice app (scenarios, calls, reports, history, editor).",
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
