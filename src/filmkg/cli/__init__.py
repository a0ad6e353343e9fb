"""The ``filmkg`` command: a thin layer over the library.

Each command lives in its own module under :mod:`filmkg.cli` and is imported only when it
runs, so ``filmkg query`` never pays for pyshacl or networkx. This module is the only
place that turns a :class:`~filmkg.errors.FilmKGError` into an exit code (see
:data:`filmkg.errors.EXIT_CODES`).
"""

from __future__ import annotations

import difflib
import errno
import importlib
import os
import sys
from typing import Any

import click

from filmkg import __version__
from filmkg.errors import EXIT_CODES, FilmKGError, OutputError
from filmkg.io import progress

__all__ = ["COMMANDS", "SUMMARIES", "cli", "main"]

#: command name → "module:attribute" of its click command, imported on use.
COMMANDS: dict[str, str] = {
    "build": "filmkg.cli.build:build",
    "validate": "filmkg.cli.validate:validate",
    "stats": "filmkg.cli.stats:stats",
    "export": "filmkg.cli.export:export",
    "synth": "filmkg.cli.synth:synth",
    "import": "filmkg.cli.import_:import_",
    "push": "filmkg.cli.push:push",
    "reconcile": "filmkg.cli.reconcile:reconcile",
    "serve": "filmkg.cli.serve:serve",
    "network": "filmkg.cli.network:network",
    "viz": "filmkg.cli.viz:viz",
    "query": "filmkg.cli.query:query",
    "sparql": "filmkg.cli.sparql:sparql",
    "extract": "filmkg.cli.extract:extract",
    "accept": "filmkg.cli.extract:accept",
}


#: command name → the first paragraph of its help, for the list ``filmkg --help`` shows
#: without importing every command (and the libraries each imports at its top).
#: ``tests/cli/test_cli_conventions.py`` checks it says what each command's help says.
SUMMARIES: dict[str, str] = {
    "accept": "Write the candidates accepted in REVIEW into the source's named graph.",
    "build": "Build the graph: load ontology and data (plus EXTRA files), derive, validate, write.",
    "export": "Export the project graph, or FILES, deterministically.",
    "extract": "Propose the facts TEXT_FILE states, for review.",
    "import": "Import SOURCE (a data file, or a folder holding the mapping's files).",
    "network": "The collaboration network (NetworkX): who worked with whom, in what role.",
    "push": "Push the graph (plus EXTRA files) into a triple store, one named graph at a time.",
    "query": "Run the named query NAME (see --list) on the project graph, or on --endpoint.",
    "reconcile": "Match films, people and organisations to Wikidata items over a SPARQL endpoint.",
    "serve": "Serve the graph (plus EXTRA files) as a read-only SPARQL endpoint, until Ctrl-C.",
    "sparql": "Run the SPARQL query QUERY_OR_FILE (text, a .rq file, or - for stdin).",
    "stats": "Count films, people, organisations, credits, facts and sources, and the "
    "statements graph by graph: of the project, of FILES (- reads stdin) or of a --store.",
    "synth": "Generate a realistic synthetic film graph in the filmkg ontology.",
    "validate": "Validate the project graph, or your own FILES, against the filmkg shapes.",
    "viz": "Draw the collaboration network into OUTPUT (one self-contained file).",
}


class LazyGroup(click.Group):
    """A click group whose commands are imported only when they are used.

    This is why the command modules may import their libraries at the top: ``filmkg
    --help`` lists the commands from :data:`SUMMARIES` and imports none of them.
    """

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The command list, shortened as click shortens it, from :data:`SUMMARIES` (a
        command missing there is imported for its help)."""
        names = self.list_commands(ctx)
        limit = formatter.width - 6 - max(len(name) for name in names)
        rows = []
        for name in names:
            summary = SUMMARIES.get(name)
            if summary is not None:  # click's own shortening, on a stand-in command
                rows.append((name, click.Command(name, help=summary).get_short_help_str(limit)))
            elif (command := self.get_command(ctx, name)) is not None and not command.hidden:
                rows.append((name, command.get_short_help_str(limit)))
        with formatter.section("Commands"):
            formatter.write_dl(rows)

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
            close = difflib.get_close_matches(name, COMMANDS, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            ctx.fail(f"no command {name!r}{hint} (commands: {', '.join(sorted(COMMANDS))})")
        return super().resolve_command(ctx, args)

    def invoke(self, ctx: click.Context) -> Any:
        """Run the command; a broken pipe on stdout becomes :class:`_BrokenPipeError` here,
        before click's own handler turns it into exit 1 ("does not conform")."""
        try:
            return super().invoke(ctx)
        except OSError as exc:
            if exc.errno == errno.EPIPE:
                raise _BrokenPipeError from None
            raise


