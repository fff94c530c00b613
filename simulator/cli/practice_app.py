"""`callsim` with no command opens the practice app (a module apart: `simulator.cli.app` is the Typer app)."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Run the Textual app when `callsim` is called without a command."""
    app.callback(invoke_without_command=True)(open_app)


def _show_version(asked: bool) -> None:
    if asked:
        from importlib.metadata import version

        typer.echo(f"callsim {version('callsim')}")
        raise typer.Exit()


def open_app(
    ctx: typer.Context,
    show_version: bool = typer.Option(
        False, "--version", callback=_show_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """Rehearse cold calls out loud against scripted personas, offline. With no command: open the app."""
    if ctx.invoked_subcommand is not None:
        return
    from simulator.tui.app import run_app

    run_app()
