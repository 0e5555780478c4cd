"""The `hookgen` command line: parse arguments, run a stage, print problems. Nothing else lives here."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from . import __version__
from .config import load_config
from .load import display_path
from .pipeline import generate
from .problems import Problem, SpecError

EXIT_OK = 0
EXIT_SPEC = 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        print(f"hookgen: error: {message}", file=sys.stderr)
        raise SystemExit(EXIT_SPEC)


def parser() -> argparse.ArgumentParser:
    """The argument parser for every subcommand."""
    root = _Parser(prog="hookgen", description="Typed, verified webhook code from an OpenAPI 3.1 spec.")
    root.add_argument("--version", action="version", version=f"hookgen {__version__}")
    commands = root.add_subparsers(dest="command", required=True, parser_class=_Parser)
    gen = commands.add_parser("generate", help="generate the models and webhook declarations package")
    gen.add_argument("spec", nargs="?", type=Path, help="the OpenAPI document (default: [tool.hookgen] spec)")
    gen.add_argument(
        "--output", "-o", type=Path, help="the package folder to (re)write (default: [tool.hookgen] output)"
    )
    gen.add_argument("--package", "-p", help="the Python package name (default: [tool.hookgen] package)")
    gen.add_argument("--strict", action="store_true", help="treat every finding as an error")
    return root


def _print(problems: Sequence[Problem]) -> None:
    for problem in problems:
        print(problem.render(), file=sys.stderr)


def run_generate(args: argparse.Namespace) -> int:
    """`hookgen generate`: write the package, or explain why not and leave the output as it was."""
    config = load_config(Path.cwd())
    spec, output = args.spec or config.spec, args.output or config.output
    if spec is None or output is None:
        missing = "a SPEC argument" if spec is None else "--output"
        print(f"hookgen: error: give {missing} or set it in [tool.hookgen] of pyproject.toml", file=sys.stderr)
        return EXIT_SPEC
    generated = generate(spec, output, package=args.package or config.package, strict=args.strict)
    _print(generated.warnings)
    count = len(generated.spec.webhooks)
    print(f"hookgen: {count} webhook operations -> {display_path(output / generated.package)}", file=sys.stderr)
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `hookgen` console script."""
    args = parser().parse_args(argv)
    try:
        return run_generate(args)
    except SpecError as exc:
        _print(exc.problems)
        return EXIT_SPEC
