#!/usr/bin/env python3
"""Build the briefing PDFs: `python3 generate.py` (see --help).

On first run this prepares its own environment (system libraries, .venv, Python packages),
then re-runs itself inside .venv. Set BRIEFGEN_NO_BOOTSTRAP=1 to use the current interpreter as is.
"""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent

if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    from briefgen.bootstrap import ensure_environment

    ensure_environment(ROOT, extras=())
    from briefgen.cli import exit_now, main

    exit_now(main(project_root=ROOT))
