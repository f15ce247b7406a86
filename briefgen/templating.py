"""The Jinja environment: sandboxed, ordered search path, strict undefined, autoescape, filters
registered once. Templates are not trusted code: they reach no Python internals, and read only
files whose real path stays inside the folder they were found in."""

from __future__ import annotations

import os
import re
import sys
import traceback
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import jinja2
from jinja2.exceptions import SecurityError
from jinja2.loaders import split_template_path

from .errors import BriefgenError, InputError, TemplateError, display_path
from .filters import FILTERS
from .messages import catalogue_candidates, gettext_callables
from .reads import Reads, first_having
from .sandbox import Sandbox
from .template_errors import Undefined, syntax_message, undefined_hint
from .trust import confined, is_relative_name, read_utf8


def make_environment(search_path: Sequence[Path], language: str = "en") -> jinja2.Environment:
    """Return an environment that looks in `search_path` in order; "default:NAME" skips to the last.

    Labels marked for translation ({% trans %}, _()) come from the `language` catalogues.
    """

    folders = [str(p) for p in search_path]
    reads = Reads()  # what this environment's documents use: see reads_of()
    last = ConfinedLoader([folders[-1]], reads, "default:", len(folders) - 1)
    loader = jinja2.ChoiceLoader(
        [
            jinja2.PrefixLoader({"default": last}, delimiter=":"),
            ConfinedLoader(folders, reads),
        ]
    )
    env = Sandbox(
        loader=loader,
        undefined=Undefined,
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        extensions=["jinja2.ext.i18n"],
        bytecode_cache=COMPILED,
    )
    env.policies["ext.i18n.trimmed"] = True  # a label's line breaks and indents are not its text
    callables = gettext_callables(search_path, language)
    env.install_gettext_callables(  # type: ignore[attr-defined]
        callables["gettext"], callables["ngettext"], newstyle=True
    )
    env.extend(briefgen_gettext=callables["gettext"])  # for Python: see plain_gettext()
    for path in catalogue_candidates(search_path, language):  # one added later is a change too
        reads.read_file(path)
    env.extend(briefgen_reads=reads)
    env.filters.update(FILTERS)
    env.globals["warn"] = Warnings()
    env.globals["asset"] = _asset_global(list(search_path), reads)
    env.globals["outlined"] = _outlined_global(list(search_path), reads)
    return env


def reads_of(env: jinja2.Environment) -> Reads:
    """Return what the templates rendered in `env` looked up and read (see reads.py)."""
    reads: Reads = getattr(env, "briefgen_reads")  # noqa: B009
    return reads


class _Compiled(jinja2.BytecodeCache):
    """Compiled templates, kept in memory only: compiled code on disk would be trusted code.

    The command compiles the templates while the fork server starts (precompile) and hands the
    code to each worker (seed), so a batch compiles each template once, not once per document.
    Jinja checks each entry against the template's current source: an edited template is
    compiled again, never served stale.
    """

    def __init__(self) -> None:
        self.codes: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if (code := self.codes.get(bucket.key)) is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.codes[bucket.key] = bucket.bytecode_to_string()


COMPILED = _Compiled()


def precompile(folders: Sequence[Path]) -> dict[str, bytes]:
    """Compile every template in `folders`; return the compiled code (a failing one is skipped).

    The environment's options and gettext style shape the code, so it is made as every
    document's is; the language does not matter (labels are looked up when rendering).
    """
    try:
        env = make_environment(folders)
    except BriefgenError:  # an unreadable catalogue: each document reports it, located
        return {}
    for folder in folders:
        for path in sorted(folder.rglob("*.html")):
            try:
                env.get_template(path.relative_to(folder).as_posix())
            except Exception:  # its document reports the error, located, when it renders
                continue
    return dict(COMPILED.codes)


def seed(codes: dict[str, bytes]) -> None:
    """Use code compiled by precompile (in another process) for the templates it covers."""
    COMPILED.codes.update(codes)


