"""The visits timeline, read as a typographer would: shapes that survive a grey printer, labels
placed by meaning that never collide, nothing under 8 pt as printed, text dark enough to copy.

The text is measured here with the advance widths and glyph outlines of the shipped fonts
(fontTools), not with the layout's own estimate, so a wrong estimate fails these tests.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from xml.etree.ElementTree import Element, fromstring

import pytest
from fontTools.ttLib import TTFont
from pypdf import PdfReader

from tests.conftest import BUILD_DATE, REPO, Run

Cli = Callable[..., Run]
SVG = "{http://www.w3.org/2000/svg}"
PT_PER_MM = 72 / 25.4
LANGUAGES = ("en-GB", "es.draft", "ru.draft")
Box = tuple[float, float, float, float]  # left, top, right, bottom


@dataclass(frozen=True)
class Text:
    text: str
    box: Box
    size: float  # user units
    fill: str
    kind: str | None  # the kind of visit whose label it is, or None (a year)
    group: int  # the lines of one label share it (their <g>)
    classes: tuple[str, ...]


@dataclass(frozen=True)
class Figure:
    width: float  # the viewBox
    height: float
    printed_mm: float  # the width it is drawn at
    texts: list[Text]
    marks: dict[str, list[Element]]  # kind: the marks
    axis: float
    lines: list[tuple[int, Box]]  # in drawing order: (order, box)
    masks: list[tuple[int, Box]]  # white boxes, which hide what is drawn before them
    title: str


@cache
def font(bold: bool) -> TTFont:
    return TTFont(REPO / f"templates/fonts/NotoSans-{'Bold' if bold else 'Regular'}.ttf")


def ink(text: str, size: float, bold: bool) -> tuple[float, float, float]:
    """Return the advance width and the ink's top and bottom (above the baseline, up) of text."""
    face = font(bold)
    cmap, metrics, glyphs = face.getBestCmap(), face["hmtx"], face["glyf"]
    scale = size / face["head"].unitsPerEm
    names = [cmap[ord(char)] for char in text]
    tops, bottoms = [0.0], [0.0]
    for name in names:
        glyph = glyphs[name]
        if glyph.numberOfContours:
            tops.append(glyph.yMax)
            bottoms.append(glyph.yMin)
    width = sum(metrics[name][0] for name in names) * scale
    return width, max(tops) * scale, min(bottoms) * scale


def styles(svg: Element) -> dict[str, dict[str, str]]:
    """Return the declarations of each selector of the SVG's stylesheet."""
    style = svg.find(f"{SVG}style")
    sheet = "".join(style.itertext()) if style is not None else ""
    rules: dict[str, dict[str, str]] = {}
    for selectors, body in re.findall(r"([^{}]+)\{([^}]*)\}", sheet):
        declarations = dict(
            (name.strip(), value.strip())
            for name, _, value in (d.partition(":") for d in body.split(";") if ":" in d)
        )
        for selector in selectors.split(","):
            rules.setdefault(selector.strip(), {}).update(declarations)
    return rules


def figure(html: str) -> Figure:
    start = html.index("<svg", html.index('<figure class="figure timeline">'))
    svg = fromstring(html[start : html.index("</svg>", start) + 6])
    rules = styles(svg)
    width, height = (float(v) for v in _attr(svg, "viewBox").split()[2:])
    marks: dict[str, list[Element]] = {"outbound": [], "inbound": []}
    for element in svg.iter():
        for kind in marks:
            if {"visit-mark", kind} <= set((element.get("class") or "").split()):
                marks[kind].append(element)
    parents = {child: parent for parent in svg.iter() for child in parent}
    texts = [_text(t, parents[t], rules) for t in svg.iter(f"{SVG}text")]
    lines, masks = [], []
    for order, element in enumerate(svg.iter()):
        if element.tag == f"{SVG}line":
            x1, y1, x2, y2 = (_number(element, a) for a in ("x1", "y1", "x2", "y2"))
            lines.append((order, (min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2))))
        elif element.tag == f"{SVG}rect" and element.get("fill") in ("#fff", "#ffffff", "white"):
            x, y = _number(element, "x"), _number(element, "y")
            w, h = _number(element, "width"), _number(element, "height")
            masks.append((order, (x, y, x + w, y + h)))
    first = (marks["outbound"] or marks["inbound"])[0]
    title = "".join(title.itertext()) if (title := svg.find(f"{SVG}title")) is not None else ""
    printed = float(_attr(svg, "width").removesuffix("mm"))
    return Figure(width, height, printed, texts, marks, _centre(first)[1], lines, masks, title)


