"""``filmkg serve``: a local read-only SPARQL endpoint with a query editor (Oxigraph server)."""

from __future__ import annotations

import signal
import tempfile
from pathlib import Path
from types import FrameType

import click


@click.command()
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
    help="Port to listen on (0: any free port).",
)
@click.option(
    "--store",
    type=click.Path(file_okay=False, path_type=Path),
    help="Directory of an on-disk Oxigraph store: created and loaded with the graph when "
    "missing or empty, served as it is when it already holds a store (default: a temporary "
    "store, deleted on exit).",
)
@click.option(
    "--timeout",
    type=click.IntRange(min=1),
    default=30,
    show_default=True,
    help="Time limit of each query, in seconds (enforced by the server).",
)
@click.argument("extra", nargs=-1, type=click.Path(dir_okay=False, path_type=Path))
def serve(host: str, port: int, store: Path | None, timeout: int, extra: tuple[Path, ...]) -> int:
    """Serve the graph (plus EXTRA files) as a read-only SPARQL endpoint, until Ctrl-C.

    Runs the Oxigraph server (from the `oxigraph` package: pip install 'filmkg[server]')
    over an on-disk store loaded with the graph. Its default graph is the union of the
    named graphs, as in `filmkg query`. Prints the URL of the query editor (which works
    offline); the SPARQL endpoint is at /query.

    Example: filmkg serve --port 7878, then filmkg query film_credits --param film=Here
    --endpoint http://127.0.0.1:7878/query
    """
    from filmkg.engines.server import (
        OxigraphServer,
        error_line,
        is_loopback,
        load_store,
        oxigraph_executable,
    )
    from filmkg.errors import EndpointError, UsageError

    oxigraph_executable()  # a clear error before any work when the server is missing
    if not is_loopback(host):
        click.echo(
            f"filmkg: warning: listening on {host}: anyone who can reach this machine can "
            "query the graph, and the Oxigraph server runs SPARQL SERVICE calls (requests "
            "from this machine to any URL a query names); see SECURITY.md",
            err=True,
        )
    with tempfile.TemporaryDirectory(prefix="filmkg-serve-") as scratch:
        location = store if store is not None else Path(scratch) / "store"
        if (location / "CURRENT").is_file():
            if extra:
                raise UsageError(
                    f"{location} already holds a store: EXTRA files cannot be added to it",
                    hint="give a new --store directory",
                )
            click.echo(f"filmkg: serving the existing store {location}", err=True)
        elif location.exists() and any(location.iterdir()):
            raise UsageError(
                f"{location} is not empty and not an Oxigraph store",
                hint="give an empty or new directory for --store",
            )
        else:
            from filmkg.build.project import load_project

            kg = load_project(extra)
            dump = Path(scratch) / "graph.nq"
            import pyoxigraph as ox

            kg.store.dump(str(dump), format=ox.RdfFormat.N_QUADS)
            load_store(location, dump)
            click.echo(f"filmkg: loaded {len(kg)} statements into {location}", err=True)
        server = OxigraphServer(location, host=host, port=port, timeout_s=timeout)
        server.start()

        def on_term(signum: int, frame: FrameType | None) -> None:
            raise KeyboardInterrupt

        previous = signal.signal(signal.SIGTERM, on_term)
        try:
            click.echo(server.url + "/")
            click.echo(
                f"filmkg: read-only SPARQL endpoint {server.query_url}, query editor "
                f"{server.url}/ (press Ctrl-C to stop)",
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
            server.stop()
    click.echo("filmkg: server stopped", err=True)
    return 0
