#!/usr/bin/env python3
"""Run the whole test suite: `python3 tests/run.py` (extra arguments go to pytest).

Sets up its own environment first (system libraries, .venv with the test extras), like generate.py.
The suite includes ruff and mypy (tests/test_quality.py).
"""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    from briefgen.bootstrap import ensure_environment

    ensure_environment(ROOT, extras=("test",))
    import pytest

    sys.exit(pytest.main(["--rootdir", str(ROOT), str(ROOT / "tests"), *sys.argv[1:]]))
