"""Editions in several languages, the variant matrix, and handling markings, read from the PDFs."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

import pytest
from babel.messages.pofile import read_po
from pypdf import PdfReader

from briefgen.localise import localise
from briefgen.models import Briefing
from briefgen.project import Project
from briefgen.validate import load_dataset
from briefgen.variants import load_variants
from tests.conftest import BUILD_DATE, REPO, Run, figure_alts

Cli = Callable[..., Run]

REPORTS = REPO / "data/reports.yaml"


def pdf_text(path: Path) -> str:
    """All page text, with line-end hyphenation undone and whitespace collapsed."""
    raw = "\n".join(page.extract_text() for page in PdfReader(path).pages)
    return " ".join(re.sub(r"-\n", "", raw).split())


def page_texts(path: Path) -> list[str]:
    return [" ".join(page.extract_text().split()) for page in PdfReader(path).pages]


def shipped(language: str) -> Briefing:
    data = load_dataset(REPO / "data/chile-russia", dt.date(2026, 11, 28))[0]
    return localise(data, language, "en")


def label(language: str, message: str) -> str:
    """Return the shipped catalogue's translation of a template label."""
    path = REPO / f"templates/locale/{language}/LC_MESSAGES/messages.po"
    with path.open("rb") as f:
        catalogue = read_po(f)
    entry = catalogue.get(message)
    assert entry is not None, f"{message!r} is not in the {language} catalogue"
    text = entry.string
    assert text, f"{message!r} is not translated into {language}"
    return str(text)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), "utf-8")


@pytest.mark.parametrize(
    ("language", "dates"),
    [
        ("es", ["26 de septiembre de 2019", "abril de 2014", "noviembre de 2017"]),
        ("ru", ["26 сентября 2019 г.", "апрель 2014 г.", "ноябрь 2017 г."]),
    ],
)
def test_spanish_and_russian_editions_have_their_labels_dates_and_data(
    built: Path, language: str, dates: list[str]
) -> None:
    text = pdf_text(built / f"reports/chile-russia-briefing-note.{language}.draft.pdf")
    for message in ("Key points", "Contents", "High-level visits", "Ambassadors", "Sources"):
        assert label(language, message) in text
    for fragment in dates:
        assert fragment in text
    data = shipped(language)
    assert data.ambassadors and data.trade
    for fact in [*(a.name for a in data.ambassadors.ambassadors), data.trade.partner]:
        assert str(fact) in text
    for english in ("Key points", "High-level visits", "Relationship overview", "Checked on"):
        assert english not in text
    reader = PdfReader(built / f"reports/chile-russia-briefing-note.{language}.draft.pdf")
    assert cast(Any, reader.trailer)["/Root"]["/Lang"] == language
    html = (built / f"reports/chile-russia-briefing-note.{language}.draft.html").read_text()
    assert f'<html lang="{language}">' in html


def test_figure_caption_and_alt_text_are_in_the_edition_language(built: Path) -> None:
    html = (built / "reports/chile-russia-briefing-note.ru.draft.html").read_text()
    figure = html[html.index('<figure class="figure timeline">') :]
    alt = re.search(r"<title[^>]*>(.*?)</title>", figure, re.S)
    caption = re.search(r"<figcaption>(.*?)</figcaption>", figure, re.S)
    assert alt and caption
    for part in (alt.group(1), caption.group(1)):
        assert re.search("[а-яА-Я]", part) and not re.search(r"\b(visits|visit|Figure)\b", part)
    assert "Владимир Путин" in alt.group(1)


def test_draft_until_the_definition_says_final(built: Path) -> None:
    final = page_texts(built / "reports/chile-russia-fact-sheet.en-GB.pdf")[0]
    draft = page_texts(built / "reports/chile-russia-fact-sheet.es.draft.pdf")[0]
    assert "(draft)" not in final  # the watermark is not text: the masthead says draft
    assert label("es", "(draft)") in draft


def test_releasable_edition_omits_sections_above_its_level_and_says_so(built: Path) -> None:
    for language in ("en-GB", "es", "ru"):
        suffix = "" if language == "en-GB" else ".draft"
        full = pdf_text(built / f"reports/chile-eeu-free-trade-brief.{language}{suffix}.pdf")
        public = (
            built / f"reports/chile-eeu-free-trade-brief.{language}.releasable-public{suffix}.pdf"
        )
        released = pdf_text(public)
        trade = shipped(language).trade
        assert trade
        lines = [" ".join(str(line).split()) for line in trade.lines_to_take]
        assert all(line in full for line in lines)
        assert not any(line in released for line in lines)
        html = public.with_suffix(".html").read_text()
        assert 'id="line-to-take"' not in html
    english = pdf_text(built / "reports/chile-eeu-free-trade-brief.en-GB.releasable-public.pdf")
    assert (
        "Releasable at PUBLIC. 1 part of the full document, marked above PUBLIC, is omitted"
        in english
    )
    assert "line to take" not in english.lower()


