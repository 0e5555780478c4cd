"""The `hookgen` command line: parse arguments, run a stage, print problems. Nothing else lives here."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .. import __version__
from ..errors import ConfigError, HookgenError, Level, Problem
from ..models.codegen import ASSERTABLE_FORMATS
from ..pipeline import build, generate
from ..spec.load import display_path
from ..spec.rules import CATALOGUE
from . import diff
from .check import check
from .config import Config, asserted_formats, load_config
from .extras import require_extra
from .listen import listening_app, serve
from .scaffold import scaffold
from .send import Options as SendOptions
from .send import send

EXIT_OK = 0
EXIT_DISAGREES = 1
EXIT_SPEC = 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        print(f"hookgen: error: {message}", file=sys.stderr)
        raise SystemExit(EXIT_SPEC)


def parser() -> argparse.ArgumentParser:
    """The argument parser for every subcommand."""
    root = _Parser(prog="hookgen", description="Typed, verified webhook code from an OpenAPI 3.1 spec.")
    root.add_argument("--version", "-V", action="version", version=f"hookgen {__version__}")
    commands = root.add_subparsers(dest="command", required=True, parser_class=_Parser)
    gen = commands.add_parser("generate", help="generate the models and webhook declarations package")
    gen.add_argument("spec", nargs="?", type=Path, help="the OpenAPI document (default: [tool.hookgen] spec)")
    gen.add_argument(
        "--output", "-o", type=Path, help="the package folder to (re)write (default: [tool.hookgen] output)"
    )
    gen.add_argument("--package", "-p", help="the Python package name (default: [tool.hookgen] package)")
    gen.add_argument("--strict", action="store_true", help="treat every finding as an error")
    gen.add_argument(
        "--templates",
        type=Path,
        help="a folder of templates searched before the built-in ones ([tool.hookgen] templates)",
    )
    _formats_option(gen)
    sca = commands.add_parser("scaffold", help="write a handler module with one stub per webhook")
    sca.add_argument("spec", nargs="?", type=Path, help="the OpenAPI document (default: [tool.hookgen] spec)")
    sca.add_argument("--output", "-o", type=Path, required=True, help="the handler module to write (never overwritten)")
    sca.add_argument("--package", "-p", help="the generated package it imports (default: [tool.hookgen] package)")
    sca.add_argument("--append", action="store_true", help="append stubs for webhooks the module has no handler for")
    lis = commands.add_parser(
        "listen", help="serve the receivers, printing each accepted delivery as a JSON line (needs hookgen[listen])"
    )
    lis.add_argument("spec", nargs="?", type=Path, help="the OpenAPI document (default: [tool.hookgen] spec)")
    lis.add_argument("--port", type=_positive_int, required=True, help="the TCP port to listen on")
    lis.add_argument("--secret", action="append", required=True, help="a signing secret (repeat it to rotate)")
    lis.add_argument("--host", default="127.0.0.1", help="the address to listen on (default 127.0.0.1)")
    lis.add_argument("--max-body", type=_positive_int, help="the largest body accepted, in bytes (default 25 MiB)")
    _send_parser(commands)
    fid = commands.add_parser(
        "fidelity", help="judge the generated models against the source schemas (needs hookgen[fidelity])"
    )
    fid.add_argument("spec", nargs="?", type=Path, help="the OpenAPI document (default: [tool.hookgen] spec)")
    fid.add_argument("--payloads", type=_positive_int, default=20, help="payloads drawn per webhook (default 20)")
    fid.add_argument("--seconds", type=float, default=10.0, help="time budget for drawing, per webhook (default 10)")
    fid.add_argument("--format", choices=("table", "json"), default="table", help="output format (default table)")
    _formats_option(fid)
    _diff_parser(commands)
    chk = commands.add_parser(
        "check", help="validate the spec and fail when the output folder is stale (writes nothing)"
    )
    chk.add_argument("spec", nargs="?", type=Path, help="the OpenAPI document (default: [tool.hookgen] spec)")
    chk.add_argument(
        "--output", "-o", type=Path, help="the generated folder to compare (default: [tool.hookgen] output)"
    )
    chk.add_argument("--package", "-p", help="the Python package name (default: [tool.hookgen] package)")
    chk.add_argument(
        "--fail-on",
        choices=("error", "warning"),
        default="error",
        help="exit 1 on findings at this level (default error); `hookgen rules` lists the lint rules",
    )
    _formats_option(chk)
    commands.add_parser("rules", help="list the lint rules: id, default level, what each asks of a spec")
    return root


def _send_parser(commands: Any) -> None:
    snd = commands.add_parser(
        "send", help="send one signed delivery of a webhook (or --all) to a receiver (needs hookgen[send])"
    )
    snd.add_argument("args", nargs="*", metavar="[SPEC] WEBHOOK", help="the OpenAPI document and the webhook key")
    snd.add_argument("--url", required=True, help="the receiver's URL; with --all, the base URL of `hookgen listen`")
    snd.add_argument("--secret", required=True, help="the signing secret (standard-webhooks: whsec_ and base64)")
    source = snd.add_mutually_exclusive_group()
    source.add_argument("--payload", type=Path, help="a JSON file holding the payload")
    source.add_argument("--example", action="store_true", help="send the spec's example payload (the default)")
    snd.add_argument("--all", action="store_true", help="send every webhook, each to URL/webhooks/{key}")
    snd.add_argument("--attempts", type=_positive_int, default=3, help="attempts, 1 s and 2 s apart (default 3)")
    snd.add_argument("--allow-private", action="store_true", help="allow private addresses (loopback always is)")


def _diff_parser(commands: Any) -> None:  # argparse's subparsers action has no public type
    dif = commands.add_parser("diff", help="sort the changes to the webhooks between two versions by how they break")
    dif.add_argument(
        "specs", nargs="*", type=Path, metavar="SPEC", help="OLD NEW; with --base, the SPEC (default: [tool.hookgen])"
    )
    dif.add_argument("--base", metavar="GIT-REF", help="compare SPEC as it was at this git ref with the working tree")
    dif.add_argument(
        "--format", choices=("table", "json", "sarif", "markdown"), default="table", help="output (default table)"
    )
    dif.add_argument(
        "--fail-on",
        choices=("breaking", "potential"),
        default="breaking",
        help="exit 1 at this or worse (default breaking)",
    )


def _formats_option(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--assert-formats",
        metavar="LIST",
        help=f"comma-separated formats models assert, '' for none (of {', '.join(ASSERTABLE_FORMATS)}; "
        "default: [tool.hookgen] assert-formats, else date, date-time, time)",
    )


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def _print(problems: Sequence[Problem]) -> None:
    for problem in problems:
        print(problem.render(), file=sys.stderr)


def run_generate(args: argparse.Namespace) -> int:
    """`hookgen generate`: write the package, or explain why not and leave the output as it was."""
    config = load_config(Path.cwd())
    spec, output = args.spec or config.spec, args.output or config.output
    if spec is None or output is None:
        missing = "a SPEC argument" if spec is None else "--output"
        raise ConfigError(f"give {missing} or set it in [tool.hookgen] of pyproject.toml")
    formats = _asserted_formats(args, config)
    generated = generate(
        spec,
        output,
        package=args.package or config.package,
        strict=args.strict,
        asserted_formats=formats,
        ref_roots=config.ref_roots,
        templates=args.templates or config.templates,
        rules=config.rules,
        signature=config.signature,
    )
    _print(generated.warnings)
    count = len(generated.spec.webhooks)
    unchanged = "" if generated.changed else " (unchanged)"
    print(
        f"hookgen: {count} webhook operations -> {display_path(output / generated.package)}{unchanged}", file=sys.stderr
    )
    return EXIT_OK


def _spec(args: argparse.Namespace, config: Config) -> Path:
    spec: Path | None = args.spec or config.spec
    if spec is None:
        raise ConfigError("give a SPEC argument or set it in [tool.hookgen] of pyproject.toml")
    return spec


def _asserted_formats(args: argparse.Namespace, config: Config) -> frozenset[str]:
    if args.assert_formats is None:
        return config.asserted_formats
    names = [name.strip() for name in args.assert_formats.split(",") if name.strip()]
    return asserted_formats(names, "--assert-formats")


def run_fidelity(args: argparse.Namespace) -> int:
    """`hookgen fidelity`: generate into a temporary folder, then judge the models against the schemas."""
    require_extra("fidelity")
    config = load_config(Path.cwd())
    spec = _spec(args, config)
    # Imported here: the fidelity stage pulls in Hypothesis, which `generate` never needs.
    from .fidelity import measure as fidelity  # noqa: PLC0415

    formats = _asserted_formats(args, config)
    report, warnings = fidelity.measure_spec(
        spec, count=args.payloads, seconds=args.seconds, asserted_formats=formats, ref_roots=config.ref_roots
    )
    _print(warnings)
    if args.format == "json":
        print(json.dumps(report.as_json(), indent=2, default=repr))
    else:
        print(fidelity.render_table(report))
    return EXIT_DISAGREES if report.undocumented() else EXIT_OK


def run_scaffold(args: argparse.Namespace) -> int:
    """`hookgen scaffold`: write handler stubs, or list (and with --append, add) the ones a module lacks."""
    config = load_config(Path.cwd())
    spec = _spec(args, config)
    generated = build(
        spec,
        package=args.package or config.package,
        ref_roots=config.ref_roots,
        rules=config.rules,
        signature=config.signature,
    )
    _print(generated.warnings)
    result = scaffold(generated.spec, generated.package, args.output, append=args.append)
    where = display_path(args.output)
    for name in result.missing:
        print(f"missing handler: {name}")
    if result.missing:
        print(f"hookgen: {where} lacks {len(result.missing)} handlers; --append adds them", file=sys.stderr)
        return EXIT_DISAGREES
    done = f"wrote {len(result.written)} handlers to" if result.written else "every webhook has a handler in"
    print(f"hookgen: {done} {where}", file=sys.stderr)
    return EXIT_OK


def run_listen(args: argparse.Namespace) -> int:
    """`hookgen listen`: serve the spec's receivers (generated once per spec content) until interrupted."""
    require_extra("listen")
    config = load_config(Path.cwd())
    spec = _spec(args, config)
    # The secrets are checked before serving.
    app = listening_app(
        spec, secrets=args.secret, max_body=args.max_body, ref_roots=config.ref_roots, signature=config.signature
    )
    print(f"hookgen: listening on http://{args.host}:{args.port}/webhooks/", file=sys.stderr)
    serve(app, host=args.host, port=args.port)
    return EXIT_OK


