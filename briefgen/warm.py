"""Loaded once by the worker fork server (see workers.py), never by the command line itself.

Every worker is forked from that server, so each starts with WeasyPrint and the build pipeline
imported and Pango and fontconfig warmed. The server runs nothing but this and the fork loop, so it
has a single thread when it forks: no lock held by another thread can be copied into a worker.

The collector is off while the server loads (an import makes many objects and no garbage: its
collections cost 0.03 s), and then everything the server holds is moved out of its reach
(gc.freeze): a worker's collections skip the inherited objects instead of walking them, which
would write to their pages and copy them (copy-on-write). That takes another 0.03 s off a document.
"""

from __future__ import annotations

import gc
import os

gc.disable()
SERVER_PID = os.getpid()  # a worker whose parent is no longer this process was orphaned


def _warm() -> None:
    try:
        from .libraries import import_weasyprint

        weasyprint = import_weasyprint()
        from . import build, job, render  # noqa: F401  (imported for the workers)
        from .prose import render_block

        weasyprint.HTML(string=render_block("warm")).render()  # the Markdown parser too
    except Exception:  # a worker imports again and reports the real error per document
        pass


_warm()
gc.freeze()  # after this, every fork shares the warm objects (see above)
gc.enable()  # for the workers
