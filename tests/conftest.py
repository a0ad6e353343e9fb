"""Shared fixtures (the real servers live in tests/servers.py), and a guard that fails any
test that reaches past the loopback network."""

from __future__ import annotations

import ipaddress
import socket
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from reconcile_servers import oxigraph_wikidata, virtuoso_wikidata, wikidata

from filmkg.build.project import load_project
from filmkg.engines.store import KnowledgeGraph
from servers import comunica, misbehaving, oxigraph, virtuoso, virtuoso_server

__all__ = [
    "comunica",
    "misbehaving",
    "oxigraph",
    "oxigraph_wikidata",
    "project_kg",
    "virtuoso",
    "virtuoso_server",
    "virtuoso_wikidata",
    "wikidata",
]

REPO = Path(__file__).resolve().parent.parent
DATA = REPO / "tests" / "data"
SHARED = REPO.parent / "shared"


@pytest.fixture(scope="session")
def project_kg() -> KnowledgeGraph:
    """The project graph (ontology, vocabularies, data, derived shortcuts). Do not mutate."""
    return load_project()


# -- no network past loopback -------------------------------------------------------------------
# A Python audit hook sees every socket connect / sendto / name lookup made by Python code
# in this process (not by native code such as pyoxigraph's HTTP client, nor by child
# processes: the canary server tests in test_security.py cover those). A destination
# outside 127.0.0.0/8 and ::1 is refused on the spot and fails the test that made it,
# even when a library swallows the error.

_OUTSIDE: list[str] = []
_LOCAL_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost", ""}


def _is_loopback(host: object) -> bool:
    if host is None:
        return True
    name = host.decode() if isinstance(host, bytes) else str(host)
    if name.lower() in _LOCAL_NAMES or name == socket.gethostname():
        return True
    try:
        return ipaddress.ip_address(name.split("%")[0]).is_loopback
    except ValueError:
        return False


def _network_audit(event: str, args: tuple[Any, ...]) -> None:
    if event in ("socket.connect", "socket.sendto"):
        sock, address = args[0], args[1]
        if getattr(sock, "family", None) not in (socket.AF_INET, socket.AF_INET6):
            return  # Unix sockets (multiprocessing, forkserver) are local by nature
        host = address[0] if isinstance(address, tuple) else address
    elif event == "socket.getaddrinfo":
        host = args[0]
    else:
        return
    if not _is_loopback(host):
        _OUTSIDE.append(f"{event} {host!r}")
        raise PermissionError(f"tests may not reach {host!r}: only loopback is allowed")


sys.addaudithook(_network_audit)


@pytest.fixture(autouse=True)
def _only_loopback_network() -> Iterator[None]:
    """Fail the test if it tried to reach an address outside loopback."""
    seen = len(_OUTSIDE)
    yield
    if len(_OUTSIDE) > seen:
        pytest.fail(f"the test tried to reach the network: {', '.join(_OUTSIDE[seen:])}")


def synthetic_store(root: Path, *, films: int, seed: int) -> Path:
    """A small on-disk store of a synthetic graph, as `filmkg build --store` leaves it."""
    from filmkg.synth import generator as synth

    nt = root / "films.nt"
    synth.write_file(nt, films=films, seed=seed)
    built = load_project([nt], include_data=False, store_path=root / "store")
    built.store.flush()
    del built
    return root / "store"
