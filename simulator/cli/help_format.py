"""`--help` in words a user reads: FILE, N, TEXT for values, nothing for on/off flags.

Typer prints each parameter's Python type (`<bool>`, `<str>`, `<list[Path]>`), which says nothing to
someone rehearsing calls. `PlainHelpGroup` names each value by what it is before help is shown, for the
whole command tree (the top group, its commands and nested groups such as `scenarios`).
"""

from __future__ import annotations

from typing import Any

from typer.core import TyperArgument, TyperGroup, TyperOption

VALUE_NAMES = {"int": "N", "float": "NUMBER", "path": "PATH", "str": "TEXT", "Path": "PATH"}
"""Typer's type labels (`<int>`, `<list[Path]>`) as a user reads them; a choice stays its choices."""


def value_name(typer_label: str | None) -> str | None:
    """'<int>' → 'N', '<list[Path]>' → 'PATH...', '<json|csv>' → 'json|csv'; None stays None."""
    if not typer_label:
        return typer_label
    label = typer_label.strip("<>")
    many = label.startswith("list[") and label.endswith("]")
    if many:
        label = label[len("list[") : -1]
    name = VALUE_NAMES.get(label, label if "|" in label else "TEXT")
    return name + ("..." if many else "")


def plain_types(command: Any) -> None:
    """Replace the Python type names shown in `command`'s help (and its subcommands') with value names."""
    for param in command.params:
        if isinstance(param, TyperArgument) or (isinstance(param, TyperOption) and (param.is_flag or param.count)):
            shown = None  # an argument's name already says it; a flag takes no value
            setattr(param, "display_type_rich", lambda ctx, shown=shown: shown)  # noqa: B010
        elif isinstance(param, TyperOption):
            typer_label = type(param).display_type_rich

            def plain(ctx: Any, param: Any = param, typer_label: Any = typer_label) -> str | None:
                return value_name(typer_label(param, ctx))

            setattr(param, "display_type_rich", plain)  # noqa: B010
    own_help_option = command.get_help_option

    def help_option(ctx: Any) -> Any:
        option = own_help_option(ctx)
        if option is not None:
            setattr(option, "display_type_rich", lambda ctx: None)  # noqa: B010  # --help is a flag too
        return option

    setattr(command, "get_help_option", help_option)  # noqa: B010
    for sub in getattr(command, "commands", {}).values():
        plain_types(sub)


class PlainHelpGroup(TyperGroup):
    """The `callsim` group: its help, and every command's under it, names values instead of types."""

    def main(self, *args: object, **kwargs: object) -> object:
        plain_types(self)
        return super().main(*args, **kwargs)  # type: ignore[arg-type]
