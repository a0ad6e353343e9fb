"""The ``filmkg`` command: a thin layer over the library.

Each command lives in its own module under :mod:`filmkg.cli` and is imported only when it
runs, so ``filmkg query`` never pays for pyshacl or networkx. This module is the only
place that turns a :class:`~filmkg.errors.FilmKGError` into an exit code (see
:data:`filmkg.errors.EXIT_CODES`).
"""

from __future__ import annotations

import importlib
import os
import sys
from typing import Any

import click

from filmkg import __version__
from filmkg.errors import EXIT_CODES, FilmKGError

__all__ = ["COMMANDS", "cli", "main"]

#: command name → "module:attribute" of its click command, imported on use.
COMMANDS: dict[str, str] = {
    "build": "filmkg.cli.build:build",
    "validate": "filmkg.cli.validate:validate",
    "stats": "filmkg.cli.stats:stats",
    "export": "filmkg.cli.export:export",
    "synth": "filmkg.cli.synth:synth",
    "import": "filmkg.cli.import_:import_",
    "push": "filmkg.cli.push:push",
    "serve": "filmkg.cli.serve:serve",
    "network": "filmkg.cli.network:network",
    "viz": "filmkg.cli.viz:viz",
    "query": "filmkg.cli.query:query",
    "sparql": "filmkg.cli.sparql:sparql",
}


class LazyGroup(click.Group):
    """A click group whose commands are imported only when they are used."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module_name, _, attribute = target.partition(":")
        command = getattr(importlib.import_module(module_name), attribute)
        assert isinstance(command, click.Command)
        return command

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        name = args[0] if args else ""
        if name and not name.startswith("-") and name not in COMMANDS:
            import difflib

            close = difflib.get_close_matches(name, COMMANDS, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            ctx.fail(f"no command {name!r}{hint} (commands: {', '.join(sorted(COMMANDS))})")
        return super().resolve_command(ctx, args)


_EPILOG = "Exit codes: " + "; ".join(f"{code} {text}" for code, text in EXIT_CODES.items())


@click.group(
    cls=LazyGroup, epilog=_EPILOG, context_settings={"help_option_names": ["-h", "--help"]}
)
@click.version_option(__version__, prog_name="filmkg")
def cli() -> None:
    """filmkg: an open knowledge graph of film relationships.

    Build, validate, query, export and draw the graph. Run `filmkg COMMAND --help`.
    """


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; return (and exit with) the documented exit code."""
    try:
        result: Any = cli.main(args=argv, prog_name="filmkg", standalone_mode=False)
        code = result if isinstance(result, int) else 0
    except FilmKGError as exc:
        click.echo(f"filmkg: error: {_one_line(str(exc))}", err=True)
        code = exc.exit_code
    except click.exceptions.Abort:
        click.echo("filmkg: interrupted", err=True)
        code = 130
    except click.ClickException as exc:
        click.echo(f"filmkg: error: {_one_line(exc.format_message())}", err=True)
        code = exc.exit_code
    except click.exceptions.Exit as exc:
        code = exc.exit_code
    except KeyboardInterrupt:
        click.echo("filmkg: interrupted", err=True)
        code = 130
    except BrokenPipeError:
        code = 0
    except Exception as exc:
        if os.environ.get("FILMKG_DEBUG"):
            raise
        click.echo(
            f"filmkg: internal error: {type(exc).__name__}: {_one_line(str(exc))} "
            "(a bug: set FILMKG_DEBUG=1 for the traceback and please report it)",
            err=True,
        )
        code = 5
    sys.stdout.flush()
    return code


def _one_line(text: str) -> str:
    return " ".join(text.split())


def run() -> None:  # pragma: no cover - console entry point
    """Console-script entry point."""
    sys.exit(main())
