"""Options shared by the commands that talk to a remote SPARQL endpoint.

``push``, and ``query`` / ``sparql`` with ``--endpoint``, take the same connection
options; credentials come from the environment or ``--credentials-file``, never from an
option (options end up in shell history and process listings).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

__all__ = ["connection_options", "make_endpoint"]

F = TypeVar("F", bound=Callable[..., Any])


def connection_options(func: F) -> F:
    """Add ``--credentials-file``, ``--timeout``, ``--retries`` and ``--default-graph``."""
    options = [
        click.option(
            "--credentials-file",
            type=click.Path(dir_okay=False, path_type=Path),
            help="File of KEY=VALUE lines: FILMKG_ENDPOINT_USER and FILMKG_ENDPOINT_PASSWORD, "
            "or FILMKG_ENDPOINT_TOKEN (default: read those environment variables).",
        ),
        click.option(
            "--timeout",
            type=click.FloatRange(min=0.1),
            default=60.0,
            show_default=True,
            help="Seconds to wait for each answer.",
        ),
        click.option(
            "--retries",
            type=click.IntRange(min=0, max=10),
            default=3,
            show_default=True,
            help="Retries after connection errors, HTTP 5xx and 429 (with back-off).",
        ),
        click.option(
            "--default-graph",
            "default_graphs",
            multiple=True,
            metavar="IRI",
            help="Query this graph as the default graph (repeatable; the SPARQL protocol's "
            "default-graph-uri), for stores whose default graph is not the union.",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def make_endpoint(
    url: str,
    *,
    credentials_file: Path | None = None,
    timeout: float = 60.0,
    retries: int = 3,
    default_graphs: tuple[str, ...] = (),
    update_url: str | None = None,
    store_url: str | None = None,
) -> Any:
    """The :class:`filmkg.remote.Endpoint` the options describe."""
    from filmkg.remote import Endpoint, RetryPolicy, load_credentials

    return Endpoint(
        url,
        update_url=update_url,
        store_url=store_url,
        credentials=load_credentials(file=credentials_file),
        timeout=timeout,
        retry=RetryPolicy(retries=retries),
        default_graphs=default_graphs,
    )
