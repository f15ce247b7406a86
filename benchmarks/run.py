#!/usr/bin/env python3
"""Measure briefgen side by side with the naive baseline and write docs/benchmarks.md.

Usage: python3 benchmarks/run.py [--repeat N]   (sets itself up like generate.py; takes a few minutes)
Every figure is the median of N runs (default 5) of a fresh process, on a scratch copy of the
project, so nothing here touches reports/.
"""

from __future__ import annotations

import argparse
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


def main() -> int:
    sys.path.insert(0, str(ROOT))
    from briefgen.bootstrap import ensure_environment

    ensure_environment(ROOT, extras=())
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="briefgen-bench-") as scratch:
        results = measure(Path(scratch), args.repeat)
    (ROOT / "docs/benchmarks.md").write_text(report(results, args.repeat), "utf-8")
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


def timed(command: list[str], repeat: int, before: list[str] | None = None) -> list[float]:
    times = []
    for _ in range(repeat):
        if before:
            subprocess.run(before, check=True, capture_output=True)
        start = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return times


def measure(scratch: Path, repeat: int) -> dict[str, list[float] | float]:
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
    return {
        "a": timed(naive, repeat),
        "b": timed(generate(shipped, "--only", NOTE, "--force", "--jobs", "1"), repeat),
        "c": timed(generate(shipped, "--force"), repeat),
        "d": timed(generate(shipped), repeat),
        "e1": timed(generate(batch, "--force", "--jobs", "1"), repeat),
        "en": timed(generate(batch, "--force"), repeat),
        "f": watch_latency(english_only(project(scratch, "watched")), repeat),
        "g": peak_rss(generate(shipped, "--force", "--jobs", "2")),
    }


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


def watch_latency(folder: Path, repeat: int) -> list[float]:
    """Seconds from saving a data file to the watcher's summary line, in a warm watcher."""
    command = generate(folder, "watch", quiet=False)  # the watcher's info lines are what we time
    process = subprocess.Popen(command, stderr=subprocess.PIPE, text=True)
    assert process.stderr is not None
    lines = iter(process.stderr.readline, "")
    next(line for line in lines if line.startswith("watching "))
    time.sleep(1)
    visits = folder / "data/chile-russia/visits.yaml"
    original = visits.read_text("utf-8")
    times = []
    for i in range(repeat + 1):  # the first edit warms the watcher's renderer; it is not counted
        edited = original.replace("{en: Santiago,", f"{{en: Santiago{' ' * (i % 2)}x,")
        visits.write_text(edited)
        start = time.perf_counter()
        next(line for line in lines if " built, " in line)
        if i:
            times.append(time.perf_counter() - start)
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=60)
    return times


def peak_rss(command: list[str]) -> float:
    """Peak resident memory, in MB, of the largest process of a build (parent or worker)."""
    probe = (
        "import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True, "
        "capture_output=True); print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe, *command], check=True, capture_output=True, text=True
    )
    return int(done.stdout) / 1024


def machine() -> str:
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
        f"{platform.release()}, Python {platform.python_version()}"
    )


def report(r: dict[str, list[float] | float], repeat: int) -> str:
    med = {k: statistics.median(v) for k, v in r.items() if isinstance(v, list)}
    rss = r["g"]
    assert isinstance(rss, float)
    rows = [
        ("a", "naive script: Jinja2 + WeasyPrint, briefing note", med["a"], ""),
        (
            "b",
            "generate.py, cold, briefing note only (--jobs 1)",
            med["b"],
            f"{med['b'] / med['a']:.2f} × (a)",
        ),
        ("c", "generate.py, all 12 shipped variants", med["c"], f"{med['c'] / med['b']:.2f} × (b)"),
        (
            "d",
            "generate.py, second run, nothing changed",
            med["d"],
            f"{med['d'] / med['b']:.2f} × (b)",
        ),
        ("e1", f"{BATCH}-document batch, 1 worker", med["e1"], ""),
        (
            "en",
            f"{BATCH}-document batch, {os.cpu_count()} workers",
            med["en"],
            f"{med['e1'] / med['en']:.2f} × faster than 1 worker",
        ),
        ("f", "watch: save → rebuilt (3 documents)", med["f"], f"{med['f'] / med['b']:.2f} × (b)"),
    ]
    targets = [
        ("(b) ≤ 1.10 × (a)", med["b"] / med["a"] <= 1.10, f"{med['b'] / med['a']:.2f}"),
        ("(d) ≤ 0.15 × (b)", med["d"] / med["b"] <= 0.15, f"{med['d'] / med['b']:.2f}"),
        (
            "(e) parallel ≥ 1.8 × faster",
            med["e1"] / med["en"] >= 1.8,
            f"{med['e1'] / med['en']:.2f}",
        ),
        ("(f) ≤ 0.5 × (b)", med["f"] / med["b"] <= 0.5, f"{med['f'] / med['b']:.2f}"),
        ("(g) worker peak RSS ≤ 250 MB", rss <= 250, f"{rss:.0f} MB"),
    ]
    lines = [
        "# Benchmarks",
        "",
        "Made by `python3 benchmarks/run.py`, which rewrites this file. Machine: "
        + machine()
        + ".",
        f"Each time is the median of {repeat} runs of a fresh process (the watcher excepted), "
        "in seconds, on a scratch copy of the project.",
        "",
        "| | what | median (s) | ratio |",
        "|---|---|---|---|",
        *(f"| {k} | {what} | {value:.3f} | {ratio} |" for k, what, value, ratio in rows),
        f"| g | peak RSS of the largest process of a 2-worker build | {rss:.0f} MB | |",
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


if __name__ == "__main__":
    sys.exit(main())