def _asset_global(search_path: list[Path], reads: Reads) -> Callable[[str], str]:
    # A closure, not functools.partial: a partial shows its arguments (.args, Path objects that
    # can read any file) to the template.
    def asset(name: str) -> str:
        url = asset_url(search_path, name)
        reads.looked_up(name, first_having(search_path, name))  # its bytes: WeasyPrint's fetch
        return url

    return asset


def _outlined_global(search_path: list[Path], reads: Reads) -> Callable[[str, str, str], str]:
    def outlined(text: str, font: str, colour: str = "#000") -> str:
        """Return a data: URL of an SVG of `text` drawn as outlines in font asset `font`."""
        from .outline import data_uri

        if not re.fullmatch(r"#[0-9a-fA-F]{3,8}|[a-z]+", colour):
            raise TemplateError(f"outlined: expected a colour like #8a1c1c, got {colour!r}")
        path = asset_path(search_path, font)
        reads.looked_up(font, first_having(search_path, font))
        reads.read_file(path)
        return data_uri(str(text), path, colour)

    return outlined


class ConfinedLoader(jinja2.FileSystemLoader):
    """A FileSystemLoader that refuses a template whose real path leaves the folder it is found
    in (rather than trying the next folder), and locates a byte that is not UTF-8.

    It records in `reads` each name it is asked for (prefixed with `prefix`), the search path
    index of the folder that had it (its folders start at `offset`), and the bytes it served.
    """

    def __init__(
        self, searchpath: Sequence[str], reads: Reads, prefix: str = "", offset: int = 0
    ) -> None:
        super().__init__(searchpath)
        self.reads, self.prefix, self.offset = reads, prefix, offset

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        pieces = split_template_path(template)
        for index, folder in enumerate(self.searchpath):
            path = Path(folder, *pieces)
            if path.is_file():
                confined(path, Path(folder), f"template {template!r}")
                source = _source(path)
                self.reads.looked_up(self.prefix + template, self.offset + index)
                self.reads.read(path, source[0].encode("utf-8"))
                return source
        self.reads.looked_up(self.prefix + template, None)
        raise jinja2.TemplateNotFound(template)


def _source(path: Path) -> tuple[str, str, Callable[[], bool]]:
    """Return what a loader returns for `path`: its text, its file name, an up-to-date test."""
    text, mtime = read_utf8(path), path.stat().st_mtime

    def uptodate() -> bool:
        try:
            return path.stat().st_mtime == mtime
        except OSError:
            return False

    return text, os.path.normpath(path), uptodate


class Warnings:
    """The `warn(message)` global: a template reports something odd without failing the document.

    Each message is kept once, with the template line that raised it; the build prints it as a
    warning of the document (so --strict fails on it).
    """

    def __init__(self) -> None:
        self.messages: dict[str, None] = {}

    def __call__(self, message: str) -> str:
        self.messages[_caller() + message] = None
        return ""


def _caller() -> str:
    """Return "template-path:line: " of the innermost template frame calling, or ""."""
    frame = sys._getframe(1)
    while frame is not None:
        template = frame.f_globals.get("__jinja_template__")
        if isinstance(template, jinja2.Template) and template.filename:
            line = template.get_corresponding_lineno(frame.f_lineno)
            return f"{display_path(Path(template.filename))}:{line}: "
        frame = frame.f_back  # type: ignore[assignment]
    return ""


def template_warnings(env: jinja2.Environment) -> list[str]:
    """Return what templates rendered in `env` reported with warn(), in order."""
    warner = env.globals["warn"]
    return list(warner.messages) if isinstance(warner, Warnings) else []


def plain_gettext(env: jinja2.Environment) -> Callable[[str], str]:
    """Return the environment's own gettext (no formatting), for text written in Python, such
    as the lines of the changes box: the catalogues are read once, for the templates."""
    gettext: Callable[[str], str] = getattr(env, "briefgen_gettext")  # noqa: B009
    return gettext


def clear_warnings(env: jinja2.Environment) -> None:
    """Forget what templates rendered in `env` reported, before rendering again."""
    warner = env.globals["warn"]
    if isinstance(warner, Warnings):
        warner.messages.clear()


