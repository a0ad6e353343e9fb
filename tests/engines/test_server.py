"""``filmkg serve``: the Oxigraph server over the built graph, read-only, stopped by Ctrl-C."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psutil
import pytest

from filmkg.build.project import load_project
from filmkg.engines.remote import Endpoint
from filmkg.engines.server import OxigraphServer, error_line, oxigraph_executable
from filmkg.errors import AuthenticationError, EndpointError
from filmkg.sparql import catalogue as queries

SRC = str(Path(__file__).resolve().parents[2] / "src")


@contextmanager
def serving(*args: str) -> Iterator[tuple[subprocess.Popen[str], str]]:
    """``filmkg serve ARGS`` in a subprocess; yields it and the URL it printed."""
    env = {**os.environ, "PYTHONPATH": SRC + os.pathsep + os.environ.get("PYTHONPATH", "")}
    process = subprocess.Popen(
        [sys.executable, "-m", "filmkg", "serve", "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert process.stdout is not None
        url = process.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:"), process.stderr.read() if process.stderr else ""
        yield process, url
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def stop_with_ctrl_c(process: subprocess.Popen[str]) -> tuple[int, str]:
    children = psutil.Process(process.pid).children(recursive=True)
    assert [c.name() for c in children if c.name() == "oxigraph"] == ["oxigraph"]
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=30)
    _, alive = psutil.wait_procs(children, timeout=10)
    assert not alive, "the Oxigraph server outlived filmkg serve"
    return process.returncode, err


@pytest.mark.server
def test_serve_answers_the_named_queries_read_only_and_stops_on_ctrl_c() -> None:
    with serving() as (process, url):
        endpoint = Endpoint(url + "query")
        kg = load_project()
        for name, nq in queries.catalogue().items():
            for params in nq.examples or ({},):
                assert (
                    queries.run(endpoint, name, params).rows == queries.run(kg, name, params).rows
                )
        with pytest.raises(AuthenticationError, match="read-only"):
            endpoint.update("DROP ALL")
        code, err = stop_with_ctrl_c(process)
    assert code == 0, err
    assert "server stopped" in err
    assert "Traceback" not in err


@pytest.mark.server
def test_the_query_editor_is_served_locally() -> None:
    with serving() as (process, url):
        with urllib.request.urlopen(url, timeout=10) as response:
            page = response.read().decode()
        assert "Yasgui" in page
        assets = re.findall(r'(?:src|href)="([^"]+)"', page)
        assert assets, page
        for asset in assets:
            assert "//" not in asset, f"the editor page loads {asset} from elsewhere"
            with urllib.request.urlopen(urllib.parse.urljoin(url, asset), timeout=10) as r:
                assert r.status == 200
        stop_with_ctrl_c(process)


@pytest.mark.server
def test_an_existing_store_is_served_as_it_is(tmp_path: Path) -> None:
    store = tmp_path / "store"
    with serving("--store", str(store)) as (process, _):
        assert stop_with_ctrl_c(process)[0] == 0
    assert (store / "CURRENT").is_file()
    with serving("--store", str(store)) as (process, url):
        count = Endpoint(url + "query").select("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
        assert count.as_dicts() == [{"n": len(load_project())}]
        code, err = stop_with_ctrl_c(process)
    assert code == 0
    assert "serving the existing store" in err


def test_a_busy_port_is_a_clean_error(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "filmkg", "serve", "--port", str(port)],
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONPATH": SRC},
            timeout=60,
        )
    assert result.returncode == 7
    line = result.stderr.splitlines()[-1]
    assert "Traceback" not in result.stderr
    assert line.startswith(f"filmkg: error: cannot listen on 127.0.0.1:{port}: the address is")


def test_a_directory_that_is_not_a_store_is_refused(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    from filmkg.cli import main

    assert main(["serve", "--store", str(tmp_path), "--port", "0"]) == 2
    assert (tmp_path / "notes.txt").read_text() == "mine"


def test_server_helpers() -> None:
    assert Path(oxigraph_executable()).name == "oxigraph"
    assert error_line("Error: boom\n\nStack backtrace:\n 0: x") == "boom"
    server = OxigraphServer("/tmp/x", port=1234, read_only=True, timeout_s=5)
    assert server.command()[1:] == [
        "serve-read-only",
        "--location",
        "/tmp/x",
        "--bind",
        "127.0.0.1:1234",
        "--union-default-graph",
        "--timeout-s",
        "5",
    ]
    assert server.query_url == "http://127.0.0.1:1234/query"


@pytest.mark.server
@pytest.mark.browser
def test_the_query_editor_works_offline() -> None:
    """With every non-local request refused, the editor still loads and runs a query.

    The bundled YASGUI asks prefix.cc for prefix suggestions on load (SECURITY.md says so);
    nothing else leaves the machine, and nothing the editor needs comes from elsewhere.
    """
    sync_api = pytest.importorskip("playwright.sync_api")
    chromium = "/usr/bin/chromium"
    if not Path(chromium).exists():
        pytest.skip("Debian chromium is not installed")
    with serving() as (process, url), sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        try:
            page = browser.new_page()
            outside: list[str] = []

            def only_local(route: object) -> None:
                request = route.request  # type: ignore[attr-defined]
                if request.url.startswith(url):
                    route.continue_()  # type: ignore[attr-defined]
                else:
                    outside.append(request.url)
                    route.abort()  # type: ignore[attr-defined]

            page.route("**/*", only_local)
            page.goto(url, wait_until="networkidle")
            page.click(".yasqe_queryButton")
            page.wait_for_selector(".yasr table td", timeout=15_000)
            assert "rdf:type" in page.inner_text(".yasr")
            assert {urllib.parse.urlsplit(u).hostname for u in outside} <= {"prefix.cc"}
        finally:
            browser.close()
        assert stop_with_ctrl_c(process)[0] == 0


@pytest.mark.server
def test_a_query_past_the_time_limit_is_a_clean_error(tmp_path: Path) -> None:
    with serving("--timeout", "1") as (process, url):
        endpoint = Endpoint(url + "query")
        cross = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
        with pytest.raises(EndpointError, match="ran past the time limit of 1 s"):
            endpoint.select(cross)
        assert stop_with_ctrl_c(process)[0] == 0


@pytest.mark.server
def test_a_jsonld_bomb_posted_to_serve_is_refused_unparsed() -> None:
    depth = 5000  # pyoxigraph's JSON-LD parser crashes at ~3,500 (issue 7)
    bomb = ('{"@id": "http://e.org/a", "http://e.org/p": ' * depth + "1" + "}" * depth).encode()
    with serving() as (process, url):
        for method in ("POST", "PUT"):
            request = urllib.request.Request(
                url + "store?default",
                data=bomb,
                method=method,
                headers={"Content-Type": "application/ld+json"},
            )
            with pytest.raises(urllib.error.HTTPError) as info:
                urllib.request.urlopen(request, timeout=10)
            assert info.value.code == 403
        assert Endpoint(url + "query").query("ASK { ?s ?p ?o }") is True
        assert stop_with_ctrl_c(process)[0] == 0


@pytest.mark.server
def test_a_chosen_port_taken_meanwhile_is_replaced(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        server = OxigraphServer(tmp_path / "store", port=0, read_only=False)
        server.port = busy.getsockname()[1]  # as if someone took it after we chose it
        with server:
            assert server.port != busy.getsockname()[1]
            assert Endpoint(server.query_url).query("ASK {}") is True