def test_banner_is_the_highest_marking_shown(built: Path) -> None:
    _, variants, _ = load_variants(Project(REPO))
    checked = 0
    for v in variants:
        sections = re.findall(
            r'<section id="([a-z-]+)"',
            (built / "reports" / v.output_name).with_suffix(".html").read_text(),
        )
        shown = [s for s in sections if s in v.document.section_markings]
        highest = max(
            [v.marking, *(v.document.section_markings[s] for s in shown)], key=v.scale.index
        )
        for number, page in enumerate(page_texts(built / "reports" / v.output_name), 1):
            assert page.count(v.label(highest)) >= 2, f"{v.name} page {number}"
        checked += highest != v.marking
    assert checked == 3  # the complete EEU briefs, whose line to take is INTERNAL
    full = page_texts(built / "reports/chile-eeu-free-trade-brief.en-GB.pdf")[0]
    assert "HANDLING INTERNAL" in full and "Page 1 of 1" in full  # one page, line to take included


def test_variant_names_are_stable_and_listed(full_project: Path, cli: Cli) -> None:
    listed = cli(full_project, "list")
    assert listed.code == 0
    files = sorted(line.split()[-1].removeprefix("reports/") for line in listed.out.splitlines())
    assert files == sorted(
        [
            "chile-russia-briefing-note.en-GB.pdf",
            "chile-russia-briefing-note.es.draft.pdf",
            "chile-russia-briefing-note.ru.draft.pdf",
            "chile-eeu-free-trade-brief.en-GB.pdf",
            "chile-eeu-free-trade-brief.en-GB.releasable-public.pdf",
            "chile-eeu-free-trade-brief.es.draft.pdf",
            "chile-eeu-free-trade-brief.es.releasable-public.draft.pdf",
            "chile-eeu-free-trade-brief.ru.draft.pdf",
            "chile-eeu-free-trade-brief.ru.releasable-public.draft.pdf",
            "chile-russia-fact-sheet.en-GB.pdf",
            "chile-russia-fact-sheet.es.draft.pdf",
            "chile-russia-fact-sheet.ru.draft.pdf",
        ]
    )
    assert cli(full_project, "--date", BUILD_DATE, "--only", "fact-sheet", "-q").code == 0
    first = sorted(p.name for p in (full_project / "reports").glob("*.pdf"))
    assert first == [f for f in files if f.startswith("chile-russia-fact-sheet")]
    assert (
        cli(full_project, "--date", "2026-11-29", "--only", "fact-sheet", "--force", "-q").code == 0
    )
    assert sorted(p.name for p in (full_project / "reports").glob("*.pdf")) == first


def test_one_variant_or_a_pattern_can_be_built(full_project: Path, cli: Cli) -> None:
    run = cli(full_project, "--date", BUILD_DATE, "--only", "fact-sheet.es", "--only", "*.ru.*")
    assert run.code == 0, run.err
    built = sorted(p.name for p in (full_project / "reports").glob("*.pdf"))
    assert built == [
        "chile-eeu-free-trade-brief.ru.releasable-public.draft.pdf",
        "chile-russia-fact-sheet.es.draft.pdf",
    ]
    unknown = cli(full_project, "--only", "fact-sheet.fr")
    assert unknown.code == 2 and (
        "--only: fact-sheet has no variant `fact-sheet.fr` (its variants: fact-sheet.ru, "
        "fact-sheet.es, fact-sheet.en-GB)" in unknown.err
    )


def test_a_final_language_loses_its_draft_suffix(full_project: Path, cli: Cli) -> None:
    assert cli(full_project, "--date", BUILD_DATE, "--only", "fact-sheet", "-q").code == 0
    drafts = sorted(p.name for p in (full_project / "reports").glob("*.draft.pdf"))
    assert drafts == [
        "chile-russia-fact-sheet.es.draft.pdf",
        "chile-russia-fact-sheet.ru.draft.pdf",
    ]
    edit(
        full_project / "data/reports.yaml",
        "status: {en-GB: final, es: draft, ru: draft}\n    page_budget: 1",
        "status: final\n    page_budget: 1",
    )
    assert cli(full_project, "--date", BUILD_DATE, "--only", "fact-sheet", "-q").code == 0
    # The drafts were replaced by the finals: no stale draft is left beside them.
    names = sorted(p.name for p in (full_project / "reports").glob("*.pdf"))
    assert names == [f"chile-russia-fact-sheet.{lang}.pdf" for lang in ("en-GB", "es", "ru")]
    assert label("ru", "(draft)") not in pdf_text(full_project / "reports" / names[2])


