#!/usr/bin/env python3
"""Measure briefgen side by side with the naive baseline and write docs/benchmarks.md.

Usage: python3 benchmarks/run.py [--repeat N]   (sets itself up like generate.py; takes a while)
Every figure is the median of N runs (default 3) of a fresh process, on a scratch copy of the
project, so nothing here touches reports/; the runs of two commands compared are taken in turns. The estates (copies of the shipped data set, 4 variants
each) are built once each: their full build is also their memory measurement, and the change that
rebuilds every briefing note of the large one is run once.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOTE = "briefing-note.en-GB"  # one variant: the naive script renders one document
DATE = "2026-11-28"
BATCH = 40
SMALL, LARGE = 3, 75  # data sets in the two estates: 12 and 300 variants
TRUSTED = 2.5  # seconds: outputs this old are trusted by their size and time (filehashes.TICK_NS)
Results = dict[str, list[float] | float]


def main() -> int:
    sys.path.insert(0, str(ROOT))
    from briefgen.bootstrap import ensure_environment

    ensure_environment(ROOT, extras=())
    # Python keeps compiled modules (.pyc) from a first run, unless PYTHONDONTWRITEBYTECODE is set,
    # as it is on some CI machines: compile briefgen's, as a user's second run finds them.
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "briefgen")], check=True)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    load = os.getloadavg()  # before: afterwards it counts this benchmark's own work
    with tempfile.TemporaryDirectory(prefix="briefgen-bench-") as scratch:
        results = measure(Path(scratch), args.repeat)
    (ROOT / "docs/benchmarks.md").write_text(report(results, args.repeat, load), "utf-8")
    print((ROOT / "docs/benchmarks.md").read_text("utf-8"))
    return 0


def project(scratch: Path, name: str) -> Path:
    folder = scratch / name
    for sub in ("templates", "data"):
        shutil.copytree(ROOT / sub, folder / sub)
    return folder


def generate(folder: Path, *args: str, quiet: bool = True) -> list[str]:
    command = [sys.executable, str(ROOT / "generate.py"), "--project", str(folder), "--date", DATE]
    return [*command, *(["-q"] if quiet else []), *args]


WAITED = [0.0]  # seconds spent waiting for the machine to be idle


def idle(limit: float = 600.0) -> None:
    """Wait (up to `limit` seconds in all) until the CPUs are at least 80 % idle over a second:
    the machine is shared, and another job on the second core would halve a parallel run."""
    start = time.perf_counter()
    while time.perf_counter() - start < limit - WAITED[0]:
        before = _cpu_times()
        time.sleep(1)
        after = _cpu_times()
        busy, total = (a - b for a, b in zip(after, before, strict=True))
        if total and busy / total <= 0.2:
            break
        time.sleep(2)
    WAITED[0] += time.perf_counter() - start


def _cpu_times() -> tuple[int, int]:
    """Return (busy, total) jiffies of all CPUs since boot, from /proc/stat."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle_time = fields[3] + fields[4]  # idle and iowait
    return sum(fields) - idle_time, sum(fields)


def timed(command: list[str], repeat: int, before: list[str] | None = None) -> list[float]:
    times = []
    for _ in range(repeat):
        if before:
            subprocess.run(before, check=True, capture_output=True)
        idle()
        start = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return times


def paired(first: list[str], second: list[str], repeat: int) -> tuple[list[float], list[float]]:
    """Time two commands taking turns, so that a change of load weighs on both alike."""
    times = [(timed(first, 1)[0], timed(second, 1)[0]) for _ in range(repeat)]
    return [a for a, _ in times], [b for _, b in times]


def measure(scratch: Path, repeat: int) -> Results:
    shipped = project(scratch, "shipped")
    subprocess.run(generate(shipped, "--html", "--force"), check=True, capture_output=True)
    note = shipped / "reports/chile-russia-briefing-note.en-GB"
    naive = [
        sys.executable,
        str(ROOT / "benchmarks/naive.py"),
        f"{note}.html",
        str(shipped / "templates"),
        str(scratch / "naive.pdf"),
    ]
    batch = batch_project(scratch)
    cold = generate(shipped, "--only", NOTE, "--force", "--jobs", "1")
    results: Results = dict(zip(("a", "b"), paired(naive, cold, repeat), strict=True))
    results["c"] = timed(generate(shipped, "--force"), repeat)
    results["d"] = timed(generate(shipped), repeat)
    one, two = generate(batch, "--force", "--jobs", "1"), generate(batch, "--force")
    results.update(zip(("e1", "en"), paired(one, two, repeat), strict=True))
    results["f"], results["f_all"] = watch_latency(
        english_only(project(scratch, "watched")), repeat
    )
    results.update(estate_figures(scratch, "small", SMALL, repeat))
    results.update(estate_figures(scratch, "large", LARGE, repeat))
    return results


