"""Options shared by several commands, declared once: which graph a command reads
(``FILES`` or ``--store``, also spelled ``--location`` as in the Oxigraph CLI) and
``--timeout`` (one meaning everywhere: the seconds one query may take before it is given
up).

>>> import click
>>> @click.command()
... @store_option("Read this store.")
... def show(store): click.echo(store)
>>> from click.testing import CliRunner
>>> CliRunner().invoke(show, ["--location", "db"]).output
'db\\n'
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

if TYPE_CHECKING:
    from filmkg.engines.store import KnowledgeGraph

__all__ = ["load_graph", "store_option", "timeout_option"]

F = TypeVar("F", bound=Callable[..., Any])


def store_option(help_text: str, **kwargs: Any) -> Callable[[F], F]:
    """``--store DIR`` (alias ``--location``, the Oxigraph CLI's name for it)."""
    return click.option(
        "--store",
        "--location",
        "store",
        type=click.Path(file_okay=False, path_type=Path),
        help=help_text + " (--location is the same option, named as in the Oxigraph CLI)",
        **kwargs,
    )


def timeout_option(*, default: float | None, what: str) -> Callable[[F], F]:
    """``--timeout SECONDS``: ``what`` says how this command gives a query up."""
    return click.option(
        "--timeout",
        type=click.FloatRange(min=0.1),
        default=default,
        show_default=default is not None,
        metavar="SECONDS",
        help=f"{what}.",
    )


def load_graph(
    files: Sequence[Path],
    store: Path | None,
    *,
    project_data: bool = True,
    files_name: str = "FILES",
    **project: Any,
) -> KnowledgeGraph:
    """The graph a command reads: the on-disk ``store``, or the project plus ``files``.

    ``project_data=False`` leaves the project's own data out (the ontology and the
    vocabularies stay); ``project`` goes to :func:`filmkg.build.project.load_project`. The same
    one-line errors for every command: both given, or a file that is missing.
    """
    from filmkg.errors import SourceNotFoundError, UsageError

    if store is not None:
        if files or not project_data:
            raise UsageError(f"give {files_name} or --store, not both")
        from filmkg.engines.store import KnowledgeGraph

        return KnowledgeGraph.open(store)
    for path in files:
        if str(path) != "-" and not path.is_file():
            raise SourceNotFoundError(f"{path}: no such file", hint="check the path")
    from filmkg.build.project import load_project

    return load_project(files, include_data=project_data, **project)
