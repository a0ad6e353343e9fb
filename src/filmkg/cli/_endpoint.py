"""Options shared by the commands that talk to a remote SPARQL endpoint.

``push``, and ``query`` / ``sparql`` with ``--endpoint``, take the same connection
options; credentials come from the environment or ``--credentials-file``, never from an
option (options end up in shell history and process listings).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar, overload

import click
from click.core import ParameterSource

from filmkg.engines.remote import USER_AGENT, Endpoint, RetryPolicy, load_credentials

__all__ = ["connection_options", "endpoint_option", "make_endpoint", "refuse_local_options"]

F = TypeVar("F", bound=Callable[..., Any])


@overload
def connection_options(func: F) -> F: ...


@overload
def connection_options(*, timeout: bool = True) -> Callable[[F], F]: ...


def connection_options(func: F | None = None, *, timeout: bool = True) -> Any:
    """Add ``--credentials-file``, ``--retries``, ``--default-graph`` (and ``--timeout``).

    Use as ``@connection_options``, or ``@connection_options(timeout=False)`` on a
    command that has its own ``--timeout``.
    """

    def decorate(f: F) -> F:
        options = [
            click.option(
                "--credentials-file",
                type=click.Path(dir_okay=False, path_type=Path),
                help="With an endpoint: a file of KEY=VALUE lines, FILMKG_ENDPOINT_USER and "
                "FILMKG_ENDPOINT_PASSWORD, or FILMKG_ENDPOINT_TOKEN (default: read those "
                "environment variables).",
            ),
            click.option(
                "--retries",
                type=click.IntRange(min=0, max=10),
                default=3,
                show_default=True,
                help="With an endpoint: retries after connection errors, HTTP 5xx and 429 "
                "(with back-off).",
            ),
            click.option(
                "--default-graph",
                "default_graphs",
                multiple=True,
                metavar="IRI",
                help="With an endpoint: query this graph as the default graph (repeatable; "
                "the protocol's default-graph-uri), for stores whose default graph is not the "
                "union of the named graphs.",
            ),
        ]
        if timeout:
            options.insert(
                1,
                click.option(
                    "--timeout",
                    type=click.FloatRange(min=0.1),
                    default=60.0,
                    show_default=True,
                    metavar="SECONDS",
                    help="Give up on a query (or request) after this many seconds: the wait "
                    "for the endpoint's answer.",
                ),
            )
        for option in reversed(options):
            f = option(f)
        return f

    return decorate(func) if func is not None else decorate


def endpoint_option(func: F) -> F:
    """Add ``--endpoint URL`` (run on a remote SPARQL endpoint)."""
    return click.option(
        "--endpoint",
        metavar="URL",
        help="Run on this SPARQL endpoint (e.g. http://127.0.0.1:7878/query) instead of the "
        "embedded graph: see docs/triple-store.md.",
    )(func)


def refuse_local_options(ctx: click.Context, names: tuple[str, ...]) -> None:
    """A usage error if any of the options ``names`` was given along with ``--endpoint``."""
    given = [
        "--" + name.replace("_", "-")
        for name in names
        if ctx.get_parameter_source(name) not in (None, ParameterSource.DEFAULT)
    ]
    if given:
        raise click.UsageError(f"{', '.join(given)} cannot be combined with --endpoint")


def make_endpoint(
    url: str,
    *,
    credentials_file: Path | None = None,
    timeout: float = 60.0,
    retries: int = 3,
    default_graphs: tuple[str, ...] = (),
    update_url: str | None = None,
    store_url: str | None = None,
    user_agent: str | None = None,
) -> Any:
    """The :class:`filmkg.engines.remote.Endpoint` the options describe."""
    return Endpoint(
        url,
        update_url=update_url,
        store_url=store_url,
        credentials=load_credentials(file=credentials_file),
        timeout=timeout,
        retry=RetryPolicy(retries=retries),
        default_graphs=default_graphs,
        user_agent=user_agent or USER_AGENT,
    )
