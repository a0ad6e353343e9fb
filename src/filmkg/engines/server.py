"""The Oxigraph server (the ``oxigraph`` PyPI package) as a local SPARQL endpoint.

``filmkg serve`` loads the built graph into an on-disk Oxigraph store and runs
``oxigraph serve-read-only --union-default-graph`` over it: a SPARQL 1.1 endpoint whose
default graph is the union of the named graphs (as on the embedded engines), with the
server's bundled YASGUI query editor at ``/``. The tests start the same server, read-write,
to push to.

The server is a separate process, started by its path and stopped by its PID
(terminate, then kill): nothing else is ever signalled. It dies with the process that
started it, even a SIGKILLed one: ``PR_SET_PDEATHSIG`` on Linux, and a watchdog process
(:mod:`filmkg.engines.watchdog`) that also removes the folders given as ``cleanup``.
(On Linux the signal comes when the *thread* that started the server ends: start it from
a thread that lives as long as the server should.)

>>> url_for("127.0.0.1", 7878)
'http://127.0.0.1:7878'
>>> url_for("::1", 7878)
'http://[::1]:7878'
"""

from __future__ import annotations

import contextlib
import ipaddress
import os
import shutil
import socket
import subprocess
import sys
import sysconfig
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path
from types import TracebackType
from typing import IO

from filmkg.engines.watchdog import STOP, die_with_parent, start_watchdog
from filmkg.errors import EndpointError, UsageError

__all__ = [
    "OxigraphServer",
    "error_line",
    "free_port",
    "is_loopback",
    "load_store",
    "oxigraph_executable",
    "url_for",
]


def oxigraph_executable() -> str:
    """The path of the ``oxigraph`` server executable installed by the ``oxigraph`` package.

    Looked up next to the running Python first (a virtualenv's ``bin/``), then on PATH.
    """
    name = "oxigraph.exe" if os.name == "nt" else "oxigraph"
    candidates = [
        Path(sys.executable).parent / name,
        Path(sysconfig.get_path("scripts")) / name,
    ]
    for candidate in candidates:
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    found = shutil.which("oxigraph")
    if found:
        return found
    raise UsageError(
        "the Oxigraph server is not installed",
        hint="pip install 'filmkg[server]' (it provides the `oxigraph` executable)",
    )


def url_for(host: str, port: int) -> str:
    """The base URL of a server on ``host``:``port``."""
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def is_loopback(host: str) -> bool:
    """Whether ``host`` only listens on this machine.

    >>> is_loopback("127.0.0.1"), is_loopback("localhost"), is_loopback("0.0.0.0")
    (True, True, False)
    """
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port that is free on ``host`` right now."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


