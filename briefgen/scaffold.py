"""Start a data set: `generate.py new NAME` writes a minimal valid one and its document entries.

Every value it writes is a placeholder, marked illustrative where the model has the flag and
worded "Replace with …", so a document built from it says plainly that it is not yet real.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from .data import read_yaml
from .errors import InputError, Problem, UsageError, display_path
from .output import write_atomic

_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_SOURCE = "placeholder-source"

_FILES = {
    "sources": """\
# The documents this data set is drawn from. Every other section names one of them by id.
sources:
  - id: {source}
    title: Replace with the title of your source
    publisher: Replace with who published it
    language: Replace with the language or version of the source you used
    note: >-
      A placeholder written by generate.py new. Replace it, and every text
      marked illustrative, before the documents are used.
    # url: https://…
""",
    "relationship": """\
# Required: the overview of the relationship. Every other section file is optional.
source: {source}
as_of: {date}
# review_by: {date}
illustrative: true
parties:
  home: Replace with the country that issues the documents
  counterpart: Replace with the other country
diplomatic_relations: Replace with one sentence on the state of diplomatic relations.
characterisation: Replace with how your source characterises the relationship.
# Optional: fields of cooperation and other ties, lower case unless a proper noun.
# cooperation:
#   - science and technology
# other_ties:
#   - cultural and academic contacts
""",
    "visits": """\
# Optional: high-level visits. Delete this file if there are none.
source: {source}
as_of: {date}
# Mark what is not taken from a source illustrative, and what is not yet checked against it
# `unverified: true`: documents label such facts wherever they show them.
illustrative: true
# described_as: presidential visits   # when every visit is a head of state's
# summary: One paragraph introducing the visits.
visits:
  - visitor:
      name: Replace with the visitor's name
      role: Replace with the visitor's office
      country: Replace with the visitor's country
    place: Replace with the city visited
    country: Replace with the country visited
    date: {year}
    # occasion: APEC summit
    illustrative: true
""",
    "ambassadors": """\
# Optional: the heads of mission, oldest first; the serving one has no end.
source: {source}
as_of: {date}
illustrative: true
post: Replace with the post, e.g. Ambassador of one country to the other
ambassadors:
  - name: Replace with the ambassador's name
    start: {year}
    # end: 2030
    illustrative: true
""",
}

# The optional sections it does not write, shown as comments at the end of relationship.yaml.
_OPTIONAL = """\

# The other sections are optional: to add one, create its file in this folder (the schemas
# are in schemas/, the fields in docs/templates.md). A document leaves out any section the
# data set does not have. visits.yaml and ambassadors.yaml were written for you.
#
# mechanisms.yaml
#   source: {source}
#   as_of: {date}
#   mechanisms:
#     - name: Political Consultations
#       level: Vice-Ministers of Foreign Affairs
#       cadence: Expected to be convened annually
#       venue: Alternately in each country
#
# milestones.yaml
#   source: {source}
#   as_of: {date}
#   milestones:
#     - date: 2019-09-26
#       title: Meeting of the Ministers of Foreign Affairs
#       place: New York
#       status: held          # or cancelled
#
# trade.yaml
#   source: {source}
#   as_of: {date}
#   objective: The economic objective, as the source puts it.
#   horizon: Medium term
#   partner: The partner of the agreement, in full
#   partner_abbreviation: ABC
#   partner_description: What the partner is, in one sentence.
#   members: []             # the partner's member states, if it is a union
#   advocacy: What your country does to advance the objective.
#   lines_to_take: []
#   goal: The goal in one sentence, for the key points (omit to leave it out).
#   goal_short: The goal in a few words, for the fact sheet (omit to leave it out).
#   next_steps: What comes next, if the source says (omit otherwise).
#
# analysis.yaml: free sections of your own analysis. A document shows one where its
# `sections:` list (data/reports.yaml) names it as free:ID. Longer texts are Markdown, here and
# in other files (summary, note, characterisation, advocacy, next_steps); raw HTML and images
# are printed as text, and links go only to http, https and mailto addresses.
#   sections:
#     - id: outlook
#       title: Outlook
#       source: {source}
#       as_of: {date}
#       body: |
#         One paragraph or more, with *emphasis* and [links](https://example.org).
#
#         - a list item
#         - another item
"""

_DOCUMENTS = """
  # Written by `generate.py new {name}`: drafts until the placeholders in data/{name}/
  # are replaced.
  - name: {name}-briefing-note
    title: Replace with the title of the {name} briefing note
    short_title: {name} briefing note
    document_id: {code}-01
    version: "0.1"
    template: briefing-note.html
    data: {name}
    output: {name}-briefing-note.pdf
    status: draft
    subject: Replace with one sentence on what the briefing note covers.
    # With data/{name}/analysis.yaml, list the sections to add its free sections by id:
    # sections: [overview, free:outlook, visits, ambassadors, mechanisms, cooperation, milestones, trade, sources]

  - name: {name}-fact-sheet
    title: Replace with the title of the {name} fact sheet
    short_title: {name} at a glance
    document_id: {code}-02
    version: "0.1"
    template: fact-sheet.html
    data: {name}
    output: {name}-fact-sheet.pdf
    status: draft
    subject: Replace with one sentence on what the fact sheet covers.

  # The free-trade brief needs data/{name}/trade.yaml: add it, then uncomment this.
  # - name: {name}-free-trade-brief
  #   title: Replace with the title of the free-trade brief
  #   document_id: {code}-03
  #   version: "0.1"
  #   template: eeu-brief.html
  #   data: {name}
  #   output: {name}-free-trade-brief.pdf
  #   status: draft
  #   subject: Replace with one sentence on what the brief covers.