def _text(element: Element, group: Element, rules: dict[str, dict[str, str]]) -> Text:
    """Return a text with its ink box; `group` is its parent, a label's <g> or the figure."""
    classes = (element.get("class") or "").split()
    style = dict(rules.get("text", {}))
    for name in classes:
        style.update(rules.get(f".{name}", {}))
    size = float(style["font-size"].removesuffix("px"))
    content = "".join(element.itertext())
    advance, top, bottom = ink(content, size, style.get("font-weight") in ("700", "bold"))
    x, y = _number(element, "x"), _number(element, "y")
    anchor = style.get("text-anchor", "start")
    left = {"start": x, "middle": x - advance / 2, "end": x - advance}[anchor]
    marks = list(group.iter()) if group.tag == f"{SVG}g" else []  # a label's, with its mark
    near = {name for m in marks for name in (m.get("class") or "").split()}
    kinds = [k for k in ("outbound", "inbound") if k in near]
    box = (left, y - top, left + advance, y - bottom)
    fill = style.get("fill", "#000")
    key = id(group)  # taken while the whole tree is alive: one number per <g>
    return Text(content, box, size, fill, kinds[0] if kinds else None, key, tuple(classes))


def _attr(element: Element, name: str) -> str:
    value = element.get(name)
    assert value is not None, f"<{element.tag}> has no {name}"
    return value


def _number(element: Element, name: str) -> float:
    return float(_attr(element, name))


def _centre(mark: Element) -> tuple[float, float]:
    if mark.get("cx") is not None:
        return _number(mark, "cx"), _number(mark, "cy")
    numbers = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", _attr(mark, "d"))]
    return numbers[0], numbers[1] + 8  # M x y-8 …: the diamond's top point


def _overlap(a: Box, b: Box, margin: float = 0.0) -> bool:
    return (
        a[0] < b[2] + margin
        and b[0] < a[2] + margin
        and a[1] < b[3] + margin
        and b[1] < a[3] + margin
    )