def run_send(args: argparse.Namespace) -> int:
    """`hookgen send`: one signed delivery per webhook asked for; exit 1 unless every one was delivered."""
    require_extra("send")
    config = load_config(Path.cwd())
    spec, webhook = _send_arguments(args, config)
    options = SendOptions(
        args.url, args.secret, payload_file=args.payload, attempts=args.attempts, allow_private=args.allow_private
    )
    delivered = send(spec, webhook, options, ref_roots=config.ref_roots, signature=config.signature)
    return EXIT_OK if delivered else EXIT_DISAGREES


def _send_arguments(args: argparse.Namespace, config: Config) -> tuple[Path, str | None]:
    """The spec and the webhook key (None with --all) from `[SPEC] WEBHOOK`."""
    wanted = 1 if args.all else 2
    if len(args.args) > wanted:
        raise ConfigError(f"hookgen send takes [SPEC]{'' if args.all else ' WEBHOOK'}, not {len(args.args)} arguments")
    if not args.all and not args.args:
        raise ConfigError("give the WEBHOOK to send, or --all")
    if args.all and args.payload is not None:
        raise ConfigError("--payload fits one webhook: with --all each webhook sends the spec's example")
    spec: Path | None = Path(args.args[0]) if len(args.args) == wanted else config.spec
    if spec is None:
        raise ConfigError("give a SPEC argument or set it in [tool.hookgen] of pyproject.toml")
    return spec, None if args.all else args.args[-1]


