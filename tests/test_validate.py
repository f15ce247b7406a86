"""Validation of a whole data set: every problem of every file, located; warnings that do not fail."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from briefgen.errors import InputError
from briefgen.models import PartialDate
from briefgen.validate import load_dataset

TODAY = dt.date(2026, 11, 28)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1))


def problems_of(folder: Path) -> list[str]:
    with pytest.raises(InputError) as caught:
        load_dataset(folder, TODAY)
    return [str(p) for p in caught.value.problems]


@pytest.fixture
def dataset(project: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(project)
    return Path("data/chile-russia")


def test_shipped_data_is_valid_with_one_acknowledged_overlap(dataset: Path) -> None:
    briefing, warnings = load_dataset(dataset, TODAY)
    assert briefing.ambassadors and len(briefing.ambassadors.ambassadors) == 8
    assert [str(w) for w in warnings] == [
        "data/chile-russia/ambassadors.yaml:23:5: ambassadors #5 (Mario Silberman Gurovich) › "
        "start: term 2001–2006 overlaps the term of Pablo Cabrera Gaete (2000–2004) "
        "(acknowledged in the data)"
    ]
    assert warnings[0].acknowledged


def test_every_problem_in_every_file_is_reported(dataset: Path) -> None:
    edit(dataset / "visits.yaml", "date: 1993", "date: nineteen-ninety-three")
    edit(dataset / "visits.yaml", "    occasion: {en: APEC", "    ocasion: {en: APEC")
    edit(dataset / "milestones.yaml", "date: 2019-09-26", "date: 2019-02-30")
    edit(dataset / "ambassadors.yaml", "start: 2006\n    end: 2010", "start: 2006\n    end: 2003")
    edit(dataset / "trade.yaml", "horizon: {en: Medium term", "horizon_: {en: Medium term")
    assert problems_of(dataset) == [
        "data/chile-russia/ambassadors.yaml:32:5: ambassadors #6 (Augusto Parra Muñoz) › end: "
        "term ends (2003) before it starts (2006)",
        "data/chile-russia/milestones.yaml:40:5: milestones #4 (Meeting of the Ministers of "
        "Foreign…) › date: day is out of range for month",
        "data/chile-russia/trade.yaml:2:1: horizon: missing; add it (the key is required)",
        "data/chile-russia/trade.yaml:18:1: horizon_: unknown key; did you mean `horizon`? (valid "
        "keys: horizon, review_by, goal_short, partner_description, source, partner_abbreviation, "
        "partner, objective, unverified, next_steps, illustrative, lines_to_take, goal, as_of, "
        "members, advocacy)",
        "data/chile-russia/visits.yaml:26:5: visits #1 (Patricio Aylwin) › date: expected a year "
        "(2019), a month (2019-11) or a day (2019-09-26)",
        "data/chile-russia/visits.yaml:55:5: visits #5 (Sebastián Piñera) › ocasion: unknown key; "
        "did you mean `occasion`? (valid keys: occasion, visitor, country, illustrative, date, "
        "place, unverified)",
    ]


def test_unknown_source_and_missing_or_stray_files(dataset: Path) -> None:
    unknown_source = (
        "data/chile-russia/mechanisms.yaml:2:1: source: unknown source 'embassy-bilaterl'; "
        "sources.yaml defines embassy-bilateral"
    )
    edit(dataset / "mechanisms.yaml", "source: embassy-bilateral", "source: embassy-bilaterl")
    assert problems_of(dataset) == [unknown_source]
    (dataset / "trade.yaml").rename(dataset / "trades.yaml")
    (dataset / "relationship.yaml").unlink()
    edit(dataset / "visits.yaml", "date: 1993", "date: 1993-13")
    assert problems_of(dataset) == [
        "data/chile-russia/trades.yaml:1:1: unknown section file; expected sources.yaml, "
        "relationship.yaml, visits.yaml, ambassadors.yaml, mechanisms.yaml, milestones.yaml, "
        "trade.yaml, analysis.yaml",
        "data/chile-russia/relationship.yaml:1:1: section file is missing; sources.yaml and "
        "relationship.yaml are required",
        "data/chile-russia/visits.yaml:26:5: visits #1 (Patricio Aylwin) › date: month must be "
        "in 1..12",
        unknown_source,
    ]


def test_unacknowledged_overlap_and_future_as_of_warn(dataset: Path) -> None:
    edit(dataset / "ambassadors.yaml", "    acknowledged: [term-overlap]\n", "")
    edit(dataset / "visits.yaml", "as_of: 2026-11-28", "as_of: 2027-01-01")
    _, warnings = load_dataset(dataset, TODAY)
    # `field` is the machine path (counted from 0), kept in the build state; `where` is for people.
    assert [(w.field, w.where, w.acknowledged) for w in warnings] == [
        ("ambassadors.4.start", "ambassadors #5 (Mario Silberman Gurovich) › start", False),
        ("as_of", "as_of", False),
    ]
    assert "as_of 2027-01-01 is after the build date 2026-11-28" in str(warnings[1])


@pytest.mark.parametrize(
    ("text", "expected"),
    [(1993, "1993"), ("2014-04", "2014-04"), ("2019-09-26", "2019-09-26")],
)
def test_partial_dates_keep_their_precision(text: object, expected: str) -> None:
    assert str(PartialDate.parse(text)) == expected


@pytest.mark.parametrize(
    "bad", ["2019-13", "2019-00", "2019-01-00", "1492", "April 2014", True, 2019.5]
)
def test_partial_dates_reject_nonsense(bad: object) -> None:
    with pytest.raises(ValueError):
        PartialDate.parse(bad)


def test_extra_data_names_must_not_collide(dataset: Path) -> None:
    (dataset / "extra").mkdir()
    (dataset / "extra/talking-points.yaml").write_text("a: 1\n")
    (dataset / "extra/talking_points.yaml").write_text("b: 2\n")
    assert problems_of(dataset) == [
        "data/chile-russia/extra/talking_points.yaml:1:1: another file in extra/ is also "
        "data.extra.talking_points"
    ]
