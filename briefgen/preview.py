"""The preview's web application (Starlette): the index, a page per variant, live updates, files.

It serves only what a build wrote to reports/ (PDF, HTML, build.json; no dotfile, nothing whose
real path leaves reports/) and its own pages and assets, shipped in briefgen/web/. Pages update
through Server-Sent Events that the board's changes drive; a stream ends when the board closes,
so stopping the server never waits for a browser.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import jinja2
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, Response, StreamingResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from .board import Board, View
from .project import Project

WEB = Path(__file__).resolve().parent / "web"
SERVED = {
    ".pdf": "application/pdf",
    ".html": "text/html; charset=utf-8",
    ".json": "application/json",
}
LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")
PING_SECONDS = 15.0  # a comment on an idle stream, so a vanished browser is noticed
# The preview's own pages: its script and stylesheet only, frames of its own origin.
PAGE_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; frame-src 'self'; object-src 'self'; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'none'"
)
# A document's HTML: shown, never run. Its stylesheets are file: URLs, for WeasyPrint only.
DOCUMENT_POLICY = (
    "sandbox; default-src 'none'; img-src data:; style-src 'unsafe-inline'; font-src data:; "
    "frame-ancestors 'self'"
)


def make_app(project: Project, board: Board, hosts: tuple[str, ...] = LOCAL_HOSTS) -> Starlette:
    """Return the preview's application; `hosts` are the Host headers it answers ("*": any)."""
    pages = jinja2.Environment(
        loader=jinja2.FileSystemLoader(WEB / "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )

    async def index(request: Request) -> Response:
        body = pages.get_template("index.html").render(
            views=[_fields(project, v) for v in board.all_views()],
            problems=board.problems,
            generation=board.generation,
        )
        return HTMLResponse(body, headers=_page_headers())

    async def variant(request: Request) -> Response:
        view = _known(board, request.path_params["name"])
        body = pages.get_template("variant.html").render(view=_fields(project, view))
        return HTMLResponse(body, headers=_page_headers())

    async def events(request: Request) -> Response:
        name = request.path_params.get("name")
        if name is not None:
            _known(board, name)
        return StreamingResponse(
            _stream(project, board, name),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"},
        )

    async def report(request: Request) -> Response:
        path = safe_output(project, request.path_params["path"])
        headers = {"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"}
        if path.suffix == ".html":
            headers["Content-Security-Policy"] = DOCUMENT_POLICY
        return FileResponse(
            path, media_type=SERVED[path.suffix], headers=headers, content_disposition_type="inline"
        )

    routes = [
        Route("/", index),
        Route("/variant/{name}", variant),
        Route("/events", events),
        Route("/events/{name}", events),
        Route("/reports/{path:path}", report),
        Mount("/assets", StaticFiles(directory=WEB / "assets"), name="assets"),
    ]
    allowed = ["*"] if "*" in hosts else list(hosts)
    return Starlette(
        routes=routes, middleware=[Middleware(TrustedHostMiddleware, allowed_hosts=allowed)]
    )


def safe_output(project: Project, name: str) -> Path:
    """Return the file of reports/ that `name` asks for; raise a 404 for anything else.

    Refused: a part that is empty, "." or "..", or starts with a dot (reports/.briefgen, a
    temporary file), a kind of file a build does not write, and a file whose real path (links
    resolved) is not inside reports/.
    """
    parts = name.split("/")
    if any(not p or p.startswith(".") or "\\" in p or "\0" in p for p in parts):
        raise HTTPException(404)
    reports = project.reports_dir.resolve()
    path = (reports / name).resolve()
    if not path.is_relative_to(reports) or path.suffix not in SERVED or not path.is_file():
        raise HTTPException(404)
    return path


def _known(board: Board, name: str) -> View:
    view = board.view(name)
    if view is None:
        raise HTTPException(404, f"no variant {name!r}")
    return view


def _page_headers() -> dict[str, str]:
    return {
        "Content-Security-Policy": PAGE_POLICY,
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "Cache-Control": "no-cache",
    }


def _fields(project: Project, view: View) -> dict[str, Any]:
    """Return what a page or an event shows of a variant (the page's script reads the same)."""
    reports = project.reports_dir

    def url(name: str) -> str | None:
        return f"/reports/{name}?v={view.stamp}" if (reports / name).is_file() else None

    return {
        "name": view.name,
        "output": view.output,
        "language": view.language,
        "release": view.release or "",
        "draft": view.draft,
        "status": view.status,
        "busy": view.busy,
        "pages": view.pages,
        "edition": view.edition,
        "warnings": list(view.warnings),
        "errors": list(view.errors),
        "pdf": url(view.output),
        "html": url(view.html),
        "html_file": view.html,
        "version": view.version,
    }


async def _stream(project: Project, board: Board, name: str | None) -> AsyncIterator[str]:
    """Yield an event now and after each change: a variant's fields, or the index's generation.

    A variant's open stream counts it as looked at: the rebuild thread builds it first.
    """
    loop = asyncio.get_running_loop()
    changed = asyncio.Event()

    def wake() -> None:
        with contextlib.suppress(RuntimeError):  # the loop has closed: nobody listens any more
            loop.call_soon_threadsafe(changed.set)

    forget = board.listen(wake)
    watching = board.watching(name) if name else contextlib.nullcontext()
    try:
        with watching:
            yield "retry: 1000\n\n"  # after a restart, the page reconnects within a second
            seen: int | None = None
            while True:
                changed.clear()
                version, body = _event(project, board, name)
                if version != seen:
                    seen = version
                    yield f"event: state\ndata: {body}\n\n"
                if board.closed:
                    return
                try:
                    await asyncio.wait_for(changed.wait(), PING_SECONDS)
                except TimeoutError:
                    yield ": ping\n\n"
    finally:
        forget()


def _event(project: Project, board: Board, name: str | None) -> tuple[int, str]:
    """Return the version of what a stream shows and the event's data, as one line of JSON."""
    if name is None:
        return board.generation, json.dumps({"generation": board.generation})
    view = board.view(name)
    if view is None:  # its definition is gone: the page says so
        return -1, json.dumps({"name": name, "gone": True})
    return view.version, json.dumps(_fields(project, view), ensure_ascii=False)