def estate_figures(scratch: Path, name: str, sets: int, repeat: int) -> Results:
    """Build an estate once (its time and peak memory), then time its no-change run and changes."""
    folder = estate(scratch, name, sets)
    idle()
    built, rss = peak_rss(generate(folder, "--jobs", "2"))
    time.sleep(TRUSTED)
    figures: Results = {f"build_{name}": built, f"rss_{name}": rss}
    figures[f"none_{name}"] = timed(generate(folder), repeat)
    if name != "large":
        return figures
    base = folder / "templates/base.html"
    figures["base"], figures["base_built"] = changed(folder, repeat, base, "{{# note {} #}}\n")
    visits = folder / "templates/sections/visits.html"
    figures["visits"], figures["visits_built"] = changed(folder, 1, visits, "<!-- note {} -->\n")
    data = folder / "data/desk-007/visits.yaml"
    figures["data"], figures["data_built"] = changed(folder, repeat, data, "# note {}\n", "x")
    return figures


def changed(
    folder: Path, repeat: int, path: Path, line: str, place: str = ""
) -> tuple[list[float], float]:
    """Time runs after each of `repeat` edits of `path` (a line added; with `place`, a visit's
    place renamed too, so that the documents showing it change); return them and how many PDFs
    the last run rendered."""
    times, rendered = [], 0.0
    for i in range(repeat):
        text = path.read_text("utf-8") + line.format(i)
        if place:
            text = re.sub(r"place: \{en: [^,]*,", f"place: {{en: Santiago {place * (i + 1)},", text)
        path.write_text(text, "utf-8")
        idle()
        start = time.perf_counter()
        done = subprocess.run(generate(folder, "--json"), check=True, capture_output=True)
        times.append(time.perf_counter() - start)
        rendered = json.loads(done.stdout)["counts"]["built"]
        time.sleep(TRUSTED)
    return times, float(rendered)


def estate(scratch: Path, name: str, sets: int) -> Path:
    """A project of `sets` copies of the shipped data set, each with the three shipped documents,
    in English and final (the EEU brief also releasable at PUBLIC): 4 variants a data set."""
    folder = project(scratch, name)
    shipped = folder / "data/chile-russia"
    reports = folder / "data/reports.yaml"
    text = re.sub(r"languages: \[[^]]*\]", "languages: [en-GB]", reports.read_text("utf-8"))
    text = re.sub(r"status: \{[^}]*\}", "status: final", text)
    head, _, body = text.partition("documents:\n")
    entries = re.split(r"\n(?=  - name: )", body.strip("\n"))
    copies = []
    for i in range(sets):
        desk = f"desk-{i:03d}"
        shutil.copytree(shipped, folder / "data" / desk)
        for entry in entries:
            entry = re.sub(r"name: (\S+)", rf"name: \1-{i:03d}", entry, count=1)
            entry = re.sub(r"document_id: (\S+)", rf"document_id: \1-{i:03d}", entry)
            entry = entry.replace("data: chile-russia", f"data: {desk}")
            copies.append(re.sub(r"output: (\S+)", rf"output: {desk}-\1", entry))
    shutil.rmtree(shipped)
    reports.write_text(head + "documents:\n" + "\n".join(copies) + "\n", "utf-8")
    return folder


def batch_project(scratch: Path) -> Path:
    """A project of BATCH documents: the three shipped types over and over, each its own file."""
    folder = english_only(project(scratch, "batch"))
    reports = folder / "data/reports.yaml"
    text = reports.read_text("utf-8")
    head, _, body = text.partition("documents:\n")
    entries = re.split(r"\n(?=  - name: )", body.strip("\n"))
    copies = []
    for i in range(BATCH):
        entry = entries[i % len(entries)]
        name = re.search(r"name: (\S+)", entry)[1]  # type: ignore[index]
        entry = re.sub(r"name: \S+", f"name: {name}-{i:02d}", entry, count=1)
        entry = re.sub(r"output: (\S+)\.pdf", rf"output: \1-{i:02d}.pdf", entry)
        copies.append(entry)
    reports.write_text(head + "documents:\n" + "\n".join(copies) + "\n", "utf-8")
    return folder