def asset_url(search_path: list[Path], name: str) -> str:
    """Return the file: URL of `name` (a stylesheet, font, image) from the first folder that has it.

    Refuse a name that climbs out of the folders, and a file whose real path leaves its folder.
    """
    return asset_path(search_path, name).as_uri()


def asset_path(search_path: list[Path], name: str) -> Path:
    """Return the real path of asset `name` from the first folder that has it (see asset_url)."""
    if not is_relative_name(name):
        raise TemplateError(
            f"refused: asset {name!r}: expected a name inside the template folders, like fonts.css"
        )
    for folder in search_path:
        if (folder / name).is_file():
            return confined(folder / name, folder, f"asset {name!r}")
    folders = ", ".join(display_path(p) for p in search_path)
    raise TemplateError(f"asset {name!r} not found; searched {folders}")


def load_template(env: jinja2.Environment, name: str) -> jinja2.Template:
    """Return the compiled template `name`; raise TemplateError naming the search path or line."""
    try:
        return env.get_template(name)
    except jinja2.TemplateNotFound as e:
        raise TemplateError(_not_found(env, e)) from e
    except jinja2.TemplateSyntaxError as e:
        raise TemplateError(syntax_message(env, e, name)) from e


def render_html(env: jinja2.Environment, name: str, context: Mapping[str, Any]) -> str:
    """Render template `name`; raise TemplateError located at template-path:line."""
    template = load_template(env, name)
    try:
        return template.render(context)
    except jinja2.TemplateNotFound as e:  # the target of an {% include %} or {% extends %}
        raise TemplateError(f"{_template_frame(e) or name}: {_not_found(env, e)}") from e
    except jinja2.TemplateSyntaxError as e:
        raise TemplateError(syntax_message(env, e, name)) from e
    except InputError:  # an included template that is not UTF-8, located in that file
        raise
    except SecurityError as e:  # the sandbox: {{ x.__class__ }}, {{ f.__globals__ }} …
        raise TemplateError(f"{_template_frame(e) or name}: refused: {e}") from e
    except (jinja2.UndefinedError, TemplateError) as e:  # a missing label, a refused file
        hint = undefined_hint(str(e), [*context, *env.globals])
        raise TemplateError(f"{_template_frame(e) or name}: {e}{hint}") from e
    except MemoryError as e:
        raise TemplateError(
            f"{_template_frame(e) or name}: ran out of memory (see --memory-limit)"
        ) from e
    except RecursionError as e:  # typically {% extends "x.html" %} inside x.html itself
        raise TemplateError(
            f"{_template_frame(e) or name}: templates include or extend each "
            "other without end; to extend the default theme's own file, "
            'write {% extends "default:NAME" %}'
        ) from e
    # User templates can raise anything ({{ 1 // 0 }}); it fails one document.
    except Exception as e:
        raise TemplateError(f"{_template_frame(e) or name}: {type(e).__name__}: {e}") from e


def _not_found(env: jinja2.Environment, error: jinja2.TemplateNotFound) -> str:
    folders = ", ".join(display_path(Path(p)) for p in _search_path(env))
    return f"template {error.name!r} not found; searched {folders}"


def _search_path(env: jinja2.Environment) -> list[str]:
    loader = env.loader
    assert isinstance(loader, jinja2.ChoiceLoader)
    last = loader.loaders[-1]
    assert isinstance(last, jinja2.FileSystemLoader)
    return list(last.searchpath)


def _template_frame(error: BaseException) -> str | None:
    """Return "template-path:line" of the innermost template frame in the traceback."""
    frames = [f for f in traceback.extract_tb(error.__traceback__) if _is_template(f.filename)]
    return f"{display_path(Path(frames[-1].filename))}:{frames[-1].lineno}" if frames else None


def _is_template(filename: str) -> bool:
    # Jinja rewrites tracebacks so template frames carry the template's own file name.
    return not filename.endswith(".py") and not filename.startswith("<")
