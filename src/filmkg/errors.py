"""The one error hierarchy of filmkg.

Every error the library raises on purpose derives from :class:`FilmKGError` and carries
the process exit code the CLI uses for it (``filmkg`` is the only place that turns an
error into an exit code; the library never calls :func:`sys.exit`)::

    FilmKGError                      exit 5 unless a subclass says otherwise
    ├── UsageError                   2  a wrong option, name or parameter
    │   ├── UnknownQueryError        2  no named query of that name (with suggestions)
    │   ├── ParameterError           2  a parameter that is missing, malformed or unknown
    │   │   └── UnknownEntityError   2  no person/film of that name (with suggestions)
    │   ├── ForbiddenOperationError  2  SERVICE / LOAD / update refused without a flag
    │   └── UnsupportedShapesError   2  a SHACL feature --engine sparql does not compile
    ├── InputError                   2  input that cannot be read or used
    │   ├── SourceNotFoundError      2  a file that does not exist or cannot be opened
    │   ├── ParseError               2  RDF or SPARQL with a syntax error (file, line, column)
    │   │   └── QuerySyntaxError     2  SPARQL that does not parse
    │   ├── InputLimitError          2  input past a safety limit (size, depth, line length)
    │   ├── ImportLossError          2  an import that makes no films or loses too many records
    │   └── ExportError              2  data the chosen export format cannot represent
    ├── ResourceLimitError           4  a query past its time or result-size limit
    ├── EndpointError                3  a remote SPARQL endpoint that failed (down, 4xx, 5xx)
    │   └── AuthenticationError      3  a 401/403 from the endpoint
    ├── OutputError                  6  an output that cannot be written (folder, disk full)
    ├── AddressInUseError            7  a port to listen on that is taken (serve)
    └── InternalError                5  a bug in filmkg: please report it

Non-conformance with the shapes is not an error: validation returns a report whose
``conforms`` is false, and the CLI exits with 1.

>>> err = ParseError("bad token", path="film.ttl", line=40, column=7)
>>> str(err)
'film.ttl:40:7: bad token'
>>> err.exit_code
2
"""

from __future__ import annotations

__all__ = [
    "EXIT_CODES",
    "AddressInUseError",
    "AuthenticationError",
    "EndpointError",
    "ExportError",
    "FilmKGError",
    "ForbiddenOperationError",
    "ImportLossError",
    "InputError",
    "InputLimitError",
    "InternalError",
    "OutputError",
    "ParameterError",
    "ParseError",
    "QuerySyntaxError",
    "ResourceLimitError",
    "SourceNotFoundError",
    "UnknownEntityError",
    "UnknownQueryError",
    "UnsupportedShapesError",
    "UsageError",
]

#: The documented exit codes of the ``filmkg`` command.
EXIT_CODES: dict[int, str] = {
    0: "success; the data conforms",
    1: "the data does not conform to the shapes (validate, build)",
    2: "usage error or unreadable / unusable input (missing file, syntax error, bad name)",
    3: "a remote SPARQL endpoint failed (down, refused, timeout, HTTP 4xx/5xx)",
    4: "a resource limit was hit (query time or result size)",
    5: "internal error (a bug: please report it)",
    6: "an output cannot be written (its folder is a file or read-only, or the disk is full)",
    7: "the address to listen on is in use (serve: another process has the port)",
    141: "a broken pipe: the reader of the output went away (`| head`); quiet, as other Unix tools",
}


class FilmKGError(Exception):
    """Base class of every error filmkg raises on purpose.

    >>> isinstance(UnknownQueryError("x"), FilmKGError)
    True
    """

    exit_code: int = 5

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        if self.hint:
            return f"{self.message}; {self.hint}"
        return self.message


class UsageError(FilmKGError):
    """A wrong option, name or parameter given by the user."""

    exit_code = 2


class OutputError(FilmKGError):
    """An output that cannot be written: its folder is a file or read-only, or the disk is full."""

    exit_code = 6


class AddressInUseError(FilmKGError):
    """The address (host and port) a server should listen on is taken."""

    exit_code = 7


class UnknownQueryError(UsageError):
    """No named query of that name."""


class ParameterError(UsageError):
    """A query parameter that is missing, malformed or not declared."""


class UnknownEntityError(ParameterError):
    """A name that matches no entity, or several (the message lists candidates)."""


class ForbiddenOperationError(UsageError):
    """An operation refused by default for safety (SERVICE, LOAD, updates, network)."""


class UnsupportedShapesError(UsageError):
    """The shapes use a SHACL feature the SPARQL compiler does not cover (``--engine
    sparql`` only: the default engine runs such a shape through pySHACL instead)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, hint="use --engine auto (the default) or --engine pyshacl")


class InputError(FilmKGError):
    """Input that cannot be read or used."""

    exit_code = 2


class SourceNotFoundError(InputError):
    """A file that does not exist or cannot be opened."""


class ParseError(InputError):
    """A syntax error in an input, with its location when known.

    >>> str(ParseError("unexpected end of file", path="x.ttl"))
    'x.ttl: unexpected end of file'
    """

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        line: int | None = None,
        column: int | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message, hint=hint)
        self.path = path
        self.line = line
        self.column = column

    @property
    def location(self) -> str:
        """``file:line:column`` with the parts that are known."""
        parts = [self.path or "<input>"]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(parts)

    def __str__(self) -> str:
        return f"{self.location}: {super().__str__()}"


class QuerySyntaxError(ParseError):
    """SPARQL text that does not parse."""


class InputLimitError(InputError):
    """Input past a documented safety limit (size, nesting depth, line length…)."""


class ImportLossError(InputError):
    """An import that makes no films, or loses more of its records than allowed."""


class ExportError(InputError):
    """Data that the chosen export format cannot represent (e.g. a control character in RDF/XML)."""


class ResourceLimitError(FilmKGError):
    """A query that ran past its time limit or result-size limit."""

    exit_code = 4


class EndpointError(FilmKGError):
    """A remote SPARQL endpoint that could not be used."""

    exit_code = 3


class AuthenticationError(EndpointError):
    """The endpoint refused our credentials (HTTP 401 / 403)."""


class InternalError(FilmKGError):
    """A bug in filmkg."""

    exit_code = 5
