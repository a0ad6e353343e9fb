"""Remote SPARQL endpoints: query, update and push, over plain SPARQL 1.1 HTTP.

Queries and updates go through SPARQLWrapper (the SPARQL 1.1 Protocol); pushing a graph
uses the SPARQL 1.1 Graph Store Protocol (``PUT`` replaces a named graph, ``POST`` adds to
it), with a SPARQL Update fallback (``INSERT DATA``) for stores without it. Nothing
home-made sits between filmkg and the store: any SPARQL 1.1 endpoint works (Oxigraph
server, Fuseki, GraphDB, Virtuoso, QLever for queries…).

An :class:`Endpoint` is an :class:`~filmkg.sparql.catalogue.Executor`: the named queries run on it
unchanged through :func:`filmkg.sparql.catalogue.run`, their parameters bound by a ``VALUES`` row
written by the one strict term serialiser (:mod:`filmkg.sparql.terms`), as on the
embedded engines (a remote endpoint has no ``initBindings``). Every term this module
writes into SPARQL text (graph names, ``INSERT DATA``) goes through that serialiser too.

Every failure is an :class:`~filmkg.errors.EndpointError` (exit code 3) whose message names
the endpoint without credentials: user information is stripped from URLs and any secret
value is masked, even if a server echoes it back.

>>> display_url("https://alice:s3cret@example.org/sparql?apikey=k3y&graph=x")
'https://example.org/sparql?apikey=***&graph=x'
>>> Credentials(user="alice", password="s3cret")
Credentials(basic auth for 'alice')
"""

from __future__ import annotations

import base64
import email.utils
import hashlib
import http.client
import os
import re
import socket
import ssl
import time
import urllib.error
import urllib.parse
import urllib.request
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, TypeVar

import pyoxigraph as ox
from rdflib import Graph, URIRef

from filmkg import __version__
from filmkg.engines.media import (
    GRAPH_ACCEPT,
    RESULTS_ACCEPT,
    body_excerpt,
    parse_graph,
    parse_results,
)
from filmkg.errors import (
    AuthenticationError,
    EndpointError,
    ForbiddenOperationError,
    ParseError,
    SourceNotFoundError,
    UsageError,
)
from filmkg.rdf.convert import to_rdflib
from filmkg.sparql.results import QueryResult
from filmkg.sparql.terms import to_sparql
from filmkg.sparql.tokenizer import tokens

__all__ = [
    "DEFAULT_BATCH_SIZE",
    "USER_AGENT",
    "Credentials",
    "Endpoint",
    "PushProgress",
    "PushReport",
    "PushedGraph",
    "RetryPolicy",
    "display_url",
    "load_credentials",
    "push",
    "query_form",
    "staging_graph",
    "user_agent",
]

#: The User-Agent of every request (Wikidata and others require a descriptive one).
USER_AGENT = f"filmkg/{__version__} (+https://w3id.org/filmkg)"


def user_agent(contact: str | None = None) -> str:
    """The User-Agent naming how to reach whoever runs filmkg (Wikimedia's User-Agent
    policy asks for a contact: an e-mail address or a URL).

    >>> user_agent("ana@example.org").endswith("(+https://w3id.org/filmkg; ana@example.org)")
    True
    >>> user_agent() == USER_AGENT
    True
    """
    if not contact:
        return USER_AGENT
    contact = contact.strip()
    if not contact.isprintable() or len(contact) > 200 or any(c in contact for c in "()"):
        raise UsageError(
            "the contact must be one printable line of at most 200 characters, without parentheses",
            hint="give an e-mail address or a URL, e.g. --contact you@example.org",
        )
    return f"{USER_AGENT[:-1]}; {contact})"


#: Triples per request when pushing a graph (a graph this size or smaller is one ``PUT``).
DEFAULT_BATCH_SIZE = 50_000

#: The graph a Graph Store probe asks for (it never exists, so nothing is read).
PROBE_GRAPH = "urn:filmkg:probe:absent"
#: Seconds a Graph Store probe waits (a URL that does not answer a GET is no store).
PROBE_TIMEOUT = 5.0

#: Environment variables read for credentials (also the keys of a credentials file).
ENV_USER = "FILMKG_ENDPOINT_USER"
ENV_PASSWORD = "FILMKG_ENDPOINT_PASSWORD"  # noqa: S105 - a variable name, not a password
ENV_TOKEN = "FILMKG_ENDPOINT_TOKEN"  # noqa: S105 - a variable name, not a token

_SECRET_PARAMS = re.compile(
    r"(?i)^(api[-_]?key|key|token|access[-_]?token|auth|password|passwd|secret|signature)$"
)
_REFUSED = re.compile(r"(?i)\bSECURITY\b|permission denied|no permission|not allowed")
_T = TypeVar("_T")


