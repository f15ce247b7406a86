"""briefgen: YAML data -> validated model -> Jinja2 HTML -> WeasyPrint PDF.

Importing the package is cheap on purpose: heavy libraries load only in the stage that needs them.
"""

__version__ = "0.1.0"
