"""Hostile and broken input, runaway documents, and the validity of what is written."""

from __future__ import annotations

import json
import random
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pikepdf
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from briefgen.data import MAX_BYTES, read_yaml
from briefgen.errors import InputError
from briefgen.models import SECTIONS
from tests.conftest import BUILD_DATE, REPO, Run, copy_project, english_only, figure_alts

Cli = Callable[..., Run]
CORPUS = Path(__file__).parent / "corpus"
VISITS = "data/chile-russia/visits.yaml"
# Each broken file, put in place of visits.yaml: the first error line it must give.
EXPECTED = {
    "alias-bomb": r"visits.yaml:2:8: aliases \(\*name\) are not allowed: write the value out",
    "bad-indentation": r"visits.yaml:2:3: `as_of` is indented more than line 1, so YAML reads it "
    r"as part of that line's value; .*\(YAML parser: mapping values are not allowed here\)",
    "control-character": r"visits.yaml:3:11: control character U\+0000 is not allowed in YAML",
    "duplicate-key": r"visits.yaml:3:1: as_of: duplicate key \(first set on line 2\); keep one",
    "empty": r"visits.yaml:1:1: the file is empty; expected a mapping",
    "impossible-date": r"visits.yaml:2:1: as_of: Input should be a valid date",
    "non-utf8": r"visits.yaml:2:13: not valid UTF-8 \(byte 0xe9\)",
    "tabs": r"visits.yaml:5:1: a tab is used for indentation, .*\(YAML parser: .*'\\t'",
    "top-level-list": r"visits.yaml:1:1: Input should be a valid dictionary",
    "unclosed-quote": r'visits.yaml:2:10: the quote " that opens here is never closed',
    "unknown-key": r"visits.yaml:3:1: sumary: unknown key; did you mean `summary`\?",
    "wrong-types": r"visits.yaml:3:1: summary: expected text, or one text per language such as",
}


def pdfs(project: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in (project / "reports").glob("*.pdf")}


def test_the_corpus_covers_every_case() -> None:
    assert sorted(p.stem for p in CORPUS.glob("*.yaml")) == sorted(EXPECTED)


@pytest.mark.parametrize("case", sorted(EXPECTED))
def test_each_broken_file_gets_a_located_error_and_loses_nothing(
    built_copy: Path, cli: Cli, case: str
) -> None:
    before = pdfs(built_copy)
    shutil.copyfile(CORPUS / f"{case}.yaml", built_copy / VISITS)
    # The only data set is broken: a check fails, and a build fails every document it has.
    endings = {"check": "problem(s) found; nothing was built", "build": "12 failed, 0 warning(s)"}
    for args in (("check",), ("build", "--date", BUILD_DATE, "--force")):
        result = cli(built_copy, *args)
        assert result.code == 2
        pattern = r"^error: data/chile-russia/" + EXPECTED[case]
        assert re.search(pattern, result.err, re.M), result.err
        assert "Traceback" not in result.err
        assert result.err.rstrip().endswith(endings[args[0]]), result.err
    assert pdfs(built_copy) == before