# -- credentials and URLs -----------------------------------------------------------
@dataclass(frozen=True, repr=False)
class Credentials:
    """HTTP credentials: basic auth (user + password) or a bearer token, never printed.

    >>> c = Credentials(token="t0ken")
    >>> c.authorization()
    'Bearer t0ken'
    >>> "t0ken" in repr(c) or "t0ken" in str(c)
    False
    """

    user: str | None = None
    password: str | None = None
    token: str | None = None

    def __post_init__(self) -> None:
        if self.token and (self.user or self.password):
            raise UsageError(
                "both a token and a user/password were given",
                hint=f"set either {ENV_TOKEN} or {ENV_USER} and {ENV_PASSWORD}",
            )
        if bool(self.user) != bool(self.password):
            missing = ENV_PASSWORD if self.user else ENV_USER
            raise UsageError(
                "basic auth needs both a user and a password", hint=f"{missing} is not set"
            )
        for value in (self.user, self.password, self.token):
            if value is not None and ("\n" in value or "\r" in value):
                raise UsageError("credentials cannot contain line breaks")

    def __bool__(self) -> bool:
        return bool(self.token or self.user)

    def __repr__(self) -> str:
        if self.token:
            return "Credentials(bearer token)"
        if self.user:
            return f"Credentials(basic auth for {self.user!r})"
        return "Credentials(none)"

    __str__ = __repr__

    def authorization(self) -> str | None:
        """The value of the ``Authorization`` header, or None without credentials."""
        if self.token:
            return f"Bearer {self.token}"
        if self.user and self.password is not None:
            blob = base64.b64encode(f"{self.user}:{self.password}".encode()).decode("ascii")
            return f"Basic {blob}"
        return None

    def secrets(self) -> tuple[str, ...]:
        """Every string that must never appear in a message (longest first)."""
        values: list[str] = []
        if self.token:
            values.append(self.token)
        if self.password:
            values.append(self.password)
            values.append(f"{self.user}:{self.password}")
        header = self.authorization()
        if header:
            values.append(header.split(" ", 1)[1])
        return tuple(sorted({v for v in values if len(v) >= 3}, key=len, reverse=True))

    def mask(self, text: str) -> str:
        """``text`` with every secret replaced by ``***``.

        >>> Credentials(user="u", password="pw123").mask("bad pw123 here")
        'bad *** here'
        """
        for secret in self.secrets():
            text = text.replace(secret, "***")
            quoted = urllib.parse.quote(secret, safe="")
            if quoted != secret:
                text = text.replace(quoted, "***")
        return text


def load_credentials(
    environ: Mapping[str, str] | None = None, file: str | Path | None = None
) -> Credentials:
    """Credentials from a credentials file (if given) or else the environment.

    The file holds ``KEY=VALUE`` lines with the environment variable names
    (``FILMKG_ENDPOINT_USER``, ``FILMKG_ENDPOINT_PASSWORD``, ``FILMKG_ENDPOINT_TOKEN``);
    blank lines and ``#`` comments are ignored. Keep it readable only by you (``chmod 600``).

    >>> load_credentials({"FILMKG_ENDPOINT_TOKEN": "abc"})
    Credentials(bearer token)
    >>> load_credentials({})
    Credentials(none)
    """
    if file is not None:
        values = _read_credentials_file(Path(file))
    else:
        env = os.environ if environ is None else environ
        values = {k: env[k] for k in (ENV_USER, ENV_PASSWORD, ENV_TOKEN) if env.get(k)}
    return Credentials(
        user=values.get(ENV_USER) or None,
        password=values.get(ENV_PASSWORD) or None,
        token=values.get(ENV_TOKEN) or None,
    )


def _read_credentials_file(path: Path) -> dict[str, str]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SourceNotFoundError(f"{path}: no such credentials file") from None
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
        raise SourceNotFoundError(f"{path}: cannot read the credentials file ({reason})") from None
    values: dict[str, str] = {}
    known = (ENV_USER, ENV_PASSWORD, ENV_TOKEN)
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.partition("=")
        key = key.strip().removeprefix("export ").strip()
        if not sep or key not in known:
            # never echo the line: it may hold a secret
            raise ParseError(
                "expected KEY=VALUE with KEY one of " + ", ".join(known),
                path=str(path),
                line=number,
            )
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[key] = value
    return values


def split_userinfo(url: str) -> tuple[str, Credentials | None]:
    """``url`` without its ``user:password@`` part, and those credentials if present.

    >>> split_userinfo("http://bob:pw%40x@localhost:7878/query")
    ('http://localhost:7878/query', Credentials(basic auth for 'bob'))
    >>> split_userinfo("http://localhost/query")
    ('http://localhost/query', None)
    """
    parts = urllib.parse.urlsplit(url)
    if parts.username is None and parts.password is None:
        return url, None
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = host if parts.port is None else f"{host}:{parts.port}"
    clean = urllib.parse.urlunsplit(parts._replace(netloc=netloc))
    user = urllib.parse.unquote(parts.username or "")
    password = urllib.parse.unquote(parts.password or "")
    if user and password:
        return clean, Credentials(user=user, password=password)
    return clean, None


def display_url(url: str) -> str:
    """``url`` fit to print: no user information, secret-looking parameters masked."""
    try:
        clean, _ = split_userinfo(url)
        parts = urllib.parse.urlsplit(clean)
    except ValueError:
        return "<invalid URL>"
    if not parts.query:
        return clean
    pairs = urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
    masked = "&".join(
        f"{urllib.parse.quote(k, safe='')}="
        + ("***" if _SECRET_PARAMS.match(k) else urllib.parse.quote(v, safe=":/"))
        for k, v in pairs
    )
    return urllib.parse.urlunsplit(parts._replace(query=masked))


def _check_url(url: str, option: str) -> str:
    try:
        parts = urllib.parse.urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        raise UsageError(
            f"{option}: not a valid URL", hint="give http(s)://host[:port]/path"
        ) from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError(
            f"{option}: {display_url(url)!r} is not an http(s) URL",
            hint="give http(s)://host[:port]/path",
        )
    return url


def _sibling(url: str, last: str) -> str:
    """``url`` with a trailing ``/query`` segment replaced by ``last`` (else ``url``)."""
    parts = urllib.parse.urlsplit(url)
    path = parts.path
    if path.endswith("/query"):
        path = path[: -len("query")] + last
    return urllib.parse.urlunsplit(parts._replace(path=path))


