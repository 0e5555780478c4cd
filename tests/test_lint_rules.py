"""The lint rules: ids and levels from one catalogue, `FILE:LINE: POINTER: level[rule]:` lines, re-levelled or switched
off in `[tool.hookgen.rules]`, silenced by `x-hookgen-ignore`, honoured by `generate` and `check`; and
`[tool.hookgen] signature`, the scheme of webhooks that declare none."""

from __future__ import annotations

import importlib
import json
import re
import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from fastapi.testclient import TestClient

from generator.commands.cli import main
from generator.commands.imported import import_generated
from generator.commands.package_cache import PACKAGE, cached_package, spec_digest
from generator.errors import Level, Problem, SpecError
from generator.pipeline import build, load_bundle
from generator.spec.rules import CATALOGUE, RULES, RuleSettings

from .conftest import ROOT

BODY = {"type": "object", "properties": {"n": {"type": "integer"}}}


def operation(**changes: Any) -> dict[str, Any]:
    """A lint-clean webhook operation, with `changes` applied (a None value removes the key)."""
    declared: dict[str, Any] = {
        "description": "d",
        "requestBody": {"required": True, "content": {"application/json": {"schema": BODY}}},
        "responses": {"200": {"description": "ok"}},
    }
    declared.update(changes)
    return {key: value for key, value in declared.items() if value is not None}


def document(webhooks: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """An OpenAPI 3.1 document with these webhooks, signed with Standard Webhooks unless `extra` says otherwise."""
    declared = {
        "openapi": "3.1.0",
        "info": {"title": "T", "version": "1"},
        "x-webhook-signature": "standard-webhooks",
        "webhooks": webhooks,
        **extra,
    }
    return {key: value for key, value in declared.items() if value is not None}


def write(folder: Path, spec: dict[str, Any], pyproject: str = "") -> Path:
    (folder / "openapi.yaml").write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    if pyproject:
        (folder / "pyproject.toml").write_text(pyproject, encoding="utf-8")
    return folder / "openapi.yaml"


def findings(folder: Path, spec: dict[str, Any], **options: Any) -> list[Problem]:
    """The rule findings on a spec (load, bundle, validate: no models are generated)."""
    _, _, problems = load_bundle(write(folder, spec), **options)
    return [problem for problem in problems if problem.rule]


def run(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, str]:
    code = main([str(arg) for arg in args])
    return code, capsys.readouterr().err


ONE = "/webhooks/w/post"
CASES: dict[str, tuple[dict[str, Any], list[tuple[str, str]]]] = {
    # name: (document, [(pointer, rule)] expected)
    "clean": (document({"w": {"post": operation()}}), []),
    "no body": (document({"w": {"post": operation(requestBody=None)}}), [(ONE, "request-body")]),
    "body not required": (
        document({"w": {"post": operation(requestBody={"content": {"application/json": {"schema": BODY}}})}}),
        [(f"{ONE}/requestBody", "request-body")],
    ),
    "no JSON schema": (
        document({"w": {"post": operation(requestBody={"required": True, "content": {"text/plain": {}}})}}),
        [(f"{ONE}/requestBody", "request-body")],
    ),
    "body example": (
        document(
            {
                "w": {
                    "post": operation(
                        requestBody={
                            "required": True,
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/Body"},
                                    "example": {"n": "seven"},
                                    "examples": {
                                        "fine": {"value": {"n": 7}},
                                        "shared": {"$ref": "#/components/examples/E"},
                                    },
                                }
                            },
                        }
                    )
                }
            },
            components={"schemas": {"Body": BODY}, "examples": {"E": {"value": {"n": 1.5}}}},
        ),
        [
            ("/components/examples/E/value", "invalid-example"),
            (f"{ONE}/requestBody/content/application~1json/example", "invalid-example"),
        ],
    ),
    "schema examples": (
        document(
            {"w": {"post": operation()}},
            components={"schemas": {"Tags": {"type": "array", "items": {"type": "string"}, "examples": ["a", ["b"]]}}},
        )
        | {
            "webhooks": {
                "w": {
                    "post": operation(
                        requestBody={
                            "required": True,
                            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Tags"}}},
                        }
                    )
                }
            }
        },
        [("/components/schemas/Tags/examples/0", "invalid-example")],
    ),
    "duplicate operationId": (
        document({"a": {"post": operation(operationId="same")}, "b": {"post": operation(operationId="same")}}),
        [("/webhooks/a/post/operationId", "operation-id"), ("/webhooks/b/post/operationId", "operation-id")],
    ),
    "no signature anywhere": (
        document({"w": {"post": operation()}, "v": {"post": operation()}}, **{"x-webhook-signature": None}),
        [("", "signature-scheme")],
    ),
    "one webhook unsigned": (
        document(
            {"w": {"post": operation()}, "v": {"post": operation(**{"x-webhook-signature": "github"})}},
            **{"x-webhook-signature": None},
        ),
        [(ONE, "signature-scheme")],
    ),
    "no 2xx": (
        document({"w": {"post": operation(responses={"400": {"description": "no"}})}}),
        [(f"{ONE}/responses", "success-response")],
    ),
    "2XX range": (document({"w": {"post": operation(responses={"2XX": {"description": "ok"}})}}), []),
    "no description": (
        document({"w": {"post": operation(description=None)}, "v": {"post": operation(description=None, summary="s")}}),
        [(ONE, "missing-description")],
    ),
    "careless schema": (
        document(
            {
                "w": {
                    "post": operation(
                        requestBody={
                            "required": True,
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "type": "object",
                                        "propertes": {},
                                        "properties": {"n": {"type": "integer", "default": "x"}},
                                        "required": ["m"],
                                    }
                                }
                            },
                        }
                    )
                }
            }
        ),
        [
            (f"{ONE}/requestBody/content/application~1json/schema/properties/n/default", "default-mismatch"),
            (f"{ONE}/requestBody/content/application~1json/schema/propertes", "unknown-keyword"),
            (f"{ONE}/requestBody/content/application~1json/schema/required/0", "undeclared-required"),
        ],
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_each_rule_finds_its_case_at_its_place(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, case: str) -> None:
    monkeypatch.chdir(tmp_path)
    spec, expected = CASES[case]
    found = findings(tmp_path, spec)
    assert sorted((p.pointer, p.rule) for p in found) == sorted(expected)
    assert all(p.level is RULES[p.rule].level and p.line is not None for p in found)