def test_an_oversized_file_is_refused_before_it_is_read(built_copy: Path, cli: Cli) -> None:
    (built_copy / VISITS).write_text("summary: x\n" + "# padding\n" * (MAX_BYTES // 10 + 1))
    result = cli(built_copy, "check")
    assert result.code == 2
    assert re.search(r"visits.yaml:1:1: file is \d+ bytes; the limit is 1000000", result.err)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_mutated_data_only_ever_raises_briefgens_errors(
    data: st.DataObject, tmp_path: Path
) -> None:
    text = (REPO / VISITS).read_text("utf-8")
    position = data.draw(st.integers(0, len(text)))
    cut = data.draw(st.integers(0, 20))
    insert = data.draw(
        st.text(alphabet=st.sampled_from(list(":-[]{}&*!|>'\"#\n\t %@`,?0129aZé\x00")), max_size=8)
    )
    path = tmp_path / "visits.yaml"
    path.write_text(text[:position] + insert + text[position + cut :], "utf-8")
    try:
        SECTIONS["visits"].model_validate(read_yaml(path).value)
    except InputError as e:
        assert all(problem.line >= 1 and problem.col >= 1 for problem in e.problems)
    except ValueError as e:  # pydantic's ValidationError; the CLI locates it through validate.py
        assert type(e).__name__ == "ValidationError"


def test_html_in_data_is_escaped_and_attachments_outside_are_refused(
    project: Path, cli: Cli
) -> None:
    base = project / "templates/base.html"
    base.write_text(
        base.read_text().replace(
            "</head>", '<link rel="attachment" href="file:///etc/passwd"></head>'
        )
    )
    result = cli(project, "--date", BUILD_DATE, "--only", "fact-sheet")
    assert result.code == 1 and "refused to load file:///etc/passwd" in result.err
    assert not (project / "reports/chile-russia-fact-sheet.en-GB.pdf").exists()


def test_document_names_cannot_escape_reports(project: Path, cli: Cli) -> None:
    reports = project / "data/reports.yaml"
    reports.write_text(
        reports.read_text().replace(
            "output: chile-russia-fact-sheet.pdf", "output: ../../escaped.pdf"
        )
    )
    result = cli(project, "check")
    assert (
        result.code == 2
        and "documents #3 (fact-sheet) › output: String should match pattern" in result.err
    )


def test_runaway_documents_stop_at_their_limits_and_the_others_build(
    project: Path, cli: Cli
) -> None:
    # Work that never ends (nested, as Jinja's sandbox refuses a range of over 100,000), so that
    # any limit stops it, however loaded the machine; the normal document gets the default limit
    # of 300 s, which it cannot miss. Hence two runs.
    (project / "templates/eeu-brief.html").write_text(
        "<p>{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}</p>\n"
    )
    # A text that doubles until memory runs out (a single huge `*` is refused by the sandbox).
    (project / "templates/fact-sheet.html").write_text(
        '{% set s = namespace(x="x") %}{% for i in range(64) %}{% set s.x = s.x ~ s.x %}'
        "{% endfor %}<p>{{ s.x | length }}</p>\n"
    )
    result = cli(project, "--date", BUILD_DATE, "--only", "eeu-brief", "--time-limit", "2")
    assert result.code == 1
    assert "error: eeu-brief.en-GB: took longer than the time limit of 2 s; stopped" in result.err
    only = ("--only", "fact-sheet", "--only", "briefing-note")
    result = cli(project, "--date", BUILD_DATE, *only, "--memory-limit", "500")
    assert result.code == 1
    assert "error: fact-sheet.en-GB: templates/fact-sheet.html:1: ran out of memory" in result.err
    assert "1 built, 0 up to date, 1 failed" in result.err
    assert (project / "reports/chile-russia-briefing-note.en-GB.pdf").is_file()


def test_every_shipped_pdf_passes_qpdf_check(built: Path) -> None:
    for path in sorted((built / "reports").glob("*.pdf")):
        with pikepdf.open(path) as pdf:
            assert pdf.check_pdf_syntax() == [], path.name  # qpdf --check, via pikepdf's qpdf


# Run generate.py, then print the peak RSS (kB) of the command line itself and of the largest of its
# descendants (fork server, workers). Registered first, the printer runs last: after briefgen has
# stopped and reaped its fork server, which has reaped its workers. The command line's own peak is
# its VmHWM: ru_maxrss of RUSAGE_SELF would carry over the RSS of pytest, which started it.
PEAKS = (
    "import atexit, resource, runpy, sys\n"
    "def peaks():\n"
    "    own = next(line for line in open('/proc/self/status') if line.startswith('VmHWM:'))\n"
    "    print(own.split()[1], resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
    "atexit.register(peaks)\n"
    "sys.argv = sys.argv[1:]\n"
    "runpy.run_path(sys.argv[0], run_name='__main__')\n"
)
COPIES = 60
KB_PER_DOCUMENT = 256  # what a document's definition, job and manifest entry may add; a PDF is 1 MB


def _peaks(command: list[str], env: dict[str, str]) -> tuple[int, int]:
    done = subprocess.run(
        [sys.executable, "-c", PEAKS, *command], capture_output=True, text=True, env=env
    )
    assert done.returncode == 0, done.stderr[-600:]
    own, descendants = map(int, done.stdout.split()[-2:])
    return own, descendants


def test_many_documents_build_in_memory_that_does_not_grow_with_their_number_and_then_skip(
    tmp_path: Path,
) -> None:
    from PIL import Image

    # Copies of a document that renders quickly but writes a 1 MB PDF (WeasyPrint embeds a JPEG
    # as it is, and noise does not compress): a process that kept each output, or grew with each
    # document it rendered, would exceed the bound below many times over.
    project = english_only(copy_project(tmp_path / "load"))
    noise = random.Random(7).randbytes(1024 * 1024 * 3)
    Image.frombytes("RGB", (1024, 1024), noise).save(project / "templates/noise.jpg", quality=95)
    (project / "templates/noise.html").write_text('<p><img src="noise.jpg" alt="Noise"></p>\n')
    reports = project / "data/reports.yaml"
    text = reports.read_text()
    entry = text[text.index("  - name: fact-sheet") :].replace(
        "template: fact-sheet.html", "template: noise.html"
    )
    copies = [
        entry.replace("name: fact-sheet", f"name: sheet-{i:03d}").replace(
            "chile-russia-fact-sheet.pdf", f"sheet-{i:03d}.pdf"
        )
        for i in range(COPIES)
    ]
    reports.write_text(text[: text.index("  - name: briefing-note")] + "\n".join(copies))
    command = [str(REPO / "generate.py"), "--project", str(project), "--date", BUILD_DATE, "-q"]
    env = {"BRIEFGEN_NO_BOOTSTRAP": "1", "PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO)}
    # One document first: each process's peak with every definition loaded and one PDF built.
    own_one, descendants_one = _peaks([*command, "--only", "sheet-000"], env)
    own, descendants = _peaks(command, env)
    outputs = sorted((project / "reports").glob("sheet-*.pdf"))
    assert len(outputs) == COPIES and outputs[-1].stat().st_size > 2**20
    bound = COPIES * KB_PER_DOCUMENT
    assert own - own_one < bound, f"the command line grew by {own - own_one} kB"
    grown = descendants - descendants_one
    assert grown < bound, f"the largest worker grew by {grown} kB"
    assert descendants < 400 * 1024, f"peak RSS {descendants // 1024} MB"
    again = subprocess.run(
        [sys.executable, *command[:-1], "--json"], capture_output=True, text=True, env=env
    )
    assert f'"up to date": {COPIES}' in again.stdout


def _xmp(pdf: pikepdf.Pdf) -> str:
    return bytes(pdf.Root.Metadata.read_bytes()).decode()


def test_pdf_variants_carry_their_identification_and_structure(project: Path, cli: Cli) -> None:
    note = project / "reports/chile-russia-briefing-note.en-GB.pdf"
    assert (
        cli(
            project, "--date", BUILD_DATE, "--only", "briefing-note", "--pdf-variant", "pdf/a-3u"
        ).code
        == 0
    )
    with pikepdf.open(note) as pdf:
        assert 'pdfaid:part="3"' in _xmp(pdf) and 'pdfaid:conformance="U"' in _xmp(pdf)
        assert pdf.check_pdf_syntax() == [] and "/ID" in pdf.trailer
    result = cli(
        project, "--date", BUILD_DATE, "--only", "briefing-note", "--pdf-variant", "pdf/ua-1"
    )
    assert result.code == 0 and "changed: pdf_variant pdf/a-3u → pdf/ua-1" not in result.err
    with pikepdf.open(note) as pdf:
        assert 'pdfuaid:part="1"' in _xmp(pdf)
    figures = figure_alts(note)
    assert figures and figures[0].startswith("Timeline of 5 presidential visits, 1993–2012")


def _vnu() -> Path:
    """Return the Nu Html Checker's jar, installing the vnu-jar npm package once into .venv/."""
    if not (shutil.which("npm") and shutil.which("java")):
        pytest.skip("the Nu Html Checker needs npm and Java")
    prefix = REPO / ".venv/vnu"
    jar = prefix / "node_modules/vnu-jar/build/dist/vnu.jar"
    if not jar.exists():
        subprocess.run(
            [
                "npm",
                "install",
                "--prefix",
                str(prefix),
                "--silent",
                "--no-audit",
                "--no-fund",
                "vnu-jar",
            ],
            check=True,
            capture_output=True,
        )
    return jar


def test_intermediate_html_passes_the_nu_checker(built: Path) -> None:
    pages = sorted(str(p) for p in (built / "reports").glob("*.html"))
    assert len(pages) == 12  # every variant: three documents, three languages, releasable editions
    # A page with an error, checked in the same run (Java starts once): the checker does check.
    broken = built.parent / "broken.html"
    broken.write_text(
        '<!DOCTYPE html><html lang="en"><head><title>x</title></head><body>'
        '<p id="a"></p><p id="a"></p></body></html>'
    )
    done = subprocess.run(
        ["java", "-jar", str(_vnu()), "--errors-only", "--format", "json", *pages, str(broken)],
        capture_output=True,
        text=True,
    )
    messages = json.loads(done.stderr)["messages"]
    assert [m for m in messages if not m.get("url", "").endswith("/broken.html")] == []
    assert done.returncode == 1 and any("Duplicate ID" in m["message"] for m in messages)


def test_a_decompression_bomb_image_fails_its_document_only(project: Path, cli: Cli) -> None:
    from PIL import Image

    Image.new("1", (20000, 20000)).save(project / "templates/bomb.png")  # 400 Mpx, ~50 kB
    base = project / "templates/fact-sheet.html"
    base.write_text(
        base.read_text() + '{% block annexes %}<img src="bomb.png" alt="">{% endblock %}\n'
    )
    result = cli(project, "--date", BUILD_DATE)
    assert result.code == 1
    assert re.search(
        r"error: fact-sheet.en-GB: WeasyPrint could not use a resource: .*bomb\.png", result.err
    )
    assert "2 built, 0 up to date, 1 failed" in result.err
