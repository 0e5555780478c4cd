"""Handler stubs: a module with one typed method per webhook, for the team that receives them to fill in.

A scaffold is written once and then belongs to its owner: it is never overwritten. When the spec grows,
the missing handlers are listed, and appended on request at the end of the `Handlers` class without
changing any line already there.
"""

from __future__ import annotations

import ast
import subprocess
from dataclasses import dataclass
from pathlib import Path

from ..errors import OutputError
from ..ir import Spec, Webhook
from ..render.render import environment
from ..render.write import RUFF_OPTIONS, ruff_binary

CLASS_NAME = "Handlers"


@dataclass(frozen=True)
class Scaffolded:
    """What a scaffold run did: the handlers it wrote, and those still missing from the file."""

    written: tuple[str, ...]
    missing: tuple[str, ...]


def scaffold(spec: Spec, package: str, output: Path, *, append: bool = False) -> Scaffolded:
    """Write `output` with a stub per webhook; if it exists, list the missing stubs and append them if asked."""
    if not output.exists():
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(render_module(spec, package), encoding="utf-8")
        return Scaffolded(written=tuple(w.python_name for w in spec.webhooks), missing=())
    text = output.read_text(encoding="utf-8")
    present = handler_names(text, output)
    missing = [webhook for webhook in spec.webhooks if webhook.python_name not in present]
    if not append or not missing:
        return Scaffolded(written=(), missing=tuple(w.python_name for w in missing))
    output.write_text(with_stubs(text, output, missing), encoding="utf-8")
    return Scaffolded(written=tuple(w.python_name for w in missing), missing=())


def render_module(spec: Spec, package: str) -> str:
    """The whole handler module for a spec."""
    text = environment().get_template("handlers.py.jinja").render(spec=spec, package=package, webhooks=spec.webhooks)
    return format_source(text)


def format_source(text: str) -> str:
    """Python source formatted by ruff, as the generated package is."""
    command = [ruff_binary(), "format", *RUFF_OPTIONS, "--stdin-filename", "handlers.py", "-"]
    return subprocess.run(command, input=text, capture_output=True, text=True, check=True).stdout


def render_stubs(webhooks: list[Webhook]) -> str:
    """The methods of the `Handlers` class for these webhooks, each preceded by a blank line."""
    return environment().get_template("handler_stubs.py.jinja").render(webhooks=webhooks)


def handler_names(text: str, path: Path) -> set[str]:
    """The method names of the module's `Handlers` class."""
    return {
        node.name
        for node in _handlers_class(text, path).body
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    }


def with_stubs(text: str, path: Path, webhooks: list[Webhook]) -> str:
    """The module with stubs for `webhooks` inserted after the last line of its `Handlers` class."""
    end = _handlers_class(text, path).end_lineno
    assert end is not None
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    return "".join(lines[:end]) + render_stubs(webhooks) + "".join(lines[end:])


def _handlers_class(text: str, path: Path) -> ast.ClassDef:
    try:
        module = ast.parse(text, filename=str(path))
    except SyntaxError as error:
        raise OutputError(f"{path}: not valid Python ({error.msg}, line {error.lineno})") from None
    for node in module.body:
        if isinstance(node, ast.ClassDef) and node.name == CLASS_NAME:
            return node
    raise OutputError(f"{path}: no top-level class {CLASS_NAME} to add handlers to")
