"""The visits timeline's layout: where each mark, leader and label of partials/timeline.html goes.

Labels are placed by meaning, visits by the home side above the axis and visits to it below,
and never collide: each side's labels are stacked in rows, so that no two labels share space and
no leader crosses a label nearer the axis. Only where marks are denser than labels are wide
across the whole axis is that impossible; such a label is then `backed`, drawn on a white box
that masks the leaders behind it. Widths are estimated from Noto Sans (the theme's font), rounded
up, so an estimate is never narrower than the text.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from .models import PartialDate, Visit

WIDTH = 680.0  # user units; the SVG is drawn 170 mm wide, so a unit is 0.25 mm (0.709 pt)
SIZES = {"name": 13.0, "place": 12.0, "flag": 12.0, "tick": 12.0}  # >= 11.3 units: 8 pt printed
LEADING = 1.25  # line pitch, in ems; a line's baseline is 1 em below its top
X0, X1 = 30.0, 650.0  # the axis
EDGE = 2.0  # the least room between any text and the edge of the figure
GAP = 10.0  # the least room between two labels in a row
CLEAR = 5.0  # the least room between a label and a leader that is not its own
MARK = 18.0  # the least distance between two marks' centres
INSET = 9.0  # how far a label set flush against its mark reaches past it
MAX_LINE = 300.0  # a longer label line is wrapped between words
LEADER = 24.0  # from the axis to the nearest row of labels above it
TICK = 24.0  # from the axis to the baseline of the years below it
BELOW = 34.0  # from the axis to the nearest row of labels below it
ROW_GAP = 6.0  # between rows of labels
MARGIN = 4.0  # above the top row and below the bottom one

# Advance widths in ems, the larger of Noto Sans Regular's and Bold's, rounded up to 0.05.
_ADVANCES = {
    0.25: "¸‘’",
    0.3: " !',.:;\u00a0¡·",
    0.35: "()-J[]ijlìíîïĩīĭįıĴĵĺļľłЈіїј",
    0.4: "I`f{}ª²³´¹ºÌÍÎÏĨĪĬĮİŀſІЇ",
    0.45: "/\\_t°ţťŧ“”",
    0.5: '"?rsz¯¿ŕŗřśŝşšźżžгѓѕ–',
    0.55: "Fc§çćĉċčсэє",
    0.6: "$*+0123456789<=>ELSTZ^evxy|~¢£¤¥¦¬±ÈÉÊË×èéêë÷ýÿĒēĔĕĖėĘęĚěĹĻĽĿŁŚŜŞŠŢŤŦŷŹŻŽ"
    "ЀЁЃЅГЕТезтухяѐёў",
    0.65: "#CPVYabdgkopq¨«»ÇÝÞàáâãäåðòóôõöøþāăąĆĈĊČďđĝğġģĳķĸōŏőŶŸБЗРСЬабвклорьќ",
    0.7: "ABKRXhnuµ¶ÀÁÂÃÄÅñùúûüĀĂĄĥħĶńņňŋŔŖŘũūŭůűųЄЌЎАВКУХЭЯднпцчђћџ",
    0.75: "&DGÐßĎĐĜĞĠĢĲЏЛПЧЪийъѝ",
    0.8: "HOQUÒÓÔÕÖØÙÚÛÜĤĦŉŌŎŐŨŪŬŮŰŲДНОЦ",
    0.85: "N©®¼¾ÑŃŅŇŊЂЋЍИЙмфы",
    0.9: "@w½ŵФжюљњ…",
    0.95: "%MæЖМЫ",
    1.0: "WmÆŒœŴЉшщ—",
}
_ADVANCE = {char: em for em, chars in _ADVANCES.items() for char in chars}
_WIDEST = 1.15  # Щ; also any character not listed (another script, a symbol)

Kind = Literal["outbound", "inbound"]
Anchor = Literal["middle", "end", "start"]


def text_width(text: str, size: float) -> float:
    """Return the width of `text` set at `size`, in the same unit: never less than the font's."""
    return size * sum(_ADVANCE.get(char, _WIDEST) for char in text)


@dataclass(frozen=True)
class Line:
    text: str
    style: str  # a class of the figure's stylesheet: name, place or flag
    y: float  # the baseline


@dataclass(frozen=True)
class Label:
    """One visit: its mark on the axis, its leader and its label."""

    visit: Visit
    kind: Kind
    x: float  # the mark
    anchor: Anchor
    tx: float  # where the label's lines are anchored
    lines: tuple[Line, ...]
    left: float  # the label's extent: its widest line, its lines' boxes
    right: float
    top: float
    bottom: float
    leader: tuple[float, float]  # from the mark to the label (y)
    backed: bool  # on a white box: a leader passes behind it


