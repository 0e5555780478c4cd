"""The `hookgen` command line: parse arguments, run a stage, print problems. Nothing else lives here."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NoReturn

from .. import __version__
from ..errors import ConfigError, HookgenError, Level
from ..models.codegen import ASSERTABLE_FORMATS
from ..pipeline import build, generate
from ..progress import listening
from ..spec.load import display_path
from ..spec.rules import CATALOGUE
from . import credentials, diff
from .check import check
from .config import Config, asserted_formats, load_config
from .extras import require_extra
from .listen import listening_app, serve
from .scaffold import from_package, from_spec, scaffold
from .send import Options as SendOptions
from .send import send
from .terminal import NORMAL, QUIET, VERBOSE, Terminal

EXIT_OK = 0
EXIT_DISAGREES = 1
EXIT_SPEC = 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        print(f"hookgen: error: {message}", file=sys.stderr)
        raise SystemExit(EXIT_SPEC)


_EXIT_2 = "  2  bad input or usage: the spec cannot be read or generated, a flag or [tool.hookgen] key is wrong"
# Each command's --help ends with examples and its exit status (docs/commands.md is made from these).
EPILOGS = {
    "generate": """examples:
  hookgen generate spec/openapi.yaml --output generated
  hookgen generate spec/openapi.yaml -o generated -p acme_webhooks --strict
  hookgen generate                 # spec, output and package from [tool.hookgen]

exit status:
  0  generated, or already up to date
""",
    "scaffold": """examples:
  hookgen scaffold spec/openapi.yaml -o app/handlers.py -p acme_webhooks
  hookgen scaffold --package acme_webhooks -o app/handlers.py    # from the installed package alone
  hookgen scaffold spec/openapi.yaml -o app/handlers.py --append

exit status:
  0  stubs written, or every webhook has a handler
  1  the module lacks handlers (listed on stdout; --append adds them)
""",
    "listen": """examples:
  hookgen listen spec/openapi.yaml --port 8000 --secret whsec_...
  hookgen listen --port 8000 --secret "$NEW" --secret "$OLD"      # rotating: either secret verifies

exit status:
  0  stopped (Ctrl-C)
""",
    "send": """examples:
  hookgen send spec/openapi.yaml monitoring.alert --url http://127.0.0.1:8000/webhooks/monitoring.alert \\
      --secret whsec_...
  hookgen send spec/openapi.yaml --all --url http://127.0.0.1:8000 --secret whsec_...
  hookgen send spec/openapi.yaml payment --payload payment.json --url https://example.com/hooks --secret whsec_...

exit status:
  0  every delivery was accepted (2xx)
  1  a delivery was refused or could not be made
""",
    "fidelity": """examples:
  hookgen fidelity spec/openapi.yaml
  hookgen fidelity spec/openapi.yaml --payloads 50 --seconds 20 --format json

exit status:
  0  the models agree with the schemas, or each disagreement is a documented deviation (a warning)
  1  an undocumented disagreement
""",
    "diff": """examples:
  hookgen diff old/openapi.yaml new/openapi.yaml
  hookgen diff spec/openapi.yaml --base origin/main --format markdown
  hookgen diff --base v1.4.0 --fail-on potential --format sarif > hookgen-diff.sarif

exit status:
  0  nothing at or above --fail-on
  1  a change at or above --fail-on
""",
    "check": """examples:
  hookgen check spec/openapi.yaml --output generated
  hookgen check --fail-on warning        # spec and output from [tool.hookgen]

exit status:
  0  the spec is valid and the output folder up to date
  1  a stale file, or a finding at or above --fail-on
""",
    "rules": """examples:
  hookgen rules                    # re-level one in pyproject.toml: [tool.hookgen.rules] missing-description = "off"

exit status:
  0  the catalogue was printed
