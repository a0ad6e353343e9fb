"""A real browser for the tests of the HTML pages: Debian chromium through Playwright
(``executable_path``, never ``playwright install``), and a page opened offline that
records every request leaving it, every dialog and every script error.

Test modules skip themselves when chromium or the playwright package is missing (see
:data:`CHROMIUM` and :func:`require_browser`)."""

from __future__ import annotations

import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

__all__ = ["ARGS", "CHROMIUM", "Opened", "launch", "open_offline", "require_browser"]

#: Debian's chromium, or None.
CHROMIUM = shutil.which("chromium")

#: Flags of a headless chromium that talks to nobody (no updates, no sync, no GPU needed).
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


def require_browser() -> Any:
    """The ``playwright.sync_api`` module; skips the calling module without a browser."""
    if CHROMIUM is None:
        pytest.skip("needs Debian chromium (apt-get install chromium)", allow_module_level=True)
    return pytest.importorskip("playwright.sync_api", reason="needs the playwright package")


def launch(playwright: Any, *flags: str) -> Any:
    """A headless chromium with :data:`ARGS` plus ``flags``."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=[*ARGS, *flags])


@dataclass
class Opened:
    """A page opened by :func:`open_offline`, and what it tried to do."""

    page: Any
    seconds: float = 0.0
    outside: list[str] = field(default_factory=list)  # URLs of refused requests
    dialogs: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def open_offline(browser: Any, path: Path, *, width: int, timeout_ms: int) -> Opened:
    """Open the file ``path`` in a new page that may load only ``file:`` URLs; wait until
    the page says it is drawn (``body[data-drawn=true]``)."""
    opened = Opened(browser.new_page(viewport={"width": width, "height": 800}))

    def route(r: Any) -> None:
        if r.request.url.startswith("file:"):
            r.continue_()
        else:
            opened.outside.append(r.request.url)
            r.abort()

    opened.page.route("**/*", route)
    opened.page.on("dialog", lambda d: (opened.dialogs.append(d.message), d.dismiss()))
    opened.page.on("pageerror", lambda e: opened.errors.append(str(e)))
    start = time.perf_counter()
    opened.page.goto(path.as_uri())
    opened.page.wait_for_selector("body[data-drawn=true]", timeout=timeout_ms)
    opened.seconds = time.perf_counter() - start
    return opened
