"""Loaded once by the worker fork server (see workers.py), never by the command line itself.

Every worker is forked from that server, so each starts with WeasyPrint and the build pipeline
imported and Pango and fontconfig warmed. The server runs nothing but this and the fork loop, so it
has a single thread when it forks: no lock held by another thread can be copied into a worker.
"""

from __future__ import annotations

import os

SERVER_PID = os.getpid()  # a worker whose parent is no longer this process was orphaned


def _warm() -> None:
    try:
        import weasyprint

        from . import build, job, render  # noqa: F401  (imported for the workers)
        from .prose import render_block

        weasyprint.HTML(string=render_block("warm")).render()  # the Markdown parser too
    except Exception:  # a worker imports again and reports the real error per document
        pass


_warm()