""",
}


def _common() -> _Parser:
    """The options every command takes: how much to print."""
    common = _Parser(add_help=False)
    loudness = common.add_mutually_exclusive_group()
    loudness.add_argument(
        "--quiet", "-q", dest="verbosity", action="store_const", const=QUIET, help="print errors only"
    )
    loudness.add_argument(
        "--verbose",
        "-v",
        dest="verbosity",
        action="store_const",
        const=VERBOSE,
        help="print every warning, and each stage's timing even when not on a terminal",
    )
    common.set_defaults(verbosity=NORMAL)
    return common


def parser() -> argparse.ArgumentParser:
    """The argument parser for every subcommand."""
    root = _Parser(prog="hookgen", description="Typed, verified webhook code from an OpenAPI 3.1 spec.")
    root.add_argument("--version", "-V", action="version", version=f"hookgen {__version__}")
    commands = root.add_subparsers(dest="command", required=True, parser_class=_Parser)
    common = [_common()]

    def command(name: str, help: str) -> argparse.ArgumentParser:
        epilog = EPILOGS[name] + _EXIT_2 + "\n"
        formatter = argparse.RawDescriptionHelpFormatter
        parser: argparse.ArgumentParser = commands.add_parser(
            name,
            help=help,
            description=help[0].upper() + help[1:] + ".",
            epilog=epilog,
            parents=common,
            formatter_class=formatter,
        )
        return parser

    gen = command("generate", "generate the models and webhook declarations package")
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
    sca = command("scaffold", "write a handler module with one stub per webhook")
    sca.add_argument("spec", nargs="?", type=Path, help="the OpenAPI document (default: [tool.hookgen] spec)")
    sca.add_argument("--output", "-o", type=Path, required=True, help="the handler module to write (never overwritten)")
    sca.add_argument(
        "--package",
        "-p",
        help="the generated package it imports (default: [tool.hookgen] package); "
        "without a SPEC, the installed package's webhooks are used",
    )
    sca.add_argument("--append", action="store_true", help="append stubs for webhooks the module has no handler for")
    lis = command(
        "listen", "serve the receivers, printing each accepted delivery as a JSON line (needs hookgen[listen])"
    )
    lis.add_argument("spec", nargs="?", type=Path, help="the OpenAPI document (default: [tool.hookgen] spec)")
    lis.add_argument("--port", type=_positive_int, required=True, help="the TCP port to listen on")
    lis.add_argument("--secret", action="append", required=True, help="a signing secret (repeat it to rotate)")
    lis.add_argument("--host", default="127.0.0.1", help="the address to listen on (default 127.0.0.1)")
    lis.add_argument("--max-body", type=_positive_int, help="the largest body accepted, in bytes (default 25 MiB)")
    lis.add_argument("--credential", action="append", default=[], metavar="NAME=VALUE", help=credentials.HELP)
    _send_parser(command)
    fid = command("fidelity", "judge the generated models against the source schemas (needs hookgen[fidelity])")
    fid.add_argument("spec", nargs="?", type=Path, help="the OpenAPI document (default: [tool.hookgen] spec)")
    fid.add_argument("--payloads", type=_positive_int, default=20, help="payloads drawn per webhook (default 20)")
    fid.add_argument("--seconds", type=float, default=10.0, help="time budget for drawing, per webhook (default 10)")
    fid.add_argument("--format", choices=("table", "json"), default="table", help="output format (default table)")
    _formats_option(fid)
    _diff_parser(command)
    chk = command("check", "validate the spec and fail when the output folder is stale (writes nothing)")
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
    command("rules", "list the lint rules: id, default level, what each asks of a spec")
    return root


def _send_parser(command: Callable[[str, str], argparse.ArgumentParser]) -> None:
    snd = command("send", "send one signed delivery of a webhook (or --all) to a receiver (needs hookgen[send])")
    snd.add_argument("args", nargs="*", metavar="[SPEC] WEBHOOK", help="the OpenAPI document and the webhook key")
    snd.add_argument("--url", required=True, help="the receiver's URL; with --all, the base URL of `hookgen listen`")
    snd.add_argument("--secret", required=True, help="the signing secret (standard-webhooks: whsec_ and base64)")
    source = snd.add_mutually_exclusive_group()
    source.add_argument("--payload", type=Path, help="a JSON file holding the payload")
    source.add_argument("--example", action="store_true", help="send the spec's example payload (the default)")
    snd.add_argument("--all", action="store_true", help="send every webhook, each to URL/webhooks/{key}")
    snd.add_argument("--attempts", type=_positive_int, default=3, help="attempts, 1 s and 2 s apart (default 3)")
    snd.add_argument("--allow-private", action="store_true", help="allow private addresses (loopback always is)")
    snd.add_argument("--credential", action="append", default=[], metavar="NAME=VALUE", help=credentials.HELP)


def _diff_parser(command: Callable[[str, str], argparse.ArgumentParser]) -> None:
    dif = command("diff", "sort the changes to the webhooks between two versions by how they break")
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


def run_generate(args: argparse.Namespace, terminal: Terminal) -> int:
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
        model_settings=config.models,
    )
    terminal.problems(generated.warnings)
    count = len(generated.spec.webhooks)
    unchanged = "" if generated.changed else " (unchanged)"
    terminal.say(f"{count} webhook operations -> {display_path(output / generated.package)}{unchanged}")
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


def run_fidelity(args: argparse.Namespace, terminal: Terminal) -> int:
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
    terminal.problems(warnings)
    if args.format == "json":
        print(json.dumps(report.as_json(), indent=2, default=repr))
    else:
        print(fidelity.render_table(report))
    return EXIT_DISAGREES if report.undocumented() else EXIT_OK


def run_scaffold(args: argparse.Namespace, terminal: Terminal) -> int:
    """`hookgen scaffold`: write handler stubs, or list (and with --append, add) the ones a module lacks."""
    config = load_config(Path.cwd())
    spec: Path | None = args.spec or config.spec
    if spec is None and args.package:  # from the installed package alone: it knows its ENDPOINTS
        handled, package = from_package(args.package), args.package
    else:
        generated = build(
            _spec(args, config),
            package=args.package or config.package,
            ref_roots=config.ref_roots,
            rules=config.rules,
            signature=config.signature,
            model_settings=config.models,
        )
        terminal.problems(generated.warnings)
        handled, package = from_spec(generated.spec), generated.package
    result = scaffold(handled, package, args.output, append=args.append)
    where = display_path(args.output)
    for name in result.missing:
        print(f"missing handler: {name}")
    if result.missing:
        terminal.say(f"{where} lacks {len(result.missing)} handlers; --append adds them")
        return EXIT_DISAGREES
    done = f"wrote {len(result.written)} handlers to" if result.written else "every webhook has a handler in"
    terminal.say(f"{done} {where}")
    return EXIT_OK


def run_listen(args: argparse.Namespace, terminal: Terminal) -> int:
    """`hookgen listen`: serve the spec's receivers (generated once per spec content) until interrupted."""
    require_extra("listen")
    config = load_config(Path.cwd())
    spec = _spec(args, config)
    # The secrets are checked before serving.
    app = listening_app(
        spec,
        secrets=args.secret,
        max_body=args.max_body,
        ref_roots=config.ref_roots,
        signature=config.signature,
        credentials=args.credential,
    )
    terminal.say(f"listening on http://{args.host}:{args.port}/webhooks/")
    serve(app, host=args.host, port=args.port)
    return EXIT_OK