"""


def new_dataset(data_dir: Path, name: str | None, date: dt.date) -> list[Path]:
    """Write data/NAME/ with placeholder data and append its documents to reports.yaml.

    Return the files written. Refuse a NAME that is not a slug or is already a data set.
    """
    folder = _checked_folder(data_dir, name)
    reports = data_dir / "reports.yaml"
    appended = _with_documents(reports, folder.name)
    values = {"source": _SOURCE, "date": date.isoformat(), "year": date.year}
    written = []
    for section, text in _FILES.items():
        path = folder / f"{section}.yaml"
        header = f"# yaml-language-server: $schema=../../schemas/{section}.schema.json\n"
        footer = _OPTIONAL if section == "relationship" else ""
        write_atomic(path, (header + text + footer).format(**values).encode())
        written.append(path)
    write_atomic(reports, appended.encode())
    return [*written, reports]


def _checked_folder(data_dir: Path, name: str | None) -> Path:
    if not name:
        raise UsageError("new needs a NAME for the data set, e.g. generate.py new chile-peru")
    if not _SLUG.match(name):
        raise UsageError(
            f"new: {name!r} is not a valid data set name: use lower-case letters, digits and "
            "single hyphens, e.g. chile-peru"
        )
    folder = data_dir / name
    if folder.exists():
        raise UsageError(f"{display_path(folder)}: a data set of that name already exists")
    return folder


def _with_documents(reports: Path, name: str) -> str:
    """Return reports.yaml with the new data set's document entries appended to `documents:`."""
    doc = read_yaml(reports)
    keys = list(doc.value) if isinstance(doc.value, dict) else []
    if not keys or keys[-1] != "documents" or not doc.value["documents"]:
        problem = Problem(reports, 1, 1, "new: `documents:` must be the last key, with an entry")
        raise InputError([problem])
    taken = {d.get("name") for d in doc.value["documents"] if isinstance(d, dict)}
    if f"{name}-briefing-note" in taken or f"{name}-fact-sheet" in taken:
        line, col = doc.locate(("documents",))
        message = f"new: documents named {name}-briefing-note or {name}-fact-sheet already exist"
        raise InputError([Problem(reports, line, col, message)])
    # An item's position is that of its first key, just after "- ".
    indent = max(doc.locate(("documents", 0))[1] - 3, 0)
    entries = _DOCUMENTS.format(name=name, code=name.upper())
    # The entries are written at an indent of two: move them to the file's own.
    shifted = "\n".join(" " * indent + line[2:] if line else "" for line in entries.split("\n"))
    text = reports.read_text("utf-8")
    return text.rstrip("\n") + "\n" + shifted
