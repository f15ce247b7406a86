"""What the preview shows: each variant's last outcome, and which variants a browser is looking at.

The rebuild thread records each run's results here; the web server's streams read it. A lock keeps
the two apart, and every change wakes the streams that listen (each through its own event loop).
"""

from __future__ import annotations

import contextlib
import itertools
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import Problem

if TYPE_CHECKING:
    from .commands import Attempt
    from .project import Project
    from .results import DocumentResult
    from .run import RunResult
    from .variants import Variant


@dataclass(frozen=True)
class View:
    """One variant as the preview shows it."""

    name: str
    output: str  # its PDF's name in reports/
    language: str
    release: str | None
    draft: bool
    data: Path  # its data set's folder: its located problems are those inside it
    status: str = "waiting"  # until the first run reports it: built, up to date or failed
    busy: bool = False  # a run that may rebuild it is going on
    pages: int = 0
    edition: int = 0
    warnings: tuple[str, ...] = ()
    errors: tuple[str, ...] = ()  # located, as on the command line; only while it is failed
    stamp: str = ""  # its PDF's size and time as last seen: the frames' cache-buster
    version: int = 0  # changes whenever anything above does: the page then updates

    @property
    def html(self) -> str:
        """Return the name of its HTML (written beside the PDF, as --html does)."""
        return self.output.removesuffix(".pdf") + ".html"

    def shown(self) -> tuple[Any, ...]:
        """Return what a page shows of it: a change to any of these is worth an update."""
        shown = (self.status, self.busy, self.pages, self.edition, self.warnings, self.errors)
        return (*shown, self.stamp)


def view_of(project: Project, variant: Variant) -> View:
    """Return a variant's view before any run has reported on it."""
    return View(
        variant.name,
        variant.output_name,
        variant.language,
        variant.release,
        variant.draft,
        project.data_dir / variant.document.data,
    )


@dataclass
class Board:
    """Every variant's view, who is watching which, and the listeners to wake on a change."""

    views: dict[str, View] = field(default_factory=dict)
    problems: tuple[str, ...] = ()  # what stopped the last run as a whole, for the index
    generation: int = 0  # changes with any view
    closed: bool = False  # the server is stopping: streams end
    _watchers: dict[str, list[int]] = field(default_factory=dict)  # variant -> when each opened
    _listeners: dict[int, Callable[[], None]] = field(default_factory=dict)
    _ticket: Iterator[int] = field(default_factory=itertools.count)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def set_variants(self, project: Project, variants: Sequence[Variant]) -> None:
        """Show these variants, in this order; keep what is known of those already shown."""
        with self._changing():
            known = self.views
            fresh = {v.name: view_of(project, v) for v in variants}
            self.views = {n: _carry(known[n], v) if n in known else v for n, v in fresh.items()}

    def mark_busy(self, names: Sequence[str]) -> None:
        """Say that a run that may rebuild these variants has started."""
        with self._changing():
            for name in names:
                if name in self.views:
                    self.views[name] = replace(self.views[name], busy=True)

    def record(self, done: Attempt) -> None:
        """Take in what a run did: each variant's result, or the problems that stopped it."""
        with self._changing():
            self.views = {n: replace(v, busy=False) for n, v in self.views.items()}
            self.problems = (*(str(p) for p in done.problems), *filter(None, [done.failure]))
            if done.result is not None:
                for document in done.result.documents:
                    if document.name in self.views:
                        self.views[document.name] = _result(
                            self.views[document.name], document, done.result
                        )
            elif self.problems:  # nothing was built: every page shows why
                self.views = {n: _stopped(v, self.problems) for n, v in self.views.items()}

    def view(self, name: str) -> View | None:
        with self._lock:
            return self.views.get(name)

    def all_views(self) -> list[View]:
        with self._lock:
            return list(self.views.values())

    @contextlib.contextmanager
    def watching(self, name: str) -> Iterator[None]:
        """Count `name` as looked at for as long as the block runs (a page's open stream)."""
        with self._lock:
            ticket = next(self._ticket)
            self._watchers.setdefault(name, []).append(ticket)
        try:
            yield
        finally:
            with self._lock:
                self._watchers[name].remove(ticket)

    def watched(self) -> list[str]:
        """Return the variants some page is looking at, the most recently opened first."""
        with self._lock:
            opened = {name: max(tickets) for name, tickets in self._watchers.items() if tickets}
        return sorted((n for n in opened if n in self.views), key=opened.__getitem__, reverse=True)

    def listen(self, wake: Callable[[], None]) -> Callable[[], None]:
        """Call `wake` after every change (from whichever thread made it); return the undo."""
        with self._lock:
            ticket = next(self._ticket)
            self._listeners[ticket] = wake
        return lambda: self._forget(ticket)

    def close(self) -> None:
        """End every stream: the server is stopping."""
        with self._changing():
            self.closed = True

    def _forget(self, ticket: int) -> None:
        with self._lock:
            self._listeners.pop(ticket, None)

    @contextlib.contextmanager
    def _changing(self) -> Iterator[None]:
        """Apply a change under the lock; number what changed; then wake the listeners."""
        with self._lock:
            before = {n: v.shown() for n, v in self.views.items()}
            yield
            for name, view in self.views.items():
                if before.get(name) != view.shown():
                    self.views[name] = replace(view, version=view.version + 1)
            if before != {n: v.shown() for n, v in self.views.items()} or self.closed:
                self.generation += 1
            listeners = list(self._listeners.values())
        for wake in listeners:
            wake()


def _carry(old: View, new: View) -> View:
    """Keep what runs said of a variant whose definition changed shape (its file name, say)."""
    kept = ("status", "pages", "edition", "warnings", "errors", "stamp", "version")
    return replace(new, **{k: getattr(old, k) for k in kept})


def _result(view: View, document: DocumentResult, run: RunResult) -> View:
    """Return the view after a run's result for it."""
    located = [p for p in run.problems if _concerns(view, p) and not p.acknowledged]
    now = replace(
        view,
        pages=document.pages,
        edition=document.edition,
        warnings=(*document.warnings, *(str(p) for p in located)),
        stamp=_stamp(document.output),  # a PDF that another build wrote is new here too
    )
    if document.status == "failed":
        problems = [str(p) for p in run.input_errors if _concerns(view, p)]
        return replace(
            now, status="failed", errors=(*problems, f"{document.name}: {document.error}")
        )
    # Up to date: what it was before in this preview (built, say) is still true of it.
    kept = view.status == "built" and document.status == "up to date"
    return replace(now, status=view.status if kept else document.status, errors=())


def _stamp(path: Path) -> str:
    try:
        found = path.stat()
    except OSError:
        return ""
    return f"{found.st_size}-{found.st_mtime_ns}"


def _stopped(view: View, problems: tuple[str, ...]) -> View:
    return replace(view, status="failed", errors=(*problems, "nothing was built"))


def _concerns(view: View, problem: Problem) -> bool:
    """True when a located problem lies in the variant's data set, or outside every data set."""
    path = Path(problem.path)
    if path.is_relative_to(view.data):
        return True
    try:
        below = path.relative_to(view.data.parent)
    except ValueError:  # a template, a label catalogue, a stylesheet
        return True
    return len(below.parts) == 1  # data/reports.yaml, not another data set
