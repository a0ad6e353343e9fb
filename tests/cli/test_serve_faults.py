"""``filmkg serve`` under faults (issue #18), against the real Oxigraph server on 127.0.0.1.

A SIGKILLed serve leaves no server and no temporary store; every answer is whole (with its
length) or an error status; a query past the time or size limit is stopped on the server.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psutil
import pytest

from filmkg.cli import main
from filmkg.engines.gateway import check_complete
from filmkg.engines.remote import Endpoint, RetryPolicy
from filmkg.errors import EndpointError

REPO = Path(__file__).resolve().parents[2]
CROSS = "WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"  # 1,744³ rows: never finishes


@contextmanager
def serving(*args: str) -> Iterator[tuple[subprocess.Popen[str], str]]:
    """``filmkg serve --port 0 ARGS``; yields the process and the base URL it printed."""
    process = subprocess.Popen(
        [sys.executable, "-m", "filmkg", "serve", "--port", "0", *args],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        url = process.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:"), process.stderr.read() if process.stderr else ""
        yield process, url
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _oxigraph(process: subprocess.Popen[str]) -> psutil.Process:
    (server,) = [
        c for c in psutil.Process(process.pid).children(recursive=True) if c.name() == "oxigraph"
    ]
    return server


def _ask(url: str, query: str, accept: str) -> tuple[int, str, bytes]:
    data = urllib.parse.urlencode({"query": query}).encode()
    request = urllib.request.Request(url + "query", data=data, headers={"Accept": accept})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            body = response.read()
            assert int(response.headers["Content-Length"]) == len(body)
            return response.status, response.headers["Content-Type"], body
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers["Content-Type"], exc.read()


def _idle(server: psutil.Process, limit: float = 20.0) -> bool:
    """Whether the server stops using the CPU within ``limit`` seconds (a bounded loop)."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        before = sum(server.cpu_times()[:2])
        time.sleep(0.5)
        if sum(server.cpu_times()[:2]) - before < 0.05:
            return True
    return False


@pytest.mark.server
def test_sigkill_of_serve_takes_the_server_and_its_temporary_store_along() -> None:
    with serving() as (process, _url):
        server = _oxigraph(process)
        store = Path(server.cmdline()[server.cmdline().index("--location") + 1])
        assert store.is_dir()
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
        _, alive = psutil.wait_procs([server], timeout=10)
        assert not alive, "the Oxigraph server outlived a SIGKILLed filmkg serve"
        deadline = time.monotonic() + 20
        while store.parent.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not store.parent.exists(), "the temporary store outlived filmkg serve"


@pytest.mark.server
def test_every_answer_is_whole_or_an_error_status() -> None:
    with serving("--timeout", "2", "--max-answer-mib", "1") as (process, url):
        server = _oxigraph(process)
        status, media, body = _ask(url, "SELECT ?s WHERE { ?s ?p ?o } LIMIT 3", "text/csv")
        assert (status, media) == (200, "text/csv; charset=utf-8")
        assert body.count(b"\r\n") == 4
        for accept in ("application/sparql-results+json", "text/csv"):
            status, media, body = _ask(url, f"SELECT (COUNT(*) AS ?n) {CROSS}", accept)
            assert status == 504, body
            assert body.startswith(b"filmkg serve: the query ran past the time limit of 2 s")
            status, media, body = _ask(url, f"SELECT * {CROSS}", accept)
            assert status in (504, 507), body
            assert media == "text/plain; charset=utf-8"
            assert body.startswith(b"filmkg serve: the ")
            assert _idle(server), "the query went on running on the server"
        # the server still answers, whole
        status, _, body = _ask(url, "ASK { ?s ?p ?o }", "application/sparql-results+json")
        assert (status, json.loads(body)["boolean"]) == (200, True)


@pytest.mark.server
def test_a_select_star_cross_join_is_stopped_at_the_size_limit() -> None:
    with serving("--timeout", "120", "--max-answer-mib", "2") as (process, url):
        status, _, body = _ask(url, f"SELECT * {CROSS}", "application/sparql-results+json")
        assert status == 507
        assert b"larger than the limit of 2 MiB" in body
        assert _idle(_oxigraph(process)), "the query went on running on the server"


@pytest.mark.server
def test_the_client_reports_the_limit_at_once_without_retrying() -> None:
    with serving("--timeout", "1") as (_process, url):
        endpoint = Endpoint(url + "query", retry=RetryPolicy(retries=3, backoff=5))
        started = time.monotonic()
        with pytest.raises(EndpointError, match=r"HTTP 504.*ran past the time limit of 1 s"):
            endpoint.select(f"SELECT (COUNT(*) AS ?n) {CROSS}")
        assert time.monotonic() - started < 5, "a time limit was retried"


def test_a_cut_off_answer_is_not_whole() -> None:
    cut = b'{"head":{"vars":["n"]},"results":{"bindings":[The SPARQL operation has been cancelled'
    for media in ("application/sparql-results+json", "application/sparql-results+xml"):
        with pytest.raises(ValueError, match=r"Parser error|Unexpected"):
            check_complete(cut, media)
    with pytest.raises(ValueError, match="not terminated"):
        check_complete(b"n\r\n1\r\nThe SPARQL operation has been cancelled", "text/csv")
    with pytest.raises(ValueError, match="Unexpected end of file"):
        check_complete(b"<http://e.org/s> <http://e.org/p> <http://e.o", "application/n-triples")
    check_complete(
        b"<http://e.org/s> <http://e.org/p> <http://e.org/o> .\n", "application/n-triples"
    )
    check_complete(b"<html>anything</html>", "text/html")


def test_a_busy_port_is_exit_7_before_any_work(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert main(["serve", "--bind", f"127.0.0.1:{port}"]) == 7
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [
        f"filmkg: error: cannot listen on 127.0.0.1:{port}: the address is in use; choose "
        "another port (--bind HOST:PORT, --port N), or stop the process that listens there"
    ]


def test_a_broken_store_is_one_clear_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "CURRENT").write_text("garbage\n")
    assert main(["serve", "--location", str(bad), "--port", "0"]) == 2
    (line,) = capsys.readouterr().err.strip().splitlines()[-1:]
    assert line.startswith(f"filmkg: error: {bad}: the Oxigraph server cannot open this store (")
    assert "_start" not in line
    assert line.endswith(
        "give the directory of a store made by `filmkg build --store`, or a new one"
    )


def test_bind_must_be_host_and_port(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "--bind", "7878"]) == 2
    assert "'7878' is not HOST:PORT" in capsys.readouterr().err