def test_missing_data_translation_is_a_located_error(full_project: Path, cli: Cli) -> None:
    edit(full_project / "data/chile-russia/visits.yaml", ", ru: Москва}", "}")
    edit(
        full_project / "data/chile-russia/trade.yaml",
        "horizon: {en: Medium term, es: Mediano plazo, ru: Среднесрочная перспектива}",
        "horizon: Medium term",
    )
    run = cli(full_project, "check")
    assert run.code == 2
    assert (
        "error: data/chile-russia/visits.yaml:24:5: visits #1 (Patricio Aylwin) › place: no 'ru' "
        "text, needed by "
        "briefing-note.ru, eeu-brief.ru, eeu-brief.ru.releasable-public, fact-sheet.ru" in run.err
    )
    # A plain string is English (text_language: en): Spanish and Russian are missing.
    assert "error: data/chile-russia/trade.yaml:18:1: horizon: no 'es' text" in run.err
    assert "error: data/chile-russia/trade.yaml:18:1: horizon: no 'ru' text" in run.err
    # English alone needs no translation.
    assert cli(full_project, "check", "--only", "*.en-GB*").code == 0


def test_missing_definition_translation_and_unknown_marking_are_located(
    full_project: Path, cli: Cli
) -> None:
    reports = full_project / "data/reports.yaml"
    edit(reports, "      es: Nota informativa Chile–Rusia\n", "")
    edit(
        reports,
        "section_markings: {line-to-take: INTERNAL}",
        "section_markings: {line-to-take: SECRET}",
    )
    run = cli(full_project, "check")
    assert run.code == 2
    assert re.search(
        r"data/reports\.yaml:\d+:\d+: documents #2 \(eeu-brief\) › section_markings › line-to-take: "
        r"'SECRET' is not on the marking scale \(PUBLIC, INTERNAL, RESTRICTED\)",
        run.err,
    )
    edit(reports, "{line-to-take: SECRET}", "{line-to-take: INTERNAL}")
    run = cli(full_project, "check")
    assert re.search(
        r"data/reports\.yaml:26:5: documents #1 \(briefing-note\) › short_title: no 'es' text, "
        r"needed by the 'es' edition of briefing-note",
        run.err,
    ), run.err


def test_missing_label_translation_fails_the_document_at_its_template_line(
    full_project: Path, cli: Cli
) -> None:
    catalogue = full_project / "templates/locale/ru/LC_MESSAGES/messages.po"
    text = catalogue.read_text("utf-8")
    block = re.search(r'msgid "Key points"\nmsgstr "[^"]+"', text)
    assert block
    catalogue.write_text(text.replace(block.group(0), 'msgid "Key points"\nmsgstr ""'), "utf-8")
    run = cli(full_project, "--date", BUILD_DATE, "--only", "briefing-note.ru")
    assert run.code == 1
    assert re.search(
        r"templates/partials/key-points\.html:\d+: no 'ru' translation of 'Key points' in "
        r"templates/locale/ru/LC_MESSAGES/messages\.po",
        run.err,
    ), run.err
    assert not (full_project / "reports/chile-russia-briefing-note.ru.draft.pdf").exists()


def extracted() -> set[str]:
    """Return every label in the theme and the edition line formats, extracted as babel.cfg says."""
    from babel.messages.extract import extract_from_dir
    from babel.messages.frontend import parse_mapping_cfg

    with (REPO / "babel.cfg").open() as f:
        method_map, options_map = parse_mapping_cfg(f)  # type: ignore[no-untyped-call]
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        REPO, method_map, options_map
    ):
        found.add(message[0] if isinstance(message, tuple) else message)
    return found


@pytest.mark.parametrize("language", ["es", "ru"])
def test_shipped_catalogues_translate_every_label(language: str) -> None:
    path = REPO / f"templates/locale/{language}/LC_MESSAGES/messages.po"
    with path.open("rb") as f:
        catalogue = read_po(f)
    messages = {m.id[0] if isinstance(m.id, tuple) else m.id: m for m in catalogue if m.id}
    labels = extracted()
    assert len(labels) > 50
    assert labels <= messages.keys(), sorted(labels - messages.keys())
    for label_id in labels:
        message = messages[label_id]
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        assert all(strings) and not message.fuzzy, label_id
    plurals = {"es": 2, "ru": 3}[language]
    assert catalogue.num_plurals == plurals


def test_template_catalogue_is_current() -> None:
    with (REPO / "templates/locale/messages.pot").open("rb") as f:
        template = {m.id[0] if isinstance(m.id, tuple) else m.id for m in read_po(f) if m.id}
    assert template == extracted()


