"""The serve command: the preview's pages, what it serves and refuses, a real browser following
saves, and a prompt stop with a browser's stream open.

The HTTP tests drive the application in-process (Starlette's TestClient) over a copy of the
session's built project, so they render nothing. The browser test runs `generate.py serve` as
a user would and drives Debian's Chromium with Playwright; like every test here it waits for
what a person would see, with a bound (HANG) that only a hang reaches.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
import shutil
import signal
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx2
import pytest
from starlette.exceptions import HTTPException
from starlette.testclient import TestClient

from briefgen.board import Board
from briefgen.commands import attempt
from briefgen.preview import make_app, safe_output
from briefgen.project import BuildOptions, Project
from briefgen.serve import hosts_for, show_variants
from briefgen.stopping import NEVER, Stop
from tests.conftest import BUILD_DATE, HANG, Run, Session, briefgen

Cli = Callable[..., Run]
CHROMIUM = Path("/usr/bin/chromium")
RELATIONSHIP = "data/chile-russia/relationship.yaml"
SENTENCE = "Re-established with the Russian Federation in the early 1990s."


@pytest.fixture
def served(built: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Project:
    """A copy of the built project, every variant up to date, run from its folder as serve is."""
    root = tmp_path / "served"
    shutil.copytree(built, root, symlinks=True)
    monkeypatch.chdir(root)
    return Project(root)


def _preview(project: Project) -> tuple[Board, TestClient]:
    board = Board()
    show_variants(project, board, ())
    _build(project, board)
    return board, TestClient(make_app(project, board), base_url="http://127.0.0.1:8000")


def _build(project: Project, board: Board) -> None:
    def options() -> BuildOptions:
        return BuildOptions(dt.date.fromisoformat(BUILD_DATE), html=True)

    board.record(attempt(project, options, False, HANG, NEVER))


def _row(page: str, name: str) -> str:
    match = re.search(rf'<tr data-variant="{re.escape(name)}">(.*?)</tr>', page, re.S)
    assert match, f"no row for {name}"
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", match[1])).strip()


def test_the_index_lists_every_variant_with_status_pages_and_edition(served: Project) -> None:
    _, client = _preview(served)
    page = client.get("/")
    assert page.status_code == 200
    assert page.headers["content-security-policy"].startswith("default-src 'none'")
    names = re.findall(r'<tr data-variant="([^"]+)">', page.text)
    assert len(names) == 12
    assert _row(page.text, "briefing-note.en-GB") == (
        "briefing-note.en-GB en-GB complete final up to date 4 1 0 PDF HTML"
    )
    assert _row(page.text, "eeu-brief.es.releasable-public") == (
        "eeu-brief.es.releasable-public es PUBLIC draft up to date 1 1 0 PDF HTML"
    )
    assert (
        _row(page.text, "fact-sheet.ru")
        == "fact-sheet.ru ru complete draft up to date 1 1 0 PDF HTML"
    )
    assert '<a href="/variant/fact-sheet.ru">' in page.text


def test_only_the_outputs_in_reports_are_served(served: Project) -> None:
    (served.root / "secret.pdf").write_bytes(b"%PDF- not an output")
    (served.reports_dir / "leak.pdf").symlink_to(served.root / "secret.pdf")
    _, client = _preview(served)
    pdf = client.get("/reports/chile-russia-fact-sheet.en-GB.pdf")
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-")
    html = client.get("/reports/chile-russia-fact-sheet.en-GB.html")
    assert html.headers["content-security-policy"].startswith("sandbox;")  # shown, never run
    assert client.get("/reports/build.json").json()["status"] == "finished"
    assert client.get("/assets/preview.js").status_code == 200
    refused = [
        "/reports/../data/reports.yaml",
        "/reports/%2e%2e/data/reports.yaml",
        "/reports/.briefgen/manifest.json",
        "/reports/leak.pdf",  # a link leading out of reports/
        "/reports/chile-russia-fact-sheet.en-GB.pdf/",
        "/data/chile-russia/visits.yaml",
        "/templates/briefing.css",
        "/assets/../serve.py",
    ]
    for url in refused:
        assert client.get(url).status_code == 404, url
    for name in ["../data/reports.yaml", ".briefgen/lock", "leak.pdf", "x/../build.json", ""]:
        with pytest.raises(HTTPException):
            safe_output(served, name)
    # Another site's page reaching the preview through a name of its own (DNS rebinding)
    assert client.get("/", headers={"Host": "attacker.example"}).status_code == 400
    assert hosts_for("0.0.0.0") == ("*",)


def test_a_broken_save_shows_its_located_problem_and_keeps_the_last_good_pdf(
    served: Project,
) -> None:
    board, client = _preview(served)
    visits = served.root / "data/chile-russia/visits.yaml"
    pdf = served.reports_dir / "chile-russia-fact-sheet.en-GB.pdf"
    before = pdf.read_bytes()
    visits.write_text(visits.read_text("utf-8").replace("place:", "plase:", 1), "utf-8")
    _build(served, board)
    page = client.get("/variant/fact-sheet.en-GB").text
    located = re.search(
        r"data/chile-russia/visits\.yaml:\d+:\d+: visits #1 \(Patricio Aylwin\) › plase: "
        r"unknown key; did you mean `place`\?",
        page,
    )
    assert located, page
    assert "fact-sheet.en-GB: not built: its data set chile-russia has 2 problem(s)" in page
    assert 'id="panes" class="panes" hidden' in page  # the problems, instead of the document
    assert '<a id="last-good-link" href="/reports/chile-russia-fact-sheet.en-GB.pdf?v=' in page
    assert client.get("/reports/chile-russia-fact-sheet.en-GB.pdf").content == before
    board.close()  # so that the stream ends after its first event
    stream = client.get("/events/fact-sheet.en-GB")
    assert stream.headers["content-type"].startswith("text/event-stream")
    event = re.search(r"^event: state\ndata: (.*)$", stream.text, re.M)
    assert event and located[0] in event[1]
    assert client.get("/variant/no-such.en-GB").status_code == 404


def test_a_stop_wakes_every_thread_that_waits_for_it() -> None:
    stop = Stop()
    woken: list[bool] = []
    waiters = [threading.Thread(target=lambda: woken.append(stop.wait(HANG))) for _ in range(3)]
    for waiter in waiters:
        waiter.start()
    stop.request()
    for waiter in waiters:
        waiter.join(HANG)
    assert woken == [True, True, True]
    assert stop.requested() and stop.wait(HANG)  # and stays requested
    stop.close()


def test_a_port_in_use_is_one_clear_line_and_exit_2(project: Path, cli: Cli) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        run = cli(project, "serve", "--port", str(port))
    assert run.code == 2
    assert run.err == (
        f"error: cannot serve on 127.0.0.1 port {port}: Address already in use; "
        "another program uses it: pass --port N\n"
    )


def _started(session: Session) -> str:
    session.wait_for(r"^serving http://127\.0\.0\.1:\d+/")
    session.wait_for(r"^watching ")  # built once, and saves are seen from now on
    match = re.search(r"^serving (http://127\.0\.0\.1:\d+/)", session.text(), re.M)
    assert match
    return match[1]


@pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="Chromium is not installed at /usr/bin/chromium, and the set-up could not install it "
    "(tests/run.py runs `apt-get install chromium` when it runs as root)",
)
def test_a_real_browser_follows_saves_without_reloading(project: Path, tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    data = project / RELATIONSHIP
    original = data.read_text("utf-8")
    with briefgen(
        project, tmp_path / "serve.log", "serve", "--port", "0", "--date", BUILD_DATE
    ) as s:
        url = _started(s)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
            page = browser.new_page()
            page.goto(url + "variant/fact-sheet.en-GB")
            document = page.frame_locator("#html-frame").locator("body")
            problems = page.locator("#problems")
            with _telling(s):
                expect(document).to_contain_text(SENTENCE, timeout=HANG * 1000)
            page.evaluate("window.notReloaded = true")

            edited = "Re-established with the Russian Federation in the spring of 1992."
            data.write_text(original.replace(SENTENCE, edited), "utf-8")
            with _telling(s):
                expect(document).to_contain_text(edited, timeout=HANG * 1000)
            rebuilt = s.text().split("changed: ", 1)[1]
            first = re.search(r"^built reports/(\S+)", rebuilt, re.M)
            assert first and first[1] == "chile-russia-fact-sheet.en-GB.pdf", rebuilt  # looked at

            data.write_text(original.replace("as_of:", "sauce: 1\nas_of:", 1), "utf-8")
            with _telling(s):
                located = f"{RELATIONSHIP}:3:1: sauce: unknown key"
                expect(problems).to_contain_text(located, timeout=HANG * 1000)
            expect(page.locator("#panes")).to_be_hidden()  # the problems instead of the document
            last_good = page.locator("#last-good-link")
            expect(last_good).to_be_visible()
            response = page.request.get(url + (last_good.get_attribute("href") or "").lstrip("/"))
            assert response.ok and response.body().startswith(b"%PDF-")

            data.write_text(original, "utf-8")
            with _telling(s):
                expect(problems).to_be_hidden(timeout=HANG * 1000)
                expect(document).to_contain_text(SENTENCE, timeout=HANG * 1000)
            assert page.evaluate("window.notReloaded") is True  # the page itself never reloaded
            browser.close()
        assert s.stop(signal.SIGTERM, group=False) == 0
        s.assert_nothing_left()


@contextlib.contextmanager
def _telling(session: Session) -> Iterator[None]:
    """Add the server's log to a failed expectation: what it built, and when."""
    try:
        yield
    except AssertionError as e:
        raise AssertionError(f"{str(e)[:3000]}\n--- serve log ---\n{session.text()}") from None


def test_sigterm_stops_the_server_at_once_with_a_browser_stream_open(
    project: Path, tmp_path: Path
) -> None:
    with briefgen(project, tmp_path / "serve.log", "serve", "--port", "0") as session:
        url = _started(session)
        with httpx2.stream("GET", url + "events/fact-sheet.en-GB", timeout=HANG) as stream:
            lines = stream.iter_lines()
            while next(lines) != "event: state":
                pass
            started = time.monotonic()
            code = session.stop(signal.SIGTERM, group=False)
            took = time.monotonic() - started
            rest = list(lines)  # the stream ended: the server closed it, it did not wait for us
        assert code == 0, session.text()
        # It stops in about a second; this bound is reached only by a server that waits for
        # its browsers (or a graceful timeout far longer than the one set), never by load.
        assert took < 15, f"took {took:.1f} s to stop\n{session.text()}"
        assert rest[-1:] == [""] or not rest
        assert "serve stopped (SIGTERM)" in session.text()
        session.assert_nothing_left()