class _BrokenPipeError(Exception):
    """The reader of stdout went away (``filmkg export | head -1``)."""


#: errno values that mean "the output does not fit" (disk full, quota, file size limit).
_FULL = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG})

#: The exit code of a broken pipe: what a shell reports for a process killed by SIGPIPE.
BROKEN_PIPE_EXIT = 141


_EPILOG = "\b\nExit codes:\n" + "\n".join(f"  {c:>3}  {text}" for c, text in EXIT_CODES.items())


@click.group(
    cls=LazyGroup, epilog=_EPILOG, context_settings={"help_option_names": ["-h", "--help"]}
)
@click.version_option(__version__, "-V", "--version", prog_name="filmkg")
@click.option(
    "-q",
    "--quiet",
    is_flag=True,
    help="No progress display (it is shown on stderr only when stderr is a terminal).",
)
def cli(quiet: bool) -> None:
    """filmkg: an open knowledge graph of film relationships.

    Build, validate, query, export and draw the graph. Run `filmkg COMMAND --help`.
    Long operations show their progress (counts and rate) on a terminal.
    """
    progress.configure(enabled=False if quiet else None)


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; return (and exit with) the documented exit code."""
    try:
        result: Any = cli.main(args=argv, prog_name="filmkg", standalone_mode=False)
        code = result if isinstance(result, int) else 0
        sys.stdout.flush()
    except BaseException as exc:  # every exception becomes one exit code
        code = _exit_code(exc)
    return code


def _exit_code(exc: BaseException) -> int:
    """Report ``exc`` on stderr (one line; usage for a bare ``filmkg``) and return its code."""
    if isinstance(exc, _BrokenPipeError) or (isinstance(exc, OSError) and exc.errno == errno.EPIPE):
        _silence_stdout()
        return BROKEN_PIPE_EXIT
    if isinstance(exc, OSError) and exc.errno in _FULL:
        exc = OutputError(
            f"{exc.filename or 'standard output'}: cannot write ({exc.strerror or exc})",
            hint="free some space, or write somewhere else",
        )
    if isinstance(exc, FilmKGError):
        click.echo(f"filmkg: error: {_one_line(str(exc))}", err=True)
        return exc.exit_code
    if isinstance(exc, click.exceptions.NoArgsIsHelpError):
        click.echo(exc.ctx.get_help() if exc.ctx else exc.format_message(), err=True)
        return 2
    if isinstance(exc, click.ClickException):
        click.echo(f"filmkg: error: {_one_line(exc.format_message())}", err=True)
        return exc.exit_code
    if isinstance(exc, click.exceptions.Exit):
        return exc.exit_code
    if isinstance(exc, SystemExit):
        return exc.code if isinstance(exc.code, int) else 1
    if isinstance(exc, KeyboardInterrupt | click.exceptions.Abort):
        click.echo("filmkg: interrupted", err=True)
        return 130
    if os.environ.get("FILMKG_DEBUG") or not isinstance(exc, Exception):
        raise exc
    click.echo(
        f"filmkg: internal error: {type(exc).__name__}: {_one_line(str(exc))} "
        "(a bug: set FILMKG_DEBUG=1 for the traceback and please report it)",
        err=True,
    )
    return 5


def _silence_stdout() -> None:
    """Point stdout at /dev/null, so the interpreter's last flush does not fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):  # stdout without a file descriptor (a test's capture)
        pass


def _one_line(text: str) -> str:
    return " ".join(text.split())


def run() -> None:  # pragma: no cover - console entry point
    """Console-script entry point."""
    sys.exit(main())