def test_tagged_russian_pdf_carries_the_figure_alt_text_in_russian(
    full_project: Path, cli: Cli
) -> None:
    only = ("--only", "briefing-note.ru", "--pdf-variant", "pdf/ua-1")
    run = cli(full_project, "--date", BUILD_DATE, *only)
    assert run.code == 0, run.err
    figures = figure_alts(full_project / "reports/chile-russia-briefing-note.ru.draft.pdf")
    assert len(figures) == 1
    assert "Владимир Путин" in figures[0] and "Сантьяго" in figures[0]
    assert re.search(r"\b(visits|Timeline)\b", figures[0]) is None


def test_changes_box_lists_only_what_the_edition_shows(full_project: Path, cli: Cli) -> None:
    only = ("--only", "eeu-brief.en-GB*", "--only", "fact-sheet.en-GB", "-q")
    assert cli(full_project, "--date", BUILD_DATE, *only).code == 0
    edit(
        full_project / "data/chile-russia/trade.yaml",
        "would bring advantages to both sides",
        "would bring clear advantages to both sides",
    )
    run = cli(full_project, "--date", "2026-11-29", "--json", "--html", *only)
    assert run.code == 0, run.err
    editions = {d["name"]: d["edition"] for d in json.loads(run.out)["documents"]}
    assert editions == {
        "eeu-brief.en-GB": 2,  # its line to take changed
        "eeu-brief.en-GB.releasable-public": 1,  # it omits the line to take
        "fact-sheet.en-GB": 1,  # it never shows it
    }
    reports = full_project / "reports"
    full = (reports / "chile-eeu-free-trade-brief.en-GB.html").read_text()
    assert (
        "Point of the line to take reworded: An agreement of this type would bring clear "
        "advantages to both sides." in full
    )
    # The box quotes an INTERNAL section, so it carries that marking above it.
    box = full.index('class="changes"')
    assert '<p class="portion-marking changes-marking">INTERNAL</p>' in full[box - 200 : box]
    for name in (
        "chile-eeu-free-trade-brief.en-GB.releasable-public",
        "chile-russia-fact-sheet.en-GB",
    ):
        html = (reports / f"{name}.html").read_text()
        assert "clear advantages" not in html and 'class="changes"' not in html


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "releasable_at: [PUBLIC]",
            "releasable_at: [PUBLIC, PUBLIC]",
            "documents #2 (eeu-brief) › releasable_at #2: PUBLIC is listed twice",
        ),
        (
            "    marking: PUBLIC\n    languages: [en-GB, es, ru]\n    # The Spanish and Russian texts are the desk's working translations, not yet reviewed.\n    status: {en-GB: final, es: draft, ru: draft}\n    page_budget: 2",
            "    marking: INTERNAL\n    languages: [en-GB, es, ru]\n    status: {en-GB: final, es: draft, ru: draft}\n    page_budget: 2",
            "documents #2 (eeu-brief) › releasable_at #1: PUBLIC is below the document's own "
            "marking INTERNAL",
        ),
        (
            "status: {en-GB: final, es: draft, ru: draft}\n    page_size: A4",
            "status: {en-GB: final, es: draft, fr: draft}\n    page_size: A4",
            "documents #1 (briefing-note) › status › fr: 'fr' is not one of the document's "
            "languages (en-GB, es, ru); add it to languages, or remove it here",
        ),
    ],
)
def test_marking_and_status_mistakes_are_located(
    full_project: Path, cli: Cli, old: str, new: str, message: str
) -> None:
    edit(full_project / "data/reports.yaml", old, new)
    run = cli(full_project, "check")
    assert run.code == 2 and message in run.err, run.err


def test_a_variant_name_picks_that_variant_only(full_project: Path, cli: Cli) -> None:
    listed = cli(full_project, "list", "--only", "eeu-brief.es")
    assert [line.split()[0] for line in listed.out.splitlines()] == ["eeu-brief.es"]
    listed = cli(full_project, "list", "--only", "eeu-brief")
    assert len(listed.out.splitlines()) == 6


def test_marking_a_section_the_document_does_not_show_is_a_warning(
    full_project: Path, cli: Cli
) -> None:
    edit(
        full_project / "data/reports.yaml",
        "section_markings: {line-to-take: INTERNAL}",
        "section_markings: {line-to-take: INTERNAL, trade: RESTRICTED}",
    )
    run = cli(full_project, "check", "--only", "eeu-brief.en-GB")
    assert run.code == 0
    assert (
        "warning: eeu-brief.en-GB: templates/base.html:24: section_markings names trade, "
        "which this document does not show" in run.err
    ), run.err
    run = cli(full_project, "--date", BUILD_DATE, "--only", "eeu-brief.en-GB", "--strict")
    assert run.code == 1 and "section_markings names trade" in run.err


def test_lower_first_keeps_words_in_capitals() -> None:
    from briefgen.filters import lower_first

    assert lower_first("Expected annually") == "expected annually"
    assert lower_first("APEC Leaders' Summit") == "APEC Leaders' Summit"