@dataclass(frozen=True)
class Tick:
    x: float
    year: int
    anchor: Anchor  # how the year is set at its tick: under it, or beside it, clear of leaders
    tx: float
    y: float  # the year's baseline
    left: float
    width: float
    backed: bool  # no room clear of leaders: on a white box that the leaders pass behind


@dataclass(frozen=True)
class Timeline:
    width: float
    height: float
    axis: float  # its y
    x0: float
    x1: float
    ticks: tuple[Tick, ...]
    labels: tuple[Label, ...]
    sizes: dict[str, float]


@dataclass(frozen=True)
class _Item:
    """A label to place: its mark, its lines (text, style) in reading order, and its size."""

    index: int
    kind: Kind
    x: float
    lines: tuple[tuple[str, str], ...]
    width: float
    height: float


Place = tuple[int, Anchor, bool]  # the row (0 nearest the axis), anchor, and whether backed


@dataclass(frozen=True)
class _Side:
    """The labels on one side of the axis, in rows, each as deep as its deepest label."""

    places: dict[int, Place]
    offsets: tuple[float, ...]  # of each row's near edge, from the first row's
    depth: float

    @classmethod
    def of(cls, items: list[_Item]) -> _Side:
        places = _rows(items)
        rows = range(1 + max((row for row, _, _ in places.values()), default=-1))
        deep = [max(it.height for it in items if places[it.index][0] == r) for r in rows]
        offsets = tuple(sum(deep[:r]) + ROW_GAP * r for r in rows)
        return cls(places, offsets, sum(deep) + ROW_GAP * len(deep))


def layout(
    visits: Sequence[Visit], dates: Sequence[str], home: str, flags: Sequence[str]
) -> Timeline:
    """Return the timeline of `visits` (localised, by date), with each one's date in words and
    flag word ("ILLUSTRATIVE", or empty)."""
    start, end, step = _span(visits[0].date.year, visits[-1].date.year)
    xs = _spread([X0 + (_when(v.date) - start) / (end - start) * (X1 - X0) for v in visits])
    items = [
        _item(i, v, xs[i], date, flag, "outbound" if v.visitor.country == home else "inbound")
        for i, (v, date, flag) in enumerate(zip(visits, dates, flags, strict=True))
    ]
    above, below = (_Side.of([it for it in items if it.kind == k]) for k in ("outbound", "inbound"))
    axis = MARGIN + above.depth + (LEADER if above.depth else 10.0)
    labels = [
        _label(visits[it.index], it, above if it.kind == "outbound" else below, axis)
        for it in items
    ]
    leaders = [label.x for label in labels if label.kind == "inbound"]
    ticks = tuple(_tick(year, start, end, leaders, axis) for year in range(start, end + 1, step))
    height = axis + (BELOW + below.depth if below.depth else TICK + 6) + MARGIN
    return Timeline(WIDTH, math.ceil(height), axis, X0, X1, ticks, tuple(labels), dict(SIZES))


def _span(first: int, last: int) -> tuple[int, int, int]:
    """Return the axis' first and last years and the step between its years: 4 to 8 steps."""
    for step in (1, 2, 5, 10, 20, 25, 50, 100):
        start, end = first - first % step, last - last % step + step
        if (end - start) // step <= 8:
            break
    while (end - start) // step < 4:  # a short span: widen it, so one visit is not at an end
        end, start = (end, start - step) if (end - start) // step % 2 else (end + step, start)
    return start, end, step


def _when(date: PartialDate) -> float:
    """Return the start of the period a date names, in years: 2019 is 2019.0."""
    return date.year + ((date.month or 1) - 1) / 12 + ((date.day or 1) - 1) / 365


def _spread(xs: list[float]) -> list[float]:
    """Return the marks' places, moved apart where two would touch; each group stays centred."""
    groups: list[list[int]] = []
    for index in sorted(range(len(xs)), key=lambda i: xs[i]):
        groups.append([index])
        while len(groups) > 1 and _first(groups[-2], xs) + MARK * len(groups[-2]) > _first(
            groups[-1], xs
        ):
            groups[-2:] = [groups[-2] + groups[-1]]
    placed = list(xs)
    for group in groups:
        for offset, index in enumerate(group):
            placed[index] = _first(group, xs) + offset * MARK
    return placed


def _first(group: list[int], xs: list[float]) -> float:
    """Return where the first mark of a group goes: the group centred on its marks' dates."""
    centre = sum(xs[i] for i in group) / len(group)
    span = MARK * (len(group) - 1)
    return min(max(centre - span / 2, X0), X1 - span)


def _item(index: int, visit: Visit, x: float, date: str, flag: str, kind: Kind) -> _Item:
    parts = [(flag, "flag")] if flag else []
    parts += [(str(visit.visitor.name), "name"), (f"{visit.place}, {date}", "place")]
    lines = tuple((text, style) for words, style in parts for text in _wrap(words, style))
    width = max(text_width(text, SIZES[style]) for text, style in lines)
    height = sum(SIZES[style] * LEADING for _, style in lines)
    return _Item(index, kind, x, lines, width, height)