def english_only(folder: Path) -> Path:
    """Make every document of `folder` one final English PDF, as before editions had languages.

    Keeps (e) and (f) comparable with the naive script, which renders one English document.
    """
    reports = folder / "data/reports.yaml"
    text = re.sub(r"languages: \[[^]]*\]", "languages: [en-GB]", reports.read_text("utf-8"))
    text = re.sub(r"status: \{[^}]*\}", "status: final", text)
    text = re.sub(r"\n    releasable_at: \[[^]]*\]", "", text)
    reports.write_text(text, "utf-8")
    return folder


def watch_latency(folder: Path, repeat: int) -> tuple[list[float], list[float]]:
    """Seconds from saving a data file to the briefing note's new PDF, and to the end of the run,
    in a warm watcher."""
    command = generate(folder, "watch", quiet=False)  # the watcher's info lines are what we wait on
    process = subprocess.Popen(command, stderr=subprocess.PIPE, text=True)
    assert process.stderr is not None
    lines = iter(process.stderr.readline, "")
    next(line for line in lines if line.startswith("watching "))
    time.sleep(1)
    visits = folder / "data/chile-russia/visits.yaml"
    pdf = folder / "reports/chile-russia-briefing-note.en-GB.pdf"
    original = visits.read_text("utf-8")
    first, whole = [], []
    for i in range(repeat + 1):  # the first edit warms the watcher's renderer; it is not counted
        before = pdf.stat().st_ino  # a new PDF is a new file (written aside, then renamed)
        edited = original.replace("{en: Santiago,", f"{{en: Santiago{' ' * (i % 2)}x,")
        idle()
        visits.write_text(edited)
        start = time.perf_counter()
        while pdf.stat().st_ino == before:
            assert time.perf_counter() - start < 120, "the watcher did not rebuild the note"
            time.sleep(0.002)
        note = time.perf_counter() - start
        next(line for line in lines if " built, " in line)
        if i:
            first.append(note)
            whole.append(time.perf_counter() - start)
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=60)
    return first, whole


def peak_rss(command: list[str]) -> tuple[float, float]:
    """Run a build; return its seconds and the peak resident memory, in MB, of its largest
    process (the command, the fork server or a worker)."""
    probe = (
        "import resource, subprocess, sys, time; t = time.perf_counter(); subprocess.run("
        "sys.argv[1:], check=True, capture_output=True); print(time.perf_counter() - t, "
        "resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe, *command], check=True, capture_output=True, text=True
    )
    seconds, kilobytes = done.stdout.split()
    return float(seconds), int(kilobytes) / 1024


def machine(load: tuple[float, ...]) -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor() or "unknown CPU",
    )
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (
        f"{os.cpu_count()} cores ({cpu}), {memory:.0f} GiB, {platform.system()} "
        f"{platform.release()}, Python {platform.python_version()}; load average when the run "
        f"started: {load[0]:.1f} (1 min), {load[2]:.1f} (15 min)"
    )


def report(r: Results, repeat: int, load: tuple[float, ...]) -> str:
    med = {k: statistics.median(v) if isinstance(v, list) else v for k, v in r.items()}
    variants = {"small": SMALL * 4, "large": LARGE * 4}
    rows = _rows(med, variants)
    targets = _targets(med, variants)
    lines = [
        "# Benchmarks",
        "",
        "Made by `python3 benchmarks/run.py`, which rewrites this file. Machine: "
        + machine(load)
        + ". Other work shares this machine: each run started once the CPUs were at least 80 % "
        f"idle over a second (the benchmark waited {WAITED[0]:.0f} s for that in all), but "
        "work that starts during a run still lengthens it, and the ratio of two runs (above all "
        "the parallel speed-up, which needs both cores) is less steady than on a machine of "
        "one's own.",
        f"Each time is the median of {repeat} runs of a fresh process (the watcher excepted), "
        "in seconds, on a scratch copy of the project. The estates are copies of the shipped "
        "data set, each with the three shipped documents in English (4 variants: the EEU brief "
        "also releasable at PUBLIC); each is built once (that run also gives its memory), then "
        "timed with nothing changed, "
        f"{TRUSTED:g} s after its last build (outputs younger than 2 s are hashed again, see "
        "[architecture.md](architecture.md#performance)), and after changes.",
        "",
        "| | what | median | ratio |",
        "|---|---|---|---|",
        *(f"| {k} | {what} | {value} | {ratio} |" for k, what, value, ratio in rows),
        "",
        "| target | met | measured |",
        "|---|---|---|",
        *(f"| {name} | {'yes' if ok else '**no**'} | {value} |" for name, ok, value in targets),
        "",
        "Where a target is missed, [architecture.md](architecture.md#performance) says by how much "
        "and why.",
        "",
    ]
    return "\n".join(lines)