def _contrast(colour: str) -> float:
    """Return the WCAG contrast ratio of a #rrggbb colour against white paper."""
    channels = [int(colour.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    return 1.05 / (luminance + 0.05)


def check(fig: Figure, visits: int) -> None:
    """Every property a reader of the printed figure relies on."""
    marks = fig.marks["outbound"] + fig.marks["inbound"]
    assert len(marks) == visits
    labels = [t for t in fig.texts if t.kind]
    # Shapes, not only colours, tell the kinds apart.
    shapes = {kind: {m.tag for m in fig.marks[kind]} for kind in fig.marks if fig.marks[kind]}
    if len(shapes) == 2:
        assert not shapes["outbound"] & shapes["inbound"], shapes
    # Placed by meaning: the home side's visits above the axis, visits to it below.
    for label in labels:
        above = label.box[3] < fig.axis
        assert above == (label.kind == "outbound"), label
    # Nothing under 8 pt as printed, nothing light.
    scale = fig.printed_mm * PT_PER_MM / fig.width
    for text in fig.texts:
        assert text.size * scale >= 8, f"{text.text!r} prints at {text.size * scale:.1f} pt"
        assert _contrast(text.fill) >= 7, f"{text.text!r} is {text.fill}"
    # Within the figure, no two texts touching, no leader or mark through a text.
    for text in fig.texts:
        left, top, right, bottom = text.box
        assert left >= 0 and right <= fig.width and top >= 0 and bottom <= fig.height, text
    for i, a in enumerate(fig.texts):
        for b in fig.texts[i + 1 :]:
            # The lines of one label may come close; other texts keep 1.5 mm (6 units) apart.
            margin = 0.0 if a.kind and a.group == b.group else 6.0
            assert not _overlap(a.box, b.box, margin), (a, b)
    for order, line in fig.lines:
        for text in fig.texts:
            hidden = any(o > order and _inside(text.box, mask) for o, mask in fig.masks)
            assert hidden or not _overlap(line, text.box), (text, line)
    for mark in marks:
        x, y = _centre(mark)
        for text in fig.texts:
            assert not _overlap((x - 8, y - 8, x + 8, y + 8), text.box), (text, x)


def _inside(box: Box, mask: Box) -> bool:
    return mask[0] <= box[0] and box[2] <= mask[2] and mask[1] <= box[1] and box[3] <= mask[3]


def html(root: Path, language: str) -> str:
    return (root / f"reports/chile-russia-briefing-note.{language}.html").read_text("utf-8")


@pytest.mark.parametrize("language", LANGUAGES)
def test_shipped_timeline_survives_a_grey_printer(built: Path, language: str) -> None:
    fig = figure(html(built, language))
    check(fig, 5)
    assert len(fig.marks["outbound"]) == 4 and len(fig.marks["inbound"]) == 1
    assert [t.text for t in fig.texts if not t.kind] == [str(y) for y in range(1990, 2016, 5)]
    names = [t.text for t in fig.texts if "name" in t.classes]
    assert len(names) == 5 and all(name in fig.title for name in names)  # the alt text


def test_legend_shows_the_figure_shapes_in_place_order(built: Path) -> None:
    caption = re.search(r"<figcaption>(.*?)</figcaption>", html(built, "en-GB"), re.S)
    assert caption
    words = caption.group(1).replace("&#160;", " ").replace("\u00a0", " ")
    assert re.search(
        r"Above the axis, <span class=\"legend outbound\"></span> visit by a President of"
        r".*below it, <span class=\"legend inbound\"></span> visit to",
        words,
    )
    css = (REPO / "templates/briefing.css").read_text("utf-8")
    outbound = re.search(r"\.legend\.outbound \{([^}]*)\}", css)
    inbound = re.search(r"\.legend\.inbound \{([^}]*)\}", css)
    assert outbound and "border-radius: 50%" in outbound.group(1)  # the figure's disc
    assert inbound and "rotate(45deg)" in inbound.group(1) and "#fff" in inbound.group(1)


@pytest.mark.parametrize(
    ("language", "outbound", "inbound"),
    [
        ("en-GB", "visit by a President of Chile", "visit to Chile"),
        ("es.draft", "visita de un presidente de Chile", "visita a Chile"),
        ("ru.draft", "визит президента Чили", "визит в Чили"),
    ],
)
def test_legend_names_the_country_as_each_language_declines_it(
    built: Path, language: str, outbound: str, inbound: str
) -> None:
    pdf = built / f"reports/chile-russia-briefing-note.{language}.pdf"
    text = " ".join("\n".join(p.extract_text() for p in PdfReader(pdf).pages).split())
    caption = re.search(r"(Figure|Figura|Рисунок) 1\..*?Chile\.|Рисунок 1\..*?Чили\.", text)
    assert caption, text
    assert outbound in caption.group(0) and inbound in caption.group(0)
    assert "страны" not in caption.group(0) and "страну" not in caption.group(0)


Visit = tuple[str, bool, str, str, bool]  # names ("en|es|ru" or one), home's, place, date, flag


def _visit(names: str, home: bool, place: str, date: str, flag: bool) -> str:
    country = "{en: Chile, es: Chile, ru: Чили}" if home else "{en: Russia, es: Rusia, ru: Россия}"
    name = dict(zip(("en", "es", "ru"), names.split("|"), strict=True)) if "|" in names else names
    return (
        f"  - visitor: {{name: {_yaml(name)}, country: {country}}}\n"
        f"    place: {_yaml({'en': place, 'es': place, 'ru': place})}\n"
        "    country: {en: Somewhere, es: Algún lugar, ru: Где-то}\n"
        f"    date: {date}\n" + ("    illustrative: true\n" if flag else "")
    )


def _yaml(text: str | dict[str, str]) -> str:
    return (
        text
        if isinstance(text, str)
        else "{" + ", ".join(f"{k}: {v}" for k, v in text.items()) + "}"
    )


CROWDED: list[Visit] = [  # twelve visits in three years, both ways: long names, same years, flags
    ("Michelle Bachelet Jeria", True, "Vladivostok", "2010", False),
    ("Sebastián Piñera Echenique", True, "Moscow", "2010-03", False),
    ("Andrés Allamand Zavala", True, "Saint Petersburg", "2011", True),
    ("Alfredo Moreno Charme", True, "Yekaterinburg", "2011-06-15", False),
    ("Heraldo Muñoz Valenzuela", True, "Moscow", "2012", False),
    ("Teodoro Ribera Neumann", True, "Kazan", "2012-11", False),
    ("Sergey Viktorovich Lavrov|Serguéi Víktorovich Lavrov|Сергей Викторович Лавров", False, "Santiago", "2010", False),
    ("Dmitry Anatolyevich Medvedev|Dmitri Anatólievich Medvédev|Дмитрий Анатольевич Медведев", False, "Valparaíso", "2010-05", True),
    ("Sergey Alexandrovich Ryabkov|Serguéi Aleksándrovich Riabkov|Сергей Александрович Рябков", False, "Santiago", "2011", False),
    ("Vladimir Vladimirovich Putin|Vladímir Vladímirovich Putin|Владимир Владимирович Путин", False, "Santiago", "2011", False),
    ("Valentina Ivanovna Matviyenko|Valentina Ivánovna Matviyenko|Валентина Ивановна Матвиенко", False, "Punta Arenas", "2012", False),
    ("Alexander Viktorovich Pankin|Aleksandr Víktorovich Pankin|Александр Викторович Панкин", False, "Concepción", "2012", False),
]  # fmt: skip
DECADES: list[Visit] = [  # fourteen visits over forty years, alternating
    (f"Visitor Number {i + 1}", i % 2 == 0, ("Moscow", "Santiago")[i % 2], str(1980 + 3 * i), False)
    for i in range(14)
]  # fmt: skip
SINGLE: list[Visit] = [("Patricio Aylwin", True, "Moscow", "1993", False)]


def write_visits(root: Path, visits: list[Visit]) -> None:
    text = "source: embassy-bilateral\nas_of: 2026-11-28\nvisits:\n"
    text += "".join(_visit(*visit) for visit in visits)
    (root / "data/chile-russia/visits.yaml").write_text(text, "utf-8")


def test_crowded_timeline_keeps_its_labels_apart_in_every_language(
    full_project: Path, cli: Cli
) -> None:
    write_visits(full_project, CROWDED)
    run = cli(full_project, "--date", BUILD_DATE, "--only", "briefing-note", "--html", "-q")
    assert run.code == 0, run.err
    for language in LANGUAGES:
        fig = figure(html(full_project, language))
        check(fig, len(CROWDED))
        # Dense, but not so dense that a leader must pass behind a label (only behind years).
        labels = [t for t in fig.texts if t.kind]
        assert not any(_inside(t.box, mask) for t in labels for _, mask in fig.masks)


@pytest.mark.parametrize("visits", [SINGLE, DECADES], ids=["single", "decades"])
def test_timeline_holds_for_one_visit_and_for_forty_years(
    project: Path, cli: Cli, visits: list[Visit]
) -> None:
    write_visits(project, visits)
    run = cli(project, "--date", BUILD_DATE, "--only", "briefing-note", "--html", "-q")
    assert run.code == 0, run.err
    check(figure(html(project, "en-GB")), len(visits))
