"""Handler stubs: a module with one typed method per webhook, for the team that receives them to fill in.

A scaffold is written once and then belongs to its owner: it is never overwritten. When the spec grows,
the missing handlers are listed, and appended on request at the end of the `Handlers` class without
changing any line already there.
"""

from __future__ import annotations

import ast
import importlib
import io
import subprocess
import tokenize
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import ConfigError, OutputError
from ..ir import Spec
from ..render.render import environment
from ..render.write import RUFF_OPTIONS, ruff_binary

CLASS_NAME = "Handlers"


@dataclass(frozen=True)
class Stub:
    """One handler to write: the webhook key, the method name, and the payload's model class (None: no body)."""

    key: str
    python_name: str
    model_name: str | None


@dataclass(frozen=True)
class Handled:
    """What a handler module is written from: the spec's title and one stub per webhook."""

    title: str
    stubs: tuple[Stub, ...]


def from_spec(spec: Spec) -> Handled:
    """The handlers a spec's webhooks need."""
    stubs = (Stub(w.key, w.python_name, w.body.model_name if w.body else None) for w in spec.webhooks)
    return Handled(spec.title, tuple(stubs))


def from_package(package: str) -> Handled:
    """The handlers an installed generated package expects, read from its `ENDPOINTS`: no spec needed."""
    try:
        top = importlib.import_module(package)
        receivers = importlib.import_module(f"{package}.receivers")
    except ImportError as error:
        raise ConfigError(
            f"cannot import the generated package {package!r} ({error}); install it or give a SPEC"
        ) from None
    endpoints = getattr(receivers, "ENDPOINTS", None)
    if not isinstance(endpoints, tuple):
        raise ConfigError(f"{package}.receivers has no ENDPOINTS: not a package hookgen generated")
    stubs = (Stub(e.key, e.handler_name, _model_name(e)) for e in endpoints)
    return Handled(str(getattr(top, "SPEC_TITLE", package)), tuple(stubs))


def _model_name(endpoint: Any) -> str | None:
    """The name of an endpoint's body model, without importing it (a package older than `model_name`: by import)."""
    if hasattr(endpoint, "model_name"):
        name: str | None = endpoint.model_name
        return name
    return endpoint.model.__name__ if endpoint.model is not None else None


@dataclass(frozen=True)
class Scaffolded:
    """What a scaffold run did: the handlers it wrote, and those still missing from the file."""

    written: tuple[str, ...]
    missing: tuple[str, ...]


def scaffold(handled: Handled, package: str, output: Path, *, append: bool = False) -> Scaffolded:
    """Write `output` with a stub per webhook; if it exists, list the missing stubs and append them if asked."""
    if not output.exists():
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(render_module(handled, package), encoding="utf-8")
        return Scaffolded(written=tuple(stub.python_name for stub in handled.stubs), missing=())
    text = output.read_text(encoding="utf-8")
    present = handler_names(text, output)
    missing = [stub for stub in handled.stubs if stub.python_name not in present]
    if not append or not missing:
        return Scaffolded(written=(), missing=tuple(stub.python_name for stub in missing))
    output.write_text(with_stubs(text, output, missing), encoding="utf-8")
    return Scaffolded(written=tuple(stub.python_name for stub in missing), missing=())


def render_module(handled: Handled, package: str) -> str:
    """The whole handler module."""
    template = environment().get_template("handlers.py.jinja")
    return format_source(template.render(title=handled.title, package=package, webhooks=handled.stubs))


def format_source(text: str, quote_style: str = "double") -> str:
    """Python source formatted by ruff, as the generated package is (strings in `quote_style`)."""
    options = [*RUFF_OPTIONS, "--config", f"format.quote-style='{quote_style}'"]
    command = [ruff_binary(), "format", *options, "--stdin-filename", "handlers.py", "-"]
    return subprocess.run(command, input=text, capture_output=True, text=True, check=True).stdout


def render_stubs(stubs: Sequence[Stub], quote_style: str = "double") -> str:
    """The methods of the `Handlers` class for these stubs, each preceded by a blank line, in `quote_style`."""
    text = environment().get_template("handler_stubs.py.jinja").render(webhooks=stubs)
    formatted = format_source(f"class {CLASS_NAME}:\n    pass\n{text}", quote_style)
    return "\n" + formatted.split("\n", 3)[3]  # the class line, `pass` and the blank line dropped


def quote_style(text: str) -> str:
    """'single' when most of a module's one-line strings use single quotes, else 'double' (ruff's names).

    Docstrings (strings that start a statement) are not counted: formatters keep them double-quoted.
    """
    counts = {"'": 0, '"': 0}
    statement_start = {tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT, tokenize.ENCODING}
    previous = tokenize.NEWLINE
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type == tokenize.STRING and previous not in statement_start:
                body = token.string.lstrip("rbuRBUfF")
                if body[:3] not in ("'''", '"""'):
                    counts[body[0]] += 1
            if token.type not in (tokenize.NL, tokenize.COMMENT):
                previous = token.type
    except (tokenize.TokenError, SyntaxError):
        return "double"
    return "single" if counts["'"] > counts['"'] else "double"


def handler_names(text: str, path: Path) -> set[str]:
    """The method names of the module's `Handlers` class."""
    return {
        node.name
        for node in _handlers_class(text, path).body
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    }


def with_stubs(text: str, path: Path, stubs: Sequence[Stub]) -> str:
    """The module with `stubs` inserted after the last line of its `Handlers` class, in the module's quote style."""
    end = _handlers_class(text, path).end_lineno
    assert end is not None
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    return "".join(lines[:end]) + render_stubs(stubs, quote_style(text)) + "".join(lines[end:])


def _handlers_class(text: str, path: Path) -> ast.ClassDef:
    try:
        module = ast.parse(text, filename=str(path))
    except SyntaxError as error:
        raise OutputError(f"{path}: not valid Python ({error.msg}, line {error.lineno})") from None
    for node in module.body:
        if isinstance(node, ast.ClassDef) and node.name == CLASS_NAME:
            return node
    raise OutputError(f"{path}: no top-level class {CLASS_NAME} to add handlers to")
