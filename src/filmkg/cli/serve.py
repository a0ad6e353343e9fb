"""``filmkg serve``: a local read-only SPARQL endpoint with a query editor (Oxigraph server)."""

from __future__ import annotations

import signal
import tempfile
from pathlib import Path
from types import FrameType

import click
import pyoxigraph as ox

from filmkg.build.project import load_project
from filmkg.cli._options import store_option, timeout_option
from filmkg.engines.gateway import Gateway, Limits
from filmkg.engines.server import (
    OxigraphServer,
    error_line,
    is_loopback,
    load_store,
    oxigraph_executable,
    url_for,
)
from filmkg.errors import EndpointError, UsageError


def _bind(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is None:
        return None
    host, sep, port = value.rpartition(":")
    host = host.strip("[]")
    if not sep or not host or not port.isdigit() or int(port) > 65535:
        raise click.BadParameter(f"{value!r} is not HOST:PORT (e.g. 127.0.0.1:7878)")
    return value


@click.command()
@click.option(
    "--bind",
    metavar="HOST:PORT",
    callback=_bind,
    help="Address and port to listen on, as the Oxigraph CLI takes them (instead of --host "
    "and --port), e.g. 127.0.0.1:7878 or [::1]:7878.",
)
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on. Anything but loopback exposes the endpoint (and the "
    "server's SERVICE calls) to the network: see SECURITY.md.",
)
@click.option(
    "--port",
    type=click.IntRange(min=0, max=65535),
    default=7878,
    show_default=True,
    help="Port to listen on (0: any free port). A port in use is exit 7.",
)
@store_option(
    "Directory of an on-disk Oxigraph store: created and loaded with the graph when "
    "missing or empty, served as it is when it already holds a store (default: a temporary "
    "store, deleted on exit)."
)
@timeout_option(default=30.0, what="Stop each query after this many seconds")
@click.option(
    "--max-answer-mib",
    type=click.FloatRange(min=0.001),
    default=64.0,
    show_default=True,
    help="Refuse an answer larger than this many MiB (HTTP 507): every answer is sent "
    "whole, with its length, or as an error status.",
)
@click.argument("extra", nargs=-1, type=click.Path(dir_okay=False, path_type=Path))
def serve(
    bind: str | None,
    host: str,
    port: int,
    store: Path | None,
    timeout: float,
    max_answer_mib: float,
    extra: tuple[Path, ...],
) -> int:
    """Serve the graph (plus EXTRA files) as a read-only SPARQL endpoint, until Ctrl-C.

    Runs the Oxigraph server (from the `oxigraph` package: pip install 'filmkg[server]')
    over an on-disk store loaded with the graph, behind a front that sends every answer
    whole or as an error status: 504 past the time limit, 507 past the size limit, 502
    for an answer cut off. Its default graph is the union of the named graphs, as in
    `filmkg query`. Prints the URL of the query editor (which works offline); the SPARQL
    endpoint is at /query. The Oxigraph server stops with this command, even when it is
    killed.

    Example: filmkg serve --bind 127.0.0.1:7878, then filmkg query film_credits
    --param film=Here --endpoint http://127.0.0.1:7878/query
    """
    if bind is not None:
        host, _, port_text = bind.rpartition(":")
        host, port = host.strip("[]"), int(port_text)
    oxigraph_executable()  # a clear error before any work when the server is missing
    limits = Limits(timeout_s=timeout, max_bytes=int(max_answer_mib * 2**20))
    gateway = Gateway(("127.0.0.1", 0), host=host, port=port, limits=limits)  # exit 7 if taken
    try:
        if not is_loopback(host):
            click.echo(
                f"filmkg: warning: listening on {host}: anyone who can reach this machine can "
                "query the graph, and the Oxigraph server runs SPARQL SERVICE calls (requests "
                "from this machine to any URL a query names); see SECURITY.md",
                err=True,
            )
        with tempfile.TemporaryDirectory(prefix="filmkg-serve-") as scratch:
            location = store if store is not None else Path(scratch) / "store"
            existing = _prepare(location, extra, Path(scratch))
            _run(gateway, location, Path(scratch), existing, limits)
    finally:
        gateway.stop()
    click.echo("filmkg: server stopped", err=True)
    return 0


def _prepare(location: Path, extra: tuple[Path, ...], scratch: Path) -> bool:
    """Load the graph into ``location`` unless it already holds a store (then True)."""
    if (location / "CURRENT").is_file():
        if extra:
            raise UsageError(
                f"{location} already holds a store: EXTRA files cannot be added to it",
                hint="give a new --store directory",
            )
        click.echo(f"filmkg: serving the existing store {location}", err=True)
        return True
    if location.exists() and any(location.iterdir()):
        raise UsageError(
            f"{location} is not empty and not an Oxigraph store",
            hint="give an empty or new directory for --store",
        )
    kg = load_project(extra)
    dump = scratch / "graph.nq"
    kg.dump(dump, ox.RdfFormat.N_QUADS)
    load_store(location, dump)
    dump.unlink()
    click.echo(f"filmkg: loaded {len(kg)} statements into {location}", err=True)
    return False


def _run(gateway: Gateway, location: Path, scratch: Path, existing: bool, limits: Limits) -> None:
    """Start the Oxigraph server behind ``gateway`` and wait for Ctrl-C or SIGTERM."""
    server = OxigraphServer(
        location,
        host="127.0.0.1",
        timeout_s=max(1, int(limits.timeout_s)),
        cleanup=(scratch,),  # a killed serve leaves no temporary store behind
    )
    try:
        server.start()
    except EndpointError as exc:
        if not existing:
            raise
        raise UsageError(
            f"{location}: the Oxigraph server cannot open this store ({exc.message})",
            hint="give the directory of a store made by `filmkg build --store`, or a new one",
        ) from None
    gateway.upstream = ("127.0.0.1", server.port)
    gateway.start()

    def on_term(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, on_term)
    # Ctrl-C stops it even where it was started with SIGINT ignored (a background job of a
    # non-interactive shell inherits SIG_IGN, and Python then never raises KeyboardInterrupt)
    previous_int = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        url = url_for(gateway.host, gateway.port)
        click.echo(url + "/")
        click.echo(
            f"filmkg: read-only SPARQL endpoint {url}/query, query editor {url}/ "
            f"({limits.describe()}; press Ctrl-C to stop)",
            err=True,
        )
        assert server.process is not None
        code = server.process.wait()
        raise EndpointError(
            f"the Oxigraph server stopped unexpectedly (exit {code})",
            hint=error_line(server.log()),
        )
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        signal.signal(signal.SIGINT, previous_int)
        server.stop()
