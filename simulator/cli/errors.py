"""Turn every failure into one clear line on stderr: known errors as they are, others with a log file."""

from __future__ import annotations

import sys

import typer

from simulator.errors import CallsimError
from simulator.terminal_text import SafeStream


class UserError(CallsimError):
    """An error whose message is meant for the user as it is (one line, naming file:line:col if any)."""

    exit_code = 1


def run_guarded(app: typer.Typer) -> None:
    """Run the command line: every write passes through terminal_safe, every failure ends as one line."""
    streams = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = SafeStream(sys.stdout), SafeStream(sys.stderr)
    try:
        _run(app)
    finally:
        sys.stdout, sys.stderr = streams


def _run(app: typer.Typer) -> None:
    try:
        # color=True: click leaves escape codes in for SafeStream to show as text, instead of deleting them
        code = app(standalone_mode=False, color=True)  # without standalone mode, click returns typer.Exit's code
        if isinstance(code, int) and code != 0:
            raise SystemExit(code)
    except SystemExit:
        raise
    except KeyboardInterrupt:
        print("callsim: interrupted", file=sys.stderr)
        raise SystemExit(130) from None
    except Exception as error:  # the one place that turns a crash into a line, never a traceback
        exits, usage_errors, aborts = _command_line_exceptions()
        if isinstance(error, exits):
            raise SystemExit(getattr(error, "exit_code", 0)) from None
        if isinstance(error, usage_errors):  # a mistyped command, option or value: usage and exit 2
            show = getattr(error, "show", None)
            if callable(show):
                show()
            else:
                print(f"callsim: {error}", file=sys.stderr)
            raise SystemExit(getattr(error, "exit_code", 2)) from None
        if isinstance(error, aborts):
            print("callsim: aborted", file=sys.stderr)
            raise SystemExit(1) from None
        if isinstance(error, CallsimError):
            print(f"callsim: {error.one_line()}", file=sys.stderr)
            raise SystemExit(getattr(error, "exit_code", 1)) from None
        _report_crash(error)
        raise SystemExit(70) from None


def _command_line_exceptions() -> tuple[tuple[type[BaseException], ...], ...]:
    """Exit, usage and abort exceptions: Typer's own (it carries its own copy of click now) and click's."""
    import click

    return (
        (typer.Exit, click.exceptions.Exit),
        (typer.TyperException, click.ClickException),
        (typer.Abort, click.exceptions.Abort),
    )


def _report_crash(error: BaseException) -> None:
    from simulator.call.failures import log_crash

    print(f"callsim: unexpected error: {type(error).__name__}: {error}{log_crash(error)}", file=sys.stderr)