def load_store(location: Path, nquads: Path) -> None:
    """Load an N-Quads file into the on-disk Oxigraph store at ``location`` (atomically)."""
    result = subprocess.run(
        [
            oxigraph_executable(),
            "load",
            "--location",
            str(location),
            "--file",
            str(nquads),
            "--format",
            "application/n-quads",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise UsageError(
            f"{location}: cannot load the graph into this store: {error_line(result.stderr)}",
            hint="give a new or empty directory for --store",
        )


def stop_process(process: subprocess.Popen[bytes], grace: float = 10.0) -> int:
    """Stop ``process`` by its PID: terminate, then kill after ``grace`` seconds; its code.

    >>> import sys
    >>> stop_process(subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"]))
    -15
    """
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(grace)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    return process.returncode


class _PortInUseError(EndpointError):
    """The port was taken (by another process) when the server tried to bind it."""


class OxigraphServer:
    """An ``oxigraph serve`` process over a store directory, on ``host``:``port``.

    ``port=0`` picks a free port. Use as a context manager, or call :meth:`start` and
    :meth:`stop`. ``read_only`` runs ``serve-read-only``; ``union_default_graph`` makes the
    default graph the union of the named graphs; ``timeout_s`` bounds each query.
    """

    def __init__(
        self,
        location: str | Path,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        read_only: bool = True,
        union_default_graph: bool = True,
        timeout_s: int | None = None,
        cleanup: tuple[Path, ...] = (),
    ) -> None:
        self.location = Path(location)
        self.host = host
        self._pick_port = port == 0
        self.port = port or free_port(host)
        self.read_only = read_only
        self.union_default_graph = union_default_graph
        self.timeout_s = timeout_s
        self.cleanup = cleanup
        self.process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None
        self._watchdog: IO[bytes] | None = None

    @property
    def url(self) -> str:
        """The base URL: the query editor is at ``/``."""
        return url_for(self.host, self.port)

    @property
    def query_url(self) -> str:
        """The SPARQL query endpoint."""
        return self.url + "/query"

    @property
    def pid(self) -> int | None:
        """The server's process id while it runs."""
        return self.process.pid if self.process is not None else None

    def command(self) -> list[str]:
        """The command line that starts the server."""
        bind = f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}"
        args = [
            oxigraph_executable(),
            "serve-read-only" if self.read_only else "serve",
            "--location",
            str(self.location),
            "--bind",
            bind,
        ]
        if self.union_default_graph:
            args.append("--union-default-graph")
        if self.timeout_s is not None:
            args += ["--timeout-s", str(self.timeout_s)]
        return args

    def start(self, wait: float = 30.0) -> OxigraphServer:
        """Start the server and wait (up to ``wait`` seconds) until it answers a query.

        With ``port=0``, a port taken by someone else between choosing and binding it is
        replaced by another free port (a few times).
        """
        if self.process is not None:
            raise UsageError("the server is already running")
        self.location.mkdir(parents=True, exist_ok=True)
        for _ in range(5):
            try:
                return self._start(wait)
            except _PortInUseError:
                if not self._pick_port:
                    raise
                self.port = free_port(self.host)
        return self._start(wait)

    def _start(self, wait: float) -> OxigraphServer:
        self._log = tempfile.TemporaryFile()  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            self.command(),
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # Ctrl-C in a terminal reaches us, not the server
            preexec_fn=die_with_parent,  # started before serve runs any thread of its own
        )
        self._watchdog = start_watchdog(self.process.pid, self.cleanup)
        deadline = time.monotonic() + wait
        probe = self.query_url + "?" + urllib.parse.urlencode({"query": "ASK {}"})
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        while True:
            if self.process.poll() is not None:
                log = self.log()
                self._cleanup()
                if "in use" in log:
                    raise _PortInUseError(
                        f"the Oxigraph server did not start: {error_line(log)}",
                        hint="choose another --port",
                    )
                raise EndpointError(f"the Oxigraph server did not start: {error_line(log)}")
            # the server prints this line once it has bound the port: whatever answers
            # before that is someone else
            if "Listening for requests" in self.log():
                with contextlib.suppress(OSError), opener.open(probe, timeout=1.0) as response:
                    if response.status == 200:
                        return self
            if time.monotonic() > deadline:
                self.stop()
                raise EndpointError(f"the Oxigraph server did not answer within {wait:g} s")
            time.sleep(0.05)

    def log(self) -> str:
        """What the server printed so far."""
        if self._log is None:
            return ""
        self._log.flush()
        self._log.seek(0)
        text = self._log.read().decode("utf-8", "replace")
        self._log.seek(0, os.SEEK_END)
        return text

    def running(self) -> bool:
        """Whether the server process is alive."""
        return self.process is not None and self.process.poll() is None

    def stop(self, grace: float = 10.0) -> int | None:
        """Stop the server by its PID: terminate, then kill after ``grace`` seconds."""
        if self.process is None:
            return None
        code = stop_process(self.process, grace)
        self._cleanup()
        return code

    def kill(self) -> None:
        """Kill the server at once (SIGKILL), as a crash would."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self._cleanup()

    def _cleanup(self) -> None:
        self.process = None
        if self._watchdog is not None:
            with contextlib.suppress(OSError):
                self._watchdog.write(STOP)
                self._watchdog.close()
            self._watchdog = None
        if self._log is not None:
            self._log.close()
            self._log = None

    def __enter__(self) -> OxigraphServer:
        return self.start() if self.process is None else self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        state = f"pid {self.pid}" if self.running() else "stopped"
        return f"OxigraphServer({self.url!r}, {state})"


def error_line(log: str) -> str:
    r"""The line of a server log that says what went wrong (its ``Error:`` line).

    >>> error_line("Error: Address already in use (os error 98)\n\nStack backtrace:\n  0: x")
    'Address already in use (os error 98)'
    """
    lines = [line.strip() for line in log.strip().splitlines() if line.strip()]
    for line in lines:
        if line.startswith("Error:"):
            return line.removeprefix("Error:").strip()
    return lines[-1] if lines else "no message"