def _wrap(text: str, style: str) -> list[str]:
    """Return `text` in lines no wider than MAX_LINE, broken between words (a longer word alone)."""
    lines: list[str] = []
    for word in text.split(" "):
        joined = f"{lines[-1]} {word}" if lines else word
        if lines and text_width(joined, SIZES[style]) <= MAX_LINE:
            lines[-1] = joined
        else:
            lines.append(word)
    return lines


def _extent(item: _Item, anchor: Anchor) -> tuple[float, float]:
    """Return the left and right of the label set `anchor` at its mark."""
    if anchor == "middle":
        return item.x - item.width / 2, item.x + item.width / 2
    if anchor == "end":
        return item.x + INSET - item.width, item.x + INSET
    return item.x - INSET, item.x - INSET + item.width


def _rows(items: list[_Item]) -> dict[int, Place]:
    """Return each item's row (0 nearest the axis), anchor, and whether a leader may cross it.

    A label contains no mark whose label is in its row or farther out, so no leader crosses it.
    """
    waiting = sorted(items, key=lambda it: it.x)
    placed: dict[int, Place] = {}
    row = 0
    while waiting:
        spans: list[tuple[float, float]] = []
        _fill(waiting, spans, row, placed)
        if not spans:  # marks too dense: the label over the fewest of them goes here, backed
            item, anchor = min(_candidates(waiting), key=lambda c: _covered(c[0], c[1], waiting))
            placed[item.index] = (row, anchor, True)
            spans.append(_extent(item, anchor))
            waiting.remove(item)
            _fill(waiting, spans, row, placed)
        row += 1
    return placed


def _fill(
    waiting: list[_Item],
    spans: list[tuple[float, float]],
    row: int,
    placed: dict[int, Place],
) -> None:
    """Place in `row` each waiting item that fits there, from left to right."""
    for item in list(waiting):
        for anchor in ("middle", "end", "start"):
            left, right = _extent(item, anchor)
            free = all(right + GAP <= a or b + GAP <= left for a, b in spans)
            if _inside(left, right) and free and not _covered(item, anchor, waiting):
                placed[item.index] = (row, anchor, False)
                spans.append((left, right))
                waiting.remove(item)
                break


def _candidates(waiting: list[_Item]) -> list[tuple[_Item, Anchor]]:
    anchors: tuple[Anchor, ...] = ("middle", "end", "start")
    fits = [
        (item, anchor) for item in waiting for anchor in anchors if _inside(*_extent(item, anchor))
    ]
    return fits or [(waiting[0], "start")]  # a label wider than the figure: it cannot fit


def _covered(item: _Item, anchor: Anchor, waiting: list[_Item]) -> int:
    """Return how many other waiting marks the label would stand over."""
    left, right = _extent(item, anchor)
    return sum(1 for o in waiting if o is not item and left - CLEAR < o.x < right + CLEAR)


def _label(visit: Visit, item: _Item, side: _Side, axis: float) -> Label:
    row, anchor, backed = side.places[item.index]
    up = item.kind == "outbound"
    near = side.offsets[row]
    top = axis - LEADER - near - item.height if up else axis + BELOW + near
    lines, y = [], top
    for text, style in item.lines:
        lines.append(Line(text, style, round(y + SIZES[style], 1)))
        y += SIZES[style] * LEADING
    left, right = _extent(item, anchor)
    tx = {"middle": item.x, "end": item.x + INSET, "start": item.x - INSET}[anchor]
    leader = (axis - 9, top + item.height + 1) if up else (axis + 9, top - 1)
    return Label(
        visit, item.kind, round(item.x, 1), anchor, round(tx, 1), tuple(lines),
        left, right, top, top + item.height, leader, backed,
    )  # fmt: skip


def _tick(year: int, start: int, end: int, leaders: list[float], axis: float) -> Tick:
    """Return a year of the axis, set under its tick, or beside it where a leader passes."""
    x = X0 + (year - start) / (end - start) * (X1 - X0)
    width = text_width(str(year), SIZES["tick"])
    places: list[tuple[Anchor, float, float]] = [
        ("middle", x, x - width / 2),
        ("start", x + 2, x + 2),
        ("end", x - 2, x - 2 - width),
    ]
    for anchor, tx, left in places:
        clear = all(not left - CLEAR < leader < left + width + CLEAR for leader in leaders)
        if clear and _inside(left, left + width):
            return Tick(round(x, 1), year, anchor, round(tx, 1), axis + TICK, left, width, False)
    left = x - width / 2
    return Tick(round(x, 1), year, "middle", round(x, 1), axis + TICK, left, width, True)


def _inside(left: float, right: float) -> bool:
    return left >= EDGE and right <= WIDTH - EDGE