def test_a_finding_reads_file_line_pointer_level_and_rule(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    [problem] = findings(tmp_path, document({"w": {"post": operation(description=None)}}))
    line = 1 + next(i for i, text in enumerate(Path("openapi.yaml").read_text().splitlines()) if text == "    post:")
    assert problem.render() == (
        f"openapi.yaml:{line + 1}: /webhooks/w/post: warning[missing-description]: webhook w post has no description "
        "or summary"
    )


def test_names_that_collide_after_normalisation(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Found while building the IR: `a.b` and `a_b` are both `a_b`; `X-Trace` and `X_Trace` both `x_trace`.
    monkeypatch.chdir(tmp_path)
    headers = [{"name": name, "in": "header", "schema": {"type": "string"}} for name in ("X-Trace", "X_Trace")]
    spec = document(
        {
            "a.b": {"post": operation(parameters=headers)},
            "a_b": {"post": operation()},
            "c": {"post": operation(operationId="doIt")},
            "d": {"post": operation(operationId="do_it")},
        }
    )
    found = [p for p in build(write(tmp_path, spec)).warnings if p.rule]
    assert sorted((p.pointer, p.rule, p.message) for p in found) == [
        (
            "/webhooks/a.b/post",
            "name-collision",
            "header 'X_Trace': name 'x_trace' is taken; its parameter is `x_trace_2`",
        ),
        ("/webhooks/a_b/post", "name-collision", "name 'a_b' is taken; this webhook is `a_b_2`"),
        ("/webhooks/d/post", "operation-id", "name 'do_it' is taken; this webhook is `do_it_2`"),
    ]


def test_rules_are_switched_off_or_relevelled(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    spec = document({"w": {"post": operation(description=None, responses={"400": {"description": "no"}})}})
    settings = RuleSettings({"missing-description": None, "success-response": Level.ERROR})
    with pytest.raises(SpecError) as raised:
        findings(tmp_path, spec, rules=settings)
    assert [(p.rule, p.level) for p in raised.value.problems] == [("success-response", Level.ERROR)]


def test_strict_makes_findings_errors_but_not_those_switched_off(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    spec = document({"w": {"post": operation(description=None, responses={"400": {"description": "no"}})}})
    with pytest.raises(SpecError) as raised:
        findings(tmp_path, spec, rules=RuleSettings({"missing-description": None}), strict=True)
    assert [(p.rule, p.level) for p in raised.value.problems] == [("success-response", Level.ERROR)]


def test_x_hookgen_ignore_silences_its_place_and_below(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    spec = document(
        {
            "quiet": {"post": operation(description=None, **{"x-hookgen-ignore": ["missing-description"]})},
            "loud": {"post": operation(description=None)},
            "other": {"post": operation(description=None, **{"x-hookgen-ignore": ["success-response"]})},
        }
    )
    assert [p.pointer for p in findings(tmp_path, spec)] == ["/webhooks/loud/post", "/webhooks/other/post"]
    spec["x-hookgen-ignore"] = ["missing-description"]  # at the root: the whole file
    assert findings(tmp_path, spec) == []


def test_an_unknown_rule_in_x_hookgen_ignore_is_an_error_with_a_suggestion(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    spec = document({"w": {"post": operation(**{"x-hookgen-ignore": ["missing-descripton"]})}})
    with pytest.raises(SpecError) as raised:
        findings(tmp_path, spec)
    [problem] = raised.value.problems
    assert problem.pointer == "/webhooks/w/post/x-hookgen-ignore/0"
    assert problem.message == "x-hookgen-ignore: unknown rule 'missing-descripton'; did you mean 'missing-description'?"
    assert problem.line is not None


NOISY = document({"w": {"post": operation(description=None)}})


def test_generate_and_check_honour_tool_hookgen_rules(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path, NOISY)
    assert run(capsys, "check", "openapi.yaml", "--fail-on", "warning")[0] == 1
    (tmp_path / "pyproject.toml").write_text('[tool.hookgen.rules]\nmissing-description = "off"\n')
    code, err = run(capsys, "check", "openapi.yaml", "--fail-on", "warning")
    assert (code, "missing-description" in err) == (0, False)
    code, err = run(capsys, "generate", "openapi.yaml", "--output", "out")
    assert (code, "missing-description" in err) == (0, False)
    (tmp_path / "pyproject.toml").write_text('[tool.hookgen.rules]\nmissing-description = "error"\n')
    for command in (["check", "openapi.yaml"], ["generate", "openapi.yaml", "--output", "out2"]):
        code, err = run(capsys, *command)
        assert code == 2
        assert "openapi.yaml:9: /webhooks/w/post: error[missing-description]: webhook w post" in err
    assert not (tmp_path / "out2").exists()


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ('missing-descripton = "off"', "unknown rule 'missing-descripton'; did you mean 'missing-description'?"),
        ('colour = "off"', "unknown rule 'colour' (`hookgen rules` lists them)"),
        ('request-body = "loud"', "request-body must be one of off, warning, error, not 'loud'"),
    ],
)
def test_a_wrong_rules_table_is_a_usage_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], table: str, message: str
) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path, NOISY, f"[tool.hookgen.rules]\n{table}\n")
    code, err = run(capsys, "check", "openapi.yaml")
    assert code == 2
    assert err.strip().endswith(message)
    assert err.startswith("pyproject.toml: /: ")


def test_the_catalogue_is_listed_by_hookgen_rules_and_in_the_readme(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules"]) == 0
    listed = [line.split(None, 2) for line in capsys.readouterr().out.splitlines()]
    assert listed == [[rule.id, rule.level.value, rule.summary] for rule in CATALOGUE]
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| `([a-z-]+)` \| (warning|error) \| (.+) \|$", readme, flags=re.MULTILINE)
    assert rows == [(rule.id, rule.level.value, rule.summary) for rule in CATALOGUE]


# `[tool.hookgen] signature`: the scheme of webhooks that declare none.
UNSIGNED = document(
    {
        "w": {"post": operation()},
        "v": {"post": operation(**{"x-webhook-signature": {"scheme": "shopify"}})},
    },
    **{"x-webhook-signature": None},
)
SECRET = "a secret"


def test_a_configured_signature_default_verifies_the_webhooks_that_declare_none(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path, UNSIGNED, '[tool.hookgen]\nsignature = "github"\npackage = "defaulted_webhooks"\n')
    code, err = run(capsys, "generate", "openapi.yaml", "--output", "out")
    assert code == 0
    assert "signature-scheme" not in err  # the configured scheme is one
    (receivers,) = import_generated(tmp_path / "out", "defaulted_webhooks", "receivers")
    signatures = importlib.import_module(receivers.__package__ + "._signatures")
    assert receivers.SIGNATURE == {"scheme": "github"}
    assert {e.key: dict(e.signature) for e in receivers.ENDPOINTS} == {
        "w": {"scheme": "github"},
        "v": {"scheme": "shopify"},
    }
    calls: list[Any] = []

    class Handlers:
        def w(self, payload: Any) -> None:
            calls.append(payload.n)

        def v(self, payload: Any) -> None:
            calls.append(payload.n)

    client = TestClient(receivers.create_app(Handlers(), secrets=[SECRET]))
    body = json.dumps({"n": 3}).encode()
    for scheme, status in (("github", 200), ("standard-webhooks", 401)):
        secret = SECRET if scheme == "github" else "whsec_" + "YSBzZWNyZXQ="
        headers = signatures.scheme_from_declaration({"scheme": scheme}).sign(
            body, secret, delivery_id=f"d-{scheme}", timestamp=int(time.time())
        )
        response = client.post("/webhooks/w", content=body, headers={**headers, "Content-Type": "application/json"})
        assert response.status_code == status, response.text
    assert calls == [3]


def test_the_document_scheme_wins_over_the_configured_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    spec = UNSIGNED | {"x-webhook-signature": {"scheme": "stripe"}}
    generated = build(write(tmp_path, spec), signature={"scheme": "github"})
    assert {w.key: w.signature.scheme for w in generated.spec.webhooks if w.signature} == {
        "w": "stripe",
        "v": "shopify",
    }


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ('signature = "gitlab"', "[tool.hookgen] signature: x-webhook-signature: unknown scheme"),
        ("signature = 3", "signature must be a scheme name or a table (as x-webhook-signature)"),
        ('signature = {scheme = "hmac"}', "[tool.hookgen] signature: x-webhook-signature:"),
    ],
)
def test_a_wrong_signature_default_is_a_usage_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], setting: str, message: str
) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path, UNSIGNED, f"[tool.hookgen]\n{setting}\n")
    code, err = run(capsys, "check", "openapi.yaml")
    assert code == 2
    assert message in err


def test_listen_and_send_use_the_configured_signature_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # `hookgen listen` serves, and `hookgen send` signs with, what `generate` would write: the cached package
    # is keyed by the signature default too.
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOOKGEN_CACHE", str(tmp_path / "cache"))
    spec = write(tmp_path, UNSIGNED)
    plain = cached_package(spec)
    github = cached_package(spec, signature={"scheme": "github"})
    assert plain != github
    assert spec_digest(spec) != spec_digest(spec, signature={"scheme": "github"})
    for folder, expected in ((plain, None), (github, {"scheme": "github"})):
        (receivers,) = import_generated(folder, PACKAGE, "receivers")
        declared = receivers.SIGNATURE
        assert declared == expected
