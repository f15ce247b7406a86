"""The baseline: what a user would write without briefgen, for the same document.

Reads the HTML briefgen rendered (as a Jinja template, which it is: one without placeholders),
renders it with Jinja2 and lays it out with WeasyPrint's defaults. No validation, no safety.
Usage: python naive.py PAGE.html TEMPLATES_DIR OUT.pdf
"""

import sys
from pathlib import Path

import jinja2
import weasyprint

html_path, base, out = sys.argv[1:4]
html = jinja2.Template(Path(html_path).read_text("utf-8")).render()
weasyprint.HTML(string=html, base_url=Path(base).resolve().as_uri() + "/").write_pdf(out)