def run_send(args: argparse.Namespace, terminal: Terminal) -> int:
    """`hookgen send`: one signed delivery per webhook asked for; exit 1 unless every one was delivered."""
    require_extra("send")
    config = load_config(Path.cwd())
    spec, webhook = _send_arguments(args, config)
    options = SendOptions(
        args.url,
        args.secret,
        payload_file=args.payload,
        attempts=args.attempts,
        allow_private=args.allow_private,
        credentials=tuple(args.credential),
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


def run_diff(args: argparse.Namespace, terminal: Terminal) -> int:
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


def run_check(args: argparse.Namespace, terminal: Terminal) -> int:
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
        model_settings=config.models,
    )
    terminal.problems(result.findings)
    for stale in result.stale:
        print(f"stale: {stale.path}")
        print(stale.diff)
    fails = result.fails(Level.WARNING if args.fail_on == "warning" else Level.ERROR)
    where = f" and {display_path(output)} is up to date" if output is not None and not result.stale else ""
    terminal.say("check failed" if fails else "spec is valid" + where)
    return EXIT_DISAGREES if fails else EXIT_OK


def run_rules(args: argparse.Namespace, terminal: Terminal) -> int:
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


# The commands that only read and write files: after them the process ends without the interpreter's teardown (`run`).
FAST_EXIT = frozenset({"check", "diff", "generate"})


def run() -> NoReturn:
    """The `hookgen` console script (and `python -m generator`): `main`, and after a command of FAST_EXIT an exit that
    skips the interpreter's teardown, as mypy's `--fast-exit` does. Freeing every object one by one took 0.2-0.4 s of
    CPU after each generation, a fifth of generating the example spec; nothing a command of FAST_EXIT leaves open
    needs it (its files are closed, its child process ended)."""
    argv = sys.argv[1:]
    status = main(argv)
    if parser().parse_known_args(argv)[0].command in FAST_EXIT:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(status)
    sys.exit(status)


def main(argv: Sequence[str] | None = None) -> int:
    """Run a hookgen command (`argv`: its arguments, by default the process's); its exit status."""
    args = parser().parse_args(argv)
    terminal = Terminal.open(args.verbosity)
    try:
        with listening(terminal.stage):
            return COMMANDS[args.command](args, terminal)
    except HookgenError as exc:
        if exc.problems:
            terminal.problems(exc.problems)
        for line in exc.lines()[len(exc.problems) :]:
            terminal.error(line)
        return EXIT_SPEC
    except OSError as exc:  # a folder or file the user named cannot be used: bad input, not a crash
        terminal.error(f"hookgen: error: {exc.strerror or exc}: {exc.filename or ''}".rstrip(": "))
        return EXIT_SPEC