def _rows(m: dict[str, float], n: dict[str, int]) -> list[tuple[str, str, str, str]]:
    large = n["large"]
    return [
        ("a", "naive script: Jinja2 + WeasyPrint, briefing note", f"{m['a']:.3f} s", ""),
        ("b", "cold, briefing note only (--jobs 1)", f"{m['b']:.3f} s", _x(m["b"], m["a"], "a")),
        ("c", "all 12 shipped variants", f"{m['c']:.3f} s", _x(m["c"], m["b"], "b")),
        ("d", "shipped project, nothing changed", f"{m['d']:.3f} s", _x(m["d"], m["b"], "b")),
        ("e1", f"{BATCH}-document batch, 1 worker", f"{m['e1']:.3f} s", ""),
        (
            "en",
            f"{BATCH}-document batch, {os.cpu_count()} workers",
            f"{m['en']:.3f} s",
            f"{m['e1'] / m['en']:.2f} × faster than 1 worker",
        ),
        (
            "f",
            "watch: save → the briefing note's new PDF",
            f"{m['f']:.3f} s",
            _x(m["f"], m["b"], "b"),
        ),
        ("f2", "watch: save → the run's end (3 documents)", f"{m['f_all']:.3f} s", ""),
        ("g1", f"estate of {n['small']} variants: build", f"{m['build_small']:.1f} s", ""),
        ("g2", f"estate of {large} variants: build", f"{m['build_large']:.1f} s", ""),
        ("h1", f"estate of {n['small']}: nothing changed", f"{m['none_small']:.3f} s", ""),
        (
            "h2",
            f"estate of {large}: nothing changed",
            f"{m['none_large']:.3f} s",
            _x(m["none_large"], m["none_small"], "h1"),
        ),
        (
            "i",
            f"estate of {large}: a Jinja comment in base.html",
            f"{m['base']:.1f} s",
            f"{m['base'] / large:.3f} s a variant; {m['base_built']:.0f} PDFs rendered",
        ),
        (
            "j",
            f"estate of {large}: an HTML comment in sections/visits.html (once)",
            f"{m['visits']:.1f} s",
            f"{m['visits_built']:.0f} PDFs rendered (the briefing notes)",
        ),
        (
            "k",
            f"estate of {large}: one data set's visit renamed",
            f"{m['data']:.2f} s",
            f"{m['data_built']:.0f} PDFs rendered",
        ),
        ("m1", f"peak RSS, building {n['small']} variants", f"{m['rss_small']:.0f} MB", ""),
        (
            "m2",
            f"peak RSS, building {large} variants",
            f"{m['rss_large']:.0f} MB",
            _x(m["rss_large"], m["rss_small"], "m1"),
        ),
    ]


def _x(value: float, base: float, name: str) -> str:
    return f"{value / base:.2f} × ({name})"


def _targets(m: dict[str, float], n: dict[str, int]) -> list[tuple[str, bool, str]]:
    large = n["large"]
    return [
        (
            "1. (h2) ≤ 2 × (h1)",
            m["none_large"] <= 2 * m["none_small"],
            _r(m["none_large"], m["none_small"]),
        ),
        ("2. (i) ≤ 0.1 s a variant", m["base"] / large <= 0.1, f"{m['base'] / large:.3f} s"),
        (
            "2. (j) renders only the briefing notes",
            m["visits_built"] == large // 4,
            f"{m['visits_built']:.0f}",
        ),
        ("2. (k) renders only that data set's", m["data_built"] <= 4, f"{m['data_built']:.0f}"),
        ("3. (f) ≤ 0.5 × (b)", m["f"] <= 0.5 * m["b"], _r(m["f"], m["b"])),
        ("4. (b) ≤ 1.10 × (a)", m["b"] <= 1.10 * m["a"], _r(m["b"], m["a"])),
        ("5. (en) ≥ 1.8 × faster than (e1)", m["e1"] / m["en"] >= 1.8, f"{m['e1'] / m['en']:.2f}"),
        (
            "6. (m2) ≤ 1.2 × (m1)",
            m["rss_large"] <= 1.2 * m["rss_small"],
            _r(m["rss_large"], m["rss_small"]),
        ),
        ("(d) ≤ 0.15 × (b)", m["d"] <= 0.15 * m["b"], _r(m["d"], m["b"])),
        ("(m2) ≤ 250 MB", m["rss_large"] <= 250, f"{m['rss_large']:.0f} MB"),
    ]


def _r(value: float, base: float) -> str:
    return f"{value / base:.2f}"


if __name__ == "__main__":
    sys.exit(main())
