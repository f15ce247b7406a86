"""HTML -> PDF bytes with WeasyPrint: a fetcher rooted in the project, warnings collected."""

from __future__ import annotations

import hashlib
import logging
import mimetypes
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from urllib.request import url2pathname

from .errors import RenderError


@dataclass
class RenderResult:
    """A rendered PDF with what WeasyPrint reported while making it."""

    pdf: bytes
    pages: int
    warnings: list[str] = field(default_factory=list)
    fetched: dict[str, str] = field(default_factory=dict)  # file read -> SHA-256 or "missing"


def render_pdf(
    html: str,
    base_dir: Path,
    allowed: Sequence[Path],
    variant: str | None = None,
    memory_limit: int | None = None,
) -> RenderResult:
    """Lay out `html` (relative URLs resolve against `base_dir`) and return the PDF bytes.

    `variant` is a WeasyPrint PDF variant, e.g. "pdf/a-3u" (archival) or "pdf/ua-1" (tagged).
    `memory_limit` (MB) is the limit the worker runs under, named when the document exceeds it.
    """
    from .libraries import import_weasyprint

    weasyprint = import_weasyprint()  # heavy: imported only when a document is really rendered

    fetcher = _make_fetcher(weasyprint, [p.resolve() for p in allowed])
    with _collect_warnings() as collected:
        try:
            source = weasyprint.HTML(
                string=html, base_url=base_dir.resolve().as_uri() + "/", url_fetcher=fetcher
            )
            document = source.render()
            finish = _Finisher(source.etree_element)
            # The /ID (required by PDF/A) comes from the content, not from a clock or a random
            # source, so the same inputs give the same bytes. File URLs are left out: where a
            # stylesheet was found (an ejected copy, say) is not content.
            content = re.sub(r"file://[^\"')\s]*", "", html)
            identifier = hashlib.sha256(content.encode()).hexdigest()[:32].encode()
            pdf = document.write_pdf(
                pdf_identifier=identifier,
                pdf_variant=variant,
                pdf_tags=variant == "pdf/ua-1",
                finisher=finish,
            )
        except MemoryError as e:  # its message is empty: say which limit was reached
            raise RenderError(_out_of_memory(memory_limit) + " laying out the document") from e
        except Exception as e:  # WeasyPrint raises many types; report them as one
            raise RenderError(f"WeasyPrint could not lay out the document: {e}") from e
    if fetcher.refused:
        raise RenderError("refused to load " + "; ".join(fetcher.refused))
    if collected.out_of_memory:  # e.g. decoding a huge image, which WeasyPrint logs and skips
        raise RenderError(_out_of_memory(memory_limit) + ": " + "; ".join(collected.out_of_memory))
    warnings = collected.messages + finish.problems
    errors = [w.removeprefix("ERROR ") for w in warnings if w.startswith("ERROR ")]
    if errors:  # a brief with a hole where an image should be is not a brief to circulate
        raise RenderError("WeasyPrint could not use a resource: " + "; ".join(errors))
    return RenderResult(pdf, len(document.pages), warnings, fetcher.fetched)


class _Finisher:
    """Correct WeasyPrint's PDF objects before they are written: font names, and tags if any."""

    def __init__(self, root: Any) -> None:
        self.root = root  # the parsed HTML, for what the boxes do not keep (ids, roles)
        self.problems: list[str] = []

    def __call__(self, document: Any, pdf: Any) -> None:
        from .subsets import name_subsets
        from .tagging import retag

        name_subsets(pdf)
        self.problems += retag(document, pdf, self.root)


def _make_fetcher(weasyprint: Any, roots: list[Path]) -> Any:
    """Return a URLFetcher that serves data: URLs and files under `roots`, and nothing else."""

    class RootedFetcher(weasyprint.URLFetcher):  # type: ignore[misc]
        refused: list[str]
        fetched: dict[str, str]  # what the document used, for the next run to check

        def fetch(self, url: str, headers: Any = None) -> Any:
            scheme = urlsplit(url).scheme.lower()
            if scheme == "data":
                return super().fetch(url, headers)
            path = Path(url2pathname(urlsplit(url).path)).resolve() if scheme == "file" else None
            if path is None or not any(path.is_relative_to(root) for root in roots):
                reason = (
                    "only data: URLs and files in the template folders, data/ and the "
                    "folders of extra stylesheets may be read"
                )
                self.refused.append(f"{url} ({reason})")
                raise ValueError(f"refused {url}: {reason}")
            content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            self.fetched[str(path)] = "missing"  # a file that appears later is a change too
            body = path.read_bytes()
            self.fetched[str(path)] = hashlib.sha256(body).hexdigest()
            return weasyprint.urls.URLFetcherResponse(
                url, body=body, headers={"Content-Type": content_type}
            )

    fetcher = RootedFetcher(allowed_protocols={"file", "data"}, allow_redirects=False)
    fetcher.refused, fetcher.fetched = [], {}
    return fetcher


def _out_of_memory(limit: int | None) -> str:
    where = f" (limit {limit} MB; see --memory-limit)" if limit else ""
    return f"WeasyPrint ran out of memory{where}"


class _ListHandler(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []
        self.out_of_memory: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        # WeasyPrint logs an unusable resource (a missing or oversized image, say) as an ERROR.
        prefix = "ERROR " if record.levelno >= logging.ERROR else ""
        self.messages.append(prefix + record.getMessage())
        args = record.args if isinstance(record.args, tuple) else ()
        if any(_caused_by_memory(a) for a in args if isinstance(a, BaseException)):
            self.out_of_memory.append(record.getMessage().rstrip(": "))


def _caused_by_memory(error: BaseException | None) -> bool:
    """True when `error` is, or was raised while handling, a MemoryError."""
    for _ in range(10):  # a chain is short; the bound guards against a cycle
        if error is None or isinstance(error, MemoryError):
            return error is not None
        error = error.__cause__ or error.__context__
    return False


@contextmanager
def _collect_warnings() -> Iterator[_ListHandler]:
    """Capture WeasyPrint's WARNING and ERROR log records instead of letting them print."""
    logger = logging.getLogger("weasyprint")
    handler = _ListHandler()
    logger.addHandler(handler)
    propagate, logger.propagate = logger.propagate, False
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
        logger.propagate = propagate