def _sibling_path(url: str, last: str) -> str:
    """``url`` with its last path segment replaced by ``last``.

    >>> _sibling_path("http://h:8890/sparql", "sparql-auth")
    'http://h:8890/sparql-auth'
    """
    parts = urllib.parse.urlsplit(url)
    head = parts.path.rstrip("/").rpartition("/")[0]
    return urllib.parse.urlunsplit(parts._replace(path=f"{head}/{last}"))


# -- HTTP --------------------------------------------------------------------------
@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try: retries after connection errors, 5xx and 429, with back-off.

    The wait before retry ``n`` (from 0) is ``backoff * 2**n`` seconds, or the server's
    ``Retry-After`` (for 429 / 503) when it is at most ``max_wait`` seconds; a longer
    ``Retry-After`` fails at once rather than hang.

    >>> [RetryPolicy(backoff=0.5).delay(n) for n in range(3)]
    [0.5, 1.0, 2.0]
    """

    retries: int = 3
    backoff: float = 0.5
    max_wait: float = 60.0

    def delay(self, attempt: int) -> float:
        """Seconds to wait before retry number ``attempt`` (0-based)."""
        return float(min(self.backoff * 2**attempt, self.max_wait))


class _TransientError(EndpointError):
    """A failure worth retrying (connection lost, 5xx, 429) after the retries ran out."""


class _ServerFailedError(_TransientError):
    """An HTTP 5xx answer: retried, and reported as lasting when every attempt got one."""


def _lasting(error: EndpointError, attempts: int) -> EndpointError:
    """``error`` after ``attempts`` tries: an HTTP 5xx on every one is no passing fault."""
    if not isinstance(error, _ServerFailedError) or attempts < 2:
        return error
    return EndpointError(
        error.message,
        hint=f"the server failed the same way on all {attempts} attempts, so waiting will "
        "not help: check the server's log, and the query",
    )


class _NotSupportedError(EndpointError):
    """The server does not offer this protocol at this URL (404, 405, 415, 501)."""


class _DigestAuth(urllib.request.HTTPDigestAuthHandler):
    """HTTP Digest authentication (Virtuoso's ``/sparql-auth``) with the user and password.

    Basic credentials go out with the first request; a server that answers 401 with a
    Digest challenge gets the Digest answer instead, on the endpoint's own origins only.
    """

    def __init__(self, credentials: Credentials, urls: Sequence[str]) -> None:
        passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
        if credentials.user and credentials.password is not None:
            for url in urls:
                parts = urllib.parse.urlsplit(url)
                origin = urllib.parse.urlunsplit((parts.scheme, parts.netloc, "/", "", ""))
                passwords.add_password(None, origin, credentials.user, credentials.password)
        super().__init__(passwords)
        self.enabled = bool(credentials.user and credentials.password is not None)
        #: Origins that asked for Digest: they get no Basic header first any more.
        self.digest_origins: set[tuple[str, str, int | None]] = set()

    def http_error_401(
        self, req: urllib.request.Request, fp: Any, code: int, msg: str, headers: Any
    ) -> Any:
        challenge = headers.get("WWW-Authenticate", "") if headers else ""
        sent = req.get_header("Authorization") or ""
        if self.enabled and not challenge and sent.startswith("Basic "):
            # Virtuoso refuses a Basic header without saying what it wants: ask again
            # without it to get its challenge
            req.remove_header("Authorization")
            return self.parent.open(req, timeout=req.timeout)
        if challenge.lower().startswith("digest"):
            self.digest_origins.add(_origin(req.full_url))
        try:
            return super().http_error_401(req, fp, code, msg, headers)
        finally:  # also after "digest auth failed": the next request starts afresh
            self.reset_retry_count()

    def retry_http_digest_auth(self, req: urllib.request.Request, auth: str) -> Any:
        req.remove_header("Authorization")  # the Basic header sent first: Digest replaces it
        return super().retry_http_digest_auth(req, auth)


class _SafeRedirects(urllib.request.HTTPRedirectHandler):
    """Follow redirects, but never send credentials to another origin."""

    def redirect_request(
        self,
        req: urllib.request.Request,
        fp: Any,
        code: int,
        msg: str,
        headers: Any,
        newurl: str,
    ) -> urllib.request.Request | None:
        new = super().redirect_request(req, fp, code, msg, headers, newurl)
        if new is not None and _origin(newurl) != _origin(req.full_url):
            new.remove_header("Authorization")
        return new


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urllib.parse.urlsplit(url)
    return parts.scheme, (parts.hostname or "").lower(), parts.port


def _retry_after(value: str | None) -> float | None:
    """Seconds from a ``Retry-After`` header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


# -- the endpoint ------------------------------------------------------------------
Via = Literal["auto", "gsp", "update"]


class Endpoint:
    """A remote SPARQL 1.1 service: query URL, update URL and Graph Store URL.

    ``url`` is the query endpoint. When it ends with ``/query`` (Oxigraph, Fuseki's
    ``/ds/query``), the update and store URLs default to its siblings ``/update`` and
    ``/store``; otherwise to ``url`` itself (a Fuseki dataset URL serves all three).
    ``default_graphs`` / ``named_graphs`` set the RDF dataset of every query through the
    protocol's ``default-graph-uri`` / ``named-graph-uri`` parameters (for stores whose
    default graph is not the union of the named graphs).

    >>> e = Endpoint("http://127.0.0.1:7878/query")
    >>> e.update_url, e.store_url
    ('http://127.0.0.1:7878/update', 'http://127.0.0.1:7878/store')
    """

    def __init__(
        self,
        url: str,
        *,
        update_url: str | None = None,
        store_url: str | None = None,
        credentials: Credentials | None = None,
        timeout: float = 60.0,
        retry: RetryPolicy | None = None,
        default_graphs: Sequence[str] = (),
        named_graphs: Sequence[str] = (),
        max_response_bytes: int = 512 * 1024 * 1024,
        user_agent: str = USER_AGENT,
    ) -> None:
        url, from_url = split_userinfo(_check_url(url, "--endpoint"))
        self.url = url
        self.update_url, _ = split_userinfo(
            _check_url(update_url, "--update-url") if update_url else _sibling(url, "update")
        )
        self.store_url, _ = split_userinfo(
            _check_url(store_url, "--store-url") if store_url else _sibling(url, "store")
        )
        self.credentials = credentials if credentials else (from_url or Credentials())
        if timeout <= 0:
            raise UsageError("the timeout must be a positive number of seconds")
        self.timeout = timeout
        self.retry = retry or RetryPolicy()
        self.default_graphs = tuple(default_graphs)
        self.named_graphs = tuple(named_graphs)
        self.max_response_bytes = max_response_bytes
        self.user_agent = user_agent
        self._store_given = store_url is not None
        self._update_given = update_url is not None
        self._store_found: str | None = None
        #: The ``Server`` header of the last answer (tells a store's URL layout).
        self.server = ""
        self._digest = _DigestAuth(self.credentials, (url, self.update_url, self.store_url))
        self._opener = urllib.request.build_opener(_SafeRedirects(), self._digest)
        self._sleep: Callable[[float], None] = time.sleep

    def __repr__(self) -> str:
        return f"Endpoint({display_url(self.url)!r})"

    # -- errors --------------------------------------------------------------------
    def _error(
        self, cls: type[EndpointError], url: str, text: str, hint: str | None = None
    ) -> EndpointError:
        message = self.credentials.mask(f"{display_url(url)}: {text}")
        return cls(message, hint=self.credentials.mask(hint) if hint else None)

    def _classify_http(
        self, exc: urllib.error.HTTPError, url: str
    ) -> tuple[EndpointError, float | None, bool]:
        """:meth:`_classify` for an HTTP error status."""
        code, status = exc.code, exc.reason or http.client.responses.get(exc.code, "")
        try:
            excerpt = body_excerpt(exc.read(4096))
        except (OSError, http.client.HTTPException):
            excerpt = ""
        detail = f"HTTP {code} {status}".strip() + (f": {excerpt}" if excerpt else "")
        if code in (401, 403):
            hint = (
                "the endpoint refused the credentials; check "
                f"{ENV_USER}/{ENV_PASSWORD} or {ENV_TOKEN} (or --credentials-file)"
                if self.credentials
                else f"it needs credentials: set {ENV_USER} and {ENV_PASSWORD}, "
                f"or {ENV_TOKEN} (or use --credentials-file)"
            )
            return self._error(AuthenticationError, url, detail, hint), None, False
        header = exc.headers.get("Retry-After") if exc.headers else None
        if code == 429 or (code == 503 and header):
            wait = _retry_after(header)
            if wait is not None and wait > self.retry.max_wait:
                error = self._error(
                    EndpointError,
                    url,
                    f"HTTP {code}: the endpoint asks to wait {wait:.0f} s, more than "
                    f"the {self.retry.max_wait:g} s limit",
                    "try again later",
                )
                return error, None, False
            error = self._error(_TransientError, url, detail, "too many requests; try again later")
            return error, (-1.0 if wait is None else wait), True
        if code in (404, 405, 415, 501):
            hint = "check the URL" if code == 404 else "the server does not allow this here"
            return self._error(_NotSupportedError, url, detail, hint), None, False
        if code in (504, 507):  # the server's own time or size limit: the same again
            hint = "the server stopped the query at its limit: narrow the query (LIMIT)"
            return self._error(EndpointError, url, detail, hint), None, False
        if 500 <= code < 600 and _REFUSED.search(excerpt):  # Virtuoso says "SECURITY"
            hint = (
                "the store does not let this user write: give credentials of a user "
                f"who may ({ENV_USER}/{ENV_PASSWORD}; Virtuoso: push to /sparql-auth)"
            )
            return self._error(AuthenticationError, url, detail, hint), None, False
        if 500 <= code < 600:
            error = self._error(
                _ServerFailedError, url, detail, "the server failed; try again later"
            )
            return error, -1.0, False
        return self._error(EndpointError, url, detail), None, False

    def _classify(self, exc: BaseException, url: str) -> tuple[EndpointError, float | None, bool]:
        """The error for ``exc``; the wait before a retry (None: never retry, -1: back off);
        and whether the server surely did nothing (so any request may be repeated)."""
        if isinstance(exc, urllib.error.HTTPError):
            return self._classify_http(exc, url)
        reason: object = exc.reason if isinstance(exc, urllib.error.URLError) else exc
        if isinstance(reason, TimeoutError):
            error = self._error(
                EndpointError,
                url,
                f"no answer within {self.timeout:g} s",
                "raise --timeout, or check that the server is up",
            )
            return error, None, False
        if isinstance(reason, socket.gaierror):
            return self._error(EndpointError, url, "unknown host", "check the URL"), None, False
        if isinstance(reason, ssl.SSLError):
            return self._error(EndpointError, url, f"TLS error: {reason}"), None, False
        if isinstance(reason, ConnectionRefusedError):
            error = self._error(
                _TransientError, url, "connection refused", "is the server running? check the URL"
            )
            return error, -1.0, True
        if isinstance(reason, (ConnectionError, http.client.HTTPException, OSError)):
            text = getattr(reason, "strerror", None) or type(reason).__name__
            return self._error(_TransientError, url, f"connection failed ({text})"), -1.0, False
        error = self._error(EndpointError, url, f"request failed ({type(reason).__name__})")
        return error, None, False

    def _call(self, action: Callable[[], _T], url: str, *, retry: bool = True) -> _T:
        """Run one HTTP exchange under the retry policy.

        Failures where the server surely did nothing (429, connection refused) are retried
        for any request; other transient ones (5xx, connection lost) only when ``retry``
        (the request is safe to repeat).
        """
        attempt = 0
        while True:
            try:
                return action()
            except (urllib.error.URLError, http.client.HTTPException, OSError) as exc:
                error, wait, untouched = self._classify(exc, url)
                if wait is None or attempt >= self.retry.retries or not (retry or untouched):
                    raise _lasting(error, attempt + 1) from None
                self._sleep(wait if wait >= 0 else self.retry.delay(attempt))
                attempt += 1

    def _open(
        self, request: urllib.request.Request, timeout: float | None = None
    ) -> tuple[bytes, str]:
        """Send ``request``; return the body (bounded) and its media type."""
        request.add_header("User-Agent", self.user_agent)
        auth = self.credentials.authorization()
        if auth and _origin(request.full_url) not in self._digest.digest_origins:
            request.add_header("Authorization", auth)  # dropped on cross-origin redirects
        with self._opener.open(request, timeout=timeout or self.timeout) as response:
            self.server = response.headers.get("Server", "") or self.server
            data = response.read(self.max_response_bytes + 1)
            media = response.headers.get_content_type()
        if len(data) > self.max_response_bytes:
            raise EndpointError(
                f"{display_url(request.full_url)}: the answer is larger than "
                f"{self.max_response_bytes} bytes",
                hint="narrow the query (LIMIT) or raise the limit",
            )
        return data, media

    # -- SPARQL protocol (SPARQLWrapper) --------------------------------------------
    def _wrapper(self, *, update: bool = False, accept: str | None = None) -> Any:
        # SPARQLWrapper only when a remote endpoint is used
        from SPARQLWrapper import POST, POSTDIRECTLY, SPARQLWrapper

        endpoint = self

        class _Wrapper(SPARQLWrapper):  # type: ignore[misc]
            """SPARQLWrapper building the requests; our opener sending them."""

            def _query(self) -> tuple[Any, str]:
                request = self._createRequest()
                if accept:  # the standard types first, with q-values (media.py)
                    request.add_header("Accept", accept)
                data, media = endpoint._open(request)
                return _Answer(data, media), self.returnFormat

        wrapper = _Wrapper(self.url, updateEndpoint=self.update_url, agent=self.user_agent)
        wrapper.setOnlyConneg(True)
        if update:
            wrapper.setMethod(POST)
            wrapper.setRequestMethod(POSTDIRECTLY)
            return wrapper
        for g in self.default_graphs:
            wrapper.addDefaultGraph(g)
        for g in self.named_graphs:
            wrapper.addNamedGraph(g)
        return wrapper

    def query(self, sparql: str) -> QueryResult | bool | Graph:
        """Run a query; SELECT → :class:`QueryResult`, ASK → bool, CONSTRUCT/DESCRIBE → Graph.

        To bind parameters, build the text with :func:`filmkg.sparql.catalogue.bind` (or run a named
        query with :func:`filmkg.sparql.catalogue.run`): never paste values into ``sparql``.
        """
        # SPARQLWrapper only when a remote endpoint is used
        from SPARQLWrapper import ASK, JSON, POST, SELECT, TURTLE

        form = query_form(sparql)
        if form == "UPDATE":
            raise ForbiddenOperationError(
                "this is a SPARQL Update, not a query", hint="filmkg only reads from endpoints"
            )
        tabular = form in (SELECT, ASK)
        wrapper = self._wrapper(accept=RESULTS_ACCEPT if tabular else GRAPH_ACCEPT)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            wrapper.setQuery(sparql)
        # SPARQLWrapper guesses the form with a regex that words in comments can fool
        wrapper.queryType = form
        wrapper.setReturnFormat(JSON if tabular else TURTLE)
        if len(urllib.parse.quote(sparql)) > 1500:
            wrapper.setMethod(POST)
        answer: _Answer = self._call(lambda: wrapper.query().response, self.url)
        where = display_url(self.url)
        if tabular:
            return parse_results(answer.data, answer.media, where, form)
        return parse_graph(answer.data, answer.media, where)

    def select(self, sparql: str) -> QueryResult:
        """Run a SELECT query and return its rows."""
        result = self.query(sparql)
        if not isinstance(result, QueryResult):
            raise UsageError("not a SELECT query")
        return result

    def update(self, sparql: str, *, retry: bool = False) -> None:
        """Send a SPARQL Update (project-built text only: its terms come from the serialiser)."""
        wrapper = self._wrapper(update=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            wrapper.setQuery(sparql)
        if not wrapper.isSparqlUpdateRequest():  # pragma: no cover - our own text
            raise UsageError("not a SPARQL Update")
        self._call(lambda: wrapper.query().response, self.update_url, retry=retry)

    def lacks_union_default_graph(self) -> bool:
        """Whether filmkg's named graphs hold data that the default graph does not show
        (the store does not make its default graph their union, and no ``default_graphs``).

        One of their triples is looked up in the default graph: whatever else the default
        graph holds (a store's own system graph, someone else's data) does not count.
        filmkg's queries read the default graph: see docs/triple-store.md.
        """
        if self.default_graphs:
            return False
        text = (Path(__file__).with_name("default_graph.rq")).read_text(encoding="utf-8")
        rows = self.select(text).rows
        if not rows or rows[0][1] is None:
            return False
        return str(rows[0][1]).strip().lower() not in ("true", "1")  # Virtuoso: 1 / 0

    def count_triples(self, graphs: Iterable[str]) -> dict[str, int]:
        """The number of triples in each named graph (0 for a graph that does not exist)."""
        names = sorted({str(g) for g in graphs})
        counts = dict.fromkeys(names, 0)
        if not names:
            return counts
        graphs_sparql = " ".join(to_sparql(URIRef(n)) for n in names)
        result = self.select(
            f"SELECT ?g (COUNT(*) AS ?n) WHERE {{ VALUES ?g {{ {graphs_sparql} }} "
            "GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g"
        )
        for g, n in result.rows:
            if g is not None and n is not None and str(g) in counts:
                counts[str(g)] = int(n.toPython())  # type: ignore[union-attr]
        return counts

    # -- finding the Graph Store ----------------------------------------------------
    def store_candidates(self) -> list[str]:
        """The URLs that may serve the Graph Store Protocol, most likely first.

        ``--store-url`` when given; else the store layouts of known servers, from the
        query URL and the ``Server`` header (the SPARQL Service Description has no term for
        a Graph Store URL): Oxigraph ``/query`` → ``/store``; Virtuoso ``/sparql`` →
        ``/sparql-graph-crud`` (``-auth`` with credentials, Digest); Fuseki
        ``/ds/sparql`` → ``/ds/data``; GraphDB ``/repositories/R`` →
        ``/repositories/R/rdf-graphs/service``; finally the query URL itself.

        >>> Endpoint("http://h:8890/sparql").store_candidates()
        ['http://h:8890/sparql-graph-crud', 'http://h:8890/data', 'http://h:8890/sparql']
        """
        if self._store_given:
            return [self.store_url]
        parts = urllib.parse.urlsplit(self.url)
        path = parts.path.rstrip("/")
        head, _, last = path.rpartition("/")
        virtuoso = "virtuoso" in self.server.lower() or last in ("sparql", "sparql-auth")

        def at(new_path: str) -> str:
            return urllib.parse.urlunsplit(parts._replace(path=new_path, query=""))

        found: list[str] = []
        if last == "query":
            found.append(self.store_url)  # the /store sibling
        if virtuoso:
            found.append(at(f"{head}/sparql-graph-crud" + ("-auth" if self.credentials else "")))
        if last in ("sparql", "query"):
            found.append(at(f"{head}/data"))
        if head.endswith("/repositories"):
            found.append(at(f"{path}/rdf-graphs/service"))
        found.append(self.url)
        return list(dict.fromkeys(found))

    def _is_store(self, candidate: str) -> bool:
        """Whether ``candidate`` answers like a Graph Store: a quick ``GET`` of a graph that
        does not exist gives 404 (or the graph); a query URL says 400, others 405/501."""
        request = self._store_request("GET", PROBE_GRAPH, base=candidate)
        request.add_header("Accept", "application/n-triples, text/turtle;q=0.9")
        try:
            self._open(request, timeout=min(self.timeout, PROBE_TIMEOUT))
        except urllib.error.HTTPError as exc:
            if exc.code in (401, 403):
                raise self._classify(exc, candidate)[0] from None
            self.server = (exc.headers.get("Server", "") if exc.headers else "") or self.server
            return exc.code in (404, 406)
        except (urllib.error.URLError, http.client.HTTPException, OSError) as exc:
            reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
            if isinstance(reason, TimeoutError):
                return False  # no answer to a GET: surely no Graph Store (Virtuoso's /sparql)
            raise self._classify(exc, candidate)[0] from None
        return True

    def find_store(self) -> str | None:
        """The Graph Store URL to push to (probed once), or None: use SPARQL Update."""
        if self._store_found is None:
            found = next((c for c in self.store_candidates() if self._is_store(c)), "")
            self._store_found = found
            if found:
                self.store_url = found
            if not self._update_given and self.credentials and found.endswith("-auth"):
                self.update_url = _sibling_path(self.url, "sparql-auth")  # Virtuoso's
        return self._store_found or None

    # -- Graph Store Protocol -------------------------------------------------------
    def _store_request(
        self, method: str, graph: str, body: bytes | None = None, *, base: str | None = None
    ) -> urllib.request.Request:
        base = base or self.store_url
        query = urllib.parse.urlencode({"graph": graph})
        sep = "&" if urllib.parse.urlsplit(base).query else "?"
        request = urllib.request.Request(f"{base}{sep}{query}", method=method)
        if body is not None:
            request.data = body
            request.add_header("Content-Type", "application/n-triples")
        return request

    def graph_put(self, graph: str, ntriples: bytes, *, retry: bool = False) -> None:
        """Replace the named graph ``graph`` with the N-Triples ``ntriples`` (GSP ``PUT``)."""
        request = self._store_request("PUT", graph, ntriples)
        self._call(lambda: self._open(request), request.full_url, retry=retry)

    def graph_post(self, graph: str, ntriples: bytes) -> None:
        """Add the N-Triples ``ntriples`` to the named graph ``graph`` (GSP ``POST``)."""
        request = self._store_request("POST", graph, ntriples)
        self._call(lambda: self._open(request), request.full_url, retry=False)

    def graph_delete(self, graph: str) -> None:
        """Delete the named graph ``graph`` (GSP ``DELETE``); a missing graph is fine."""
        request = self._store_request("DELETE", graph)
        try:
            self._call(lambda: self._open(request), request.full_url)
        except _NotSupportedError as exc:
            if "HTTP 404" not in exc.message:
                raise


_UPDATE_WORDS = frozenset(
    ("INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH")
)


def query_form(sparql: str) -> str:
    r"""SELECT, ASK, CONSTRUCT, DESCRIBE or UPDATE: the first keyword outside comments,
    strings and IRIs (read with the named-query tokenizer).

    >>> query_form("# DROP ALL would be bad\nPREFIX d: <http://e.org/drop#> ASK { ?s ?p 'DROP' }")
    'ASK'
    >>> query_form("PREFIX x: <http://e.org/> CLEAR ALL")
    'UPDATE'
    """
    for token in tokens(sparql):
        word = token.upper()
        if word in ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE"):
            return word
        if word in _UPDATE_WORDS:
            return "UPDATE"
    return "SELECT"


class _Answer:
    """A response body and its media type (what SPARQLWrapper's QueryResult wraps)."""

    def __init__(self, data: bytes, media: str) -> None:
        self.data = data
        self.media = media

    def read(self) -> bytes:
        return self.data

    def info(self) -> dict[str, str]:
        return {"content-type": self.media}


# -- push ------------------------------------------------------------------------------
@dataclass(frozen=True)
class PushProgress:
    """Progress of a push, given to the ``progress`` callback after each request."""

    graph: str
    batch: int
    batches: int
    sent: int
    total: int


@dataclass(frozen=True)
class PushedGraph:
    """One named graph pushed: how many triples, how, verified by a count."""

    graph: str
    triples: int
    method: str


@dataclass(frozen=True)
class PushReport:
    """What a push did, graph by graph."""

    endpoint: str
    graphs: tuple[PushedGraph, ...] = field(default_factory=tuple)

    @property
    def triples(self) -> int:
        """Triples pushed in all."""
        return sum(g.triples for g in self.graphs)


def staging_graph(graph: str) -> str:
    """The graph a large push fills before it is moved onto ``graph`` in one update.

    Derived from ``graph`` so a re-run after an interruption replaces the leftovers.

    >>> staging_graph("https://w3id.org/filmkg/graph/here")
    'urn:filmkg:staging:...'
    """
    digest = hashlib.sha256(graph.encode("utf-8")).hexdigest()[:32]
    return f"urn:filmkg:staging:{digest}"


def _batches(store: ox.Store, graph: ox.NamedNode, size: int) -> Iterator[list[ox.Triple]]:
    """The triples of one graph in batches of at most ``size`` (except blank node groups).

    Triples that share a blank node always travel in the same batch: blank node labels
    are scoped to one request, so splitting them would split the node.
    """
    plain: list[ox.Triple] = []
    linked: list[ox.Triple] = []
    for quad in store.quads_for_pattern(None, None, None, graph):
        triple = quad.triple
        if isinstance(triple.subject, ox.BlankNode) or isinstance(triple.object, ox.BlankNode):
            linked.append(triple)
            continue
        plain.append(triple)
        if len(plain) >= size:
            yield plain
            plain = []
    if linked:
        parent: dict[str, str] = {}

        def find(x: str) -> str:
            while parent.setdefault(x, x) != x:
                parent[x] = parent[parent[x]]
                x = parent[x]
            return x

        for t in linked:
            nodes = [n.value for n in (t.subject, t.object) if isinstance(n, ox.BlankNode)]
            for other in nodes[1:]:
                parent[find(other)] = find(nodes[0])
        groups: dict[str, list[ox.Triple]] = {}
        for t in linked:
            first = t.subject if isinstance(t.subject, ox.BlankNode) else t.object
            assert isinstance(first, ox.BlankNode)
            groups.setdefault(find(first.value), []).append(t)
        for group in groups.values():
            if plain and len(plain) + len(group) > size:
                yield plain
                plain = []
            plain.extend(group)
    if plain:
        yield plain


def _ntriples(triples: list[ox.Triple]) -> bytes:
    data = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
    assert data is not None
    return data


def _insert_data(graph: str, triples: list[ox.Triple]) -> str:
    """``INSERT DATA`` for ``triples`` in ``graph``: terms by the strict serialiser.

    Blank nodes get labels minted here (``_:b0``, ``_:b1``…), never their own identifiers:
    a batch holds every triple of its blank nodes (see :func:`_batches`).
    """
    labels: dict[str, str] = {}

    def term(t: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> str:
        if isinstance(t, ox.BlankNode):
            return labels.setdefault(t.value, f"_:b{len(labels)}")
        if isinstance(t, ox.Triple):
            raise UsageError("triple terms (RDF 1.2) cannot be pushed with SPARQL Update")
        return to_sparql(to_rdflib(t))

    body = "\n".join(f"{term(t.subject)} {term(t.predicate)} {term(t.object)} ." for t in triples)
    return f"INSERT DATA {{ GRAPH {to_sparql(URIRef(graph))} {{\n{body}\n}} }}"


def push(
    kg: Any,
    endpoint: Endpoint,
    *,
    graphs: Sequence[str] | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    via: Via = "auto",
    progress: Callable[[PushProgress], None] | None = None,
) -> PushReport:
    """Copy named graphs of ``kg`` (a :class:`~filmkg.engines.store.KnowledgeGraph`) to a store.

    Each named graph replaces the graph of the same name in the store:

    * a graph of at most ``batch_size`` triples is one Graph Store ``PUT`` (atomic);
    * a larger one is ``PUT`` then ``POST``-ed in batches into a staging graph
      (:func:`staging_graph`), then moved onto its name by one SPARQL ``MOVE``: readers
      never see half a graph, and re-running after an interruption replaces the leftovers;
    * without the Graph Store Protocol (``via="update"``, or ``"auto"`` when the store
      URL answers 404/405/415/501), the same with ``INSERT DATA`` updates.

    A failed batch restarts its graph from the beginning (after back-off), so a retry
    never doubles triples. Finally every graph is counted in the store: a count that
    differs from the local one is an :class:`EndpointError`.
    """
    if batch_size < 1:
        raise UsageError("--batch-size must be at least 1")
    present = [str(g) for g in kg.graph_names()]
    names = list(dict.fromkeys(str(g) for g in graphs)) if graphs else present
    missing = [g for g in names if g not in present]
    if missing:
        derived = " (graph:network is derived by `filmkg build`: push dist/filmkg.trig)"
        raise UsageError(
            f"no named graph {missing[0]!r} in the graph to push",
            hint="graphs: "
            + ", ".join(present)
            + (derived if missing[0].endswith("/graph/network") else ""),
        )
    endpoint.count_triples(names)  # a query URL that answers, before anything is written
    method: Via = _choose_method(endpoint, via)
    store: ox.Store = kg.store
    expected = {
        g: sum(1 for _ in store.quads_for_pattern(None, None, None, ox.NamedNode(g))) for g in names
    }
    pushed: list[PushedGraph] = []
    for name in names:
        attempt = 0
        while True:
            try:
                used = _push_graph(
                    endpoint, store, name, expected[name], batch_size, method, progress
                )
                break
            except _NotSupportedError:
                if method != "auto" or attempt > 0:
                    raise
                method = "update"  # no Graph Store Protocol here: fall back to SPARQL Update
            except _TransientError as error:
                if attempt >= endpoint.retry.retries:
                    raise _lasting(error, attempt + 1) from None
                endpoint._sleep(endpoint.retry.delay(attempt))
                attempt += 1
        if method == "auto":
            method = "gsp"
        pushed.append(PushedGraph(name, expected[name], used))
    _verify(endpoint, expected, method)
    return PushReport(display_url(endpoint.url), tuple(pushed))


def _choose_method(endpoint: Endpoint, via: Via) -> Via:
    """``via``, or ``"update"`` when ``"auto"`` finds no Graph Store URL (probed quickly)."""
    if via == "update" or endpoint.find_store() is not None:
        return via
    if via == "auto":
        return "update"
    tried = ", ".join(display_url(c) for c in endpoint.store_candidates())
    raise EndpointError(
        f"{display_url(endpoint.url)}: found no Graph Store Protocol endpoint (tried {tried})",
        hint="give the store's Graph Store URL with --store-url (Virtuoso: "
        "…/sparql-graph-crud-auth), or push with --via update",
    )


def _push_graph(
    endpoint: Endpoint,
    store: ox.Store,
    name: str,
    total: int,
    batch_size: int,
    via: Via,
    progress: Callable[[PushProgress], None] | None,
) -> str:

    graph = ox.NamedNode(name)
    batches = max(1, -(-total // batch_size))
    gsp = via in ("auto", "gsp")
    target_sparql = to_sparql(URIRef(name))

    def report(batch: int, sent: int) -> None:
        if progress is not None:
            progress(PushProgress(name, batch, batches, sent, total))

    if total == 0:
        if gsp:
            endpoint.graph_delete(name)
        else:
            endpoint.update(f"DROP SILENT GRAPH {target_sparql}")
        report(1, 0)
        return "gsp" if gsp else "update"
    staged = total > batch_size
    target = staging_graph(name) if staged else name
    target_term = to_sparql(URIRef(target))
    sent = 0
    for index, batch in enumerate(_batches(store, graph, batch_size), start=1):
        if gsp:
            body = _ntriples(batch)
            if index == 1:
                endpoint.graph_put(target, body)
            else:
                endpoint.graph_post(target, body)
        else:
            insert = _insert_data(target, batch)
            endpoint.update(
                f"DROP SILENT GRAPH {target_term} ;\n{insert}" if index == 1 else insert
            )
        sent += len(batch)
        report(index, sent)
    if staged:
        try:
            endpoint.update(f"MOVE {target_term} TO {target_sparql}")
        except _NotSupportedError as exc:
            raise EndpointError(
                f"{exc.message}: a graph of {total} triples needs SPARQL Update (MOVE) to "
                "replace it safely",
                hint=f"give --update-url, or a --batch-size of at least {total}",
            ) from None
    return ("gsp" if gsp else "update") + ("+move" if staged else "")


def _verify(endpoint: Endpoint, expected: Mapping[str, int], via: Via) -> None:
    """Count every pushed graph in the store; drop leftover staging graphs."""
    stagings = {staging_graph(g): g for g in expected}
    counts = endpoint.count_triples([*expected, *stagings])
    for staging, count in counts.items():
        if staging in stagings and count:
            if via == "update":
                endpoint.update(f"DROP SILENT GRAPH {to_sparql(URIRef(staging))}")
            else:
                endpoint.graph_delete(staging)
    wrong = [(g, n, counts.get(g, 0)) for g, n in expected.items() if counts.get(g, 0) != n]
    if wrong:
        g, n, got = wrong[0]
        raise EndpointError(
            f"{display_url(endpoint.url)}: graph <{g}> has {got} triples in the store after the "
            f"push, expected {n}",
            hint="another writer may be changing it, or the store altered the data; push again",
        )