def run_diff(args: argparse.Namespace) -> int:
    """`hookgen diff`: report the changes between two versions; exit 1 when one is at or above --fail-on."""
    config = load_config(Path.cwd())
    if args.base is not None:
        if len(args.specs) > 1:
            raise ConfigError("with --base give at most one SPEC (the working tree's)")
        spec = args.specs[0] if args.specs else config.spec  # `diff` names its positional arguments `specs`
        if spec is None:
            raise ConfigError("give a SPEC argument or set it in [tool.hookgen] of pyproject.toml")
        result = diff.diff_against_ref(spec, args.base, ref_roots=config.ref_roots)
    elif len(args.specs) == 2:
        result = diff.diff_files(args.specs[0], args.specs[1], ref_roots=config.ref_roots)
    else:
        raise ConfigError("give OLD and NEW spec files, or --base GIT-REF (and optionally SPEC)")
    print(diff.render(result, args.format))
    fail_on = diff.Severity.POTENTIAL if args.fail_on == "potential" else diff.Severity.BREAKING
    return EXIT_DISAGREES if result.fails(fail_on) else EXIT_OK


def run_check(args: argparse.Namespace) -> int:
    """`hookgen check`: the spec validated as `generate` would, the output folder compared; nothing written."""
    config = load_config(Path.cwd())
    output = args.output or config.output
    result = check(
        _spec(args, config),
        output,
        package=args.package or config.package,
        asserted_formats=_asserted_formats(args, config),
        ref_roots=config.ref_roots,
        rules=config.rules,
        signature=config.signature,
    )
    _print(result.findings)
    for stale in result.stale:
        print(f"stale: {stale.path}")
        print(stale.diff)
    fails = result.fails(Level.WARNING if args.fail_on == "warning" else Level.ERROR)
    where = f" and {display_path(output)} is up to date" if output is not None and not result.stale else ""
    print(f"hookgen: {'check failed' if fails else 'spec is valid' + where}", file=sys.stderr)
    return EXIT_DISAGREES if fails else EXIT_OK


def run_rules(args: argparse.Namespace) -> int:
    """`hookgen rules`: the lint rules' catalogue, one per line (re-level them in [tool.hookgen.rules])."""
    width = max(len(rule.id) for rule in CATALOGUE)
    for rule in CATALOGUE:
        print(f"{rule.id:<{width}}  {rule.level.value:<7}  {rule.summary}")
    return EXIT_OK


COMMANDS = {
    "check": run_check,
    "rules": run_rules,
    "diff": run_diff,
    "generate": run_generate,
    "fidelity": run_fidelity,
    "scaffold": run_scaffold,
    "listen": run_listen,
    "send": run_send,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `hookgen` console script."""
    args = parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except HookgenError as exc:
        for line in exc.lines():
            print(line, file=sys.stderr)
        return EXIT_SPEC
