"""Hostile and careless specs: nothing is read outside the spec's folder, time and memory stay bounded,
and every problem is one located line with exit 2, never a traceback."""

from __future__ import annotations

import http.server
import json
import os
import re
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from .test_cli_errors import GOOD_HEAD, LINE, _webhook_with

SCHEMA_POINTER = "/webhooks/thing.happened/post/requestBody/content/application~1json/schema"
SECRET = "TOPSECRET-do-not-print"


def _run(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    """`hookgen ARGS` in a child process, which must end within a minute whatever the spec holds."""
    command = [sys.executable, "-m", "generator", *map(str, args)]
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False, timeout=60)


def _write(folder: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def _problems(stderr: str) -> list[re.Match[str]]:
    """Every line of stderr as a located problem (the closing `hookgen: N webhook operations` line aside)."""
    matches = [LINE.match(line) for line in stderr.splitlines() if not line.startswith("hookgen: ")]
    assert matches and all(matches), stderr
    return [m for m in matches if m]


def _fails_cleanly(result_stderr: str, returncode: int) -> list[re.Match[str]]:
    """The located problems of a failed run, lint-rule warnings aside (the minimal spec's body is not
    `required: true`, it declares no signature scheme: not what these cases are about)."""
    assert returncode == 2, result_stderr
    assert "Traceback" not in result_stderr
    return [problem for problem in _problems(result_stderr) if not problem.group("message").startswith("warning[")]


@pytest.mark.parametrize(
    "ref",
    ["/etc/passwd", "../outside/secret.yaml#/Secret", "../../outside/secret.yaml#/Secret", "/dev/zero"],
)
def test_a_ref_outside_the_spec_folder_is_refused_and_never_read(tmp_path: Path, ref: str) -> None:
    _write(tmp_path, {"outside/secret.yaml": f"Secret: {{type: string, description: {SECRET}}}\n"})
    _write(tmp_path / "spec", {"spec.yaml": _webhook_with(f"$ref: '{ref}'")})
    result = _run("generate", "spec.yaml", "--output", "out", cwd=tmp_path / "spec")
    [problem] = _fails_cleanly(result.stderr, result.returncode)
    assert problem["pointer"] == f"{SCHEMA_POINTER}/$ref"
    assert "outside the spec's folder" in problem["message"] and ref in problem["message"]
    assert SECRET not in result.stderr and "root:" not in result.stderr
    assert not (tmp_path / "spec" / "out").exists()


def test_ref_roots_in_the_config_allow_a_shared_folder(tmp_path: Path) -> None:
    _write(tmp_path, {"shared/common.yaml": "Thing: {type: object, properties: {name: {type: string}}}\n"})
    spec = _webhook_with("$ref: '../shared/common.yaml#/Thing'")
    _write(tmp_path / "api", {"spec.yaml": spec, "pyproject.toml": '[tool.hookgen]\nref-roots = ["../shared"]\n'})
    result = _run("generate", "spec.yaml", "--output", "out", "--package", "things", cwd=tmp_path / "api")
    assert result.returncode == 0, result.stderr
    assert "class Thing(" in _models_source(tmp_path / "api" / "out" / "things")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_ref_to_a_fifo_is_refused_without_waiting(tmp_path: Path) -> None:
    _write(tmp_path, {"spec.yaml": _webhook_with("$ref: './pipe.yaml#/Thing'")})
    os.mkfifo(tmp_path / "pipe.yaml")
    result = _run("generate", "spec.yaml", "--output", "out", cwd=tmp_path)  # a read would block for ever
    [problem] = _fails_cleanly(result.stderr, result.returncode)
    assert "not a regular file" in problem["message"]


@pytest.mark.parametrize("root", ["/dev/zero", "pipe.yaml"])
def test_a_root_document_that_is_not_a_regular_file_is_refused(tmp_path: Path, root: str) -> None:
    if root == "pipe.yaml":
        os.mkfifo(tmp_path / root)
    result = _run("generate", root, "--output", "out", cwd=tmp_path)
    [problem] = _fails_cleanly(result.stderr, result.returncode)
    assert "not a regular file" in problem["message"]


BOMB = "".join(
    f"{name}: &{name} [{', '.join([f'*{previous}'] * 9)}]\n"
    for previous, name in zip("abcdefgh", "bcdefghi", strict=True)
)


def test_a_yaml_alias_bomb_is_refused_quickly(tmp_path: Path) -> None:
    text = (
        GOOD_HEAD + 'a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]\n' + BOMB + "webhooks: {}\n"
    )
    assert len(text) < 1000
    _write(tmp_path, {"spec.yaml": text})
    result = _run("generate", "spec.yaml", "--output", "out", cwd=tmp_path)
    [problem] = _fails_cleanly(result.stderr, result.returncode)
    assert "aliases expand" in problem["message"]


def test_a_yaml_alias_inside_itself_is_refused(tmp_path: Path) -> None:
    _write(tmp_path, {"spec.yaml": GOOD_HEAD + "loop: &loop [*loop]\nwebhooks: {}\n"})
    result = _run("generate", "spec.yaml", "--output", "out", cwd=tmp_path)
    [problem] = _fails_cleanly(result.stderr, result.returncode)
    assert "refers to a mapping or list that contains it" in problem["message"]


CYCLES = {
    "two schemas": (
        {
            "spec.yaml": _webhook_with("$ref: '#/components/schemas/A'")
            + "components:\n  schemas:\n"
            + "    A: {$ref: '#/components/schemas/B'}\n    B: {$ref: '#/components/schemas/A'}\n"
        },
        "spec.yaml",
        15,
    ),
    "a schema and itself": (
        {
            "spec.yaml": _webhook_with("$ref: '#/components/schemas/A'")
            + "components:\n  schemas:\n    A:\n      $ref: '#/components/schemas/A'\n"
        },
        "spec.yaml",
        16,
    ),
    "across files": (
        {
            "spec.yaml": _webhook_with("$ref: './parts/a.yaml#/A'"),
            "parts/a.yaml": "A:\n  $ref: './b.yaml#/B'\n",
            "parts/b.yaml": "B:\n  $ref: './a.yaml#/A'\n",
        },
        "parts/a.yaml",
        2,
    ),
    "a path item and itself": (
        {"spec.yaml": GOOD_HEAD + "webhooks:\n  thing.happened:\n    $ref: '#/webhooks/thing.happened'\n"},
        "spec.yaml",
        5,
    ),
}


@pytest.mark.parametrize("case", sorted(CYCLES))
def test_a_ref_cycle_with_no_schema_in_it_is_an_error_at_its_line(tmp_path: Path, case: str) -> None:
    files, file, line = CYCLES[case]
    _write(tmp_path, files)
    result = _run("generate", "spec.yaml", "--output", "out", cwd=tmp_path)
    problems = _fails_cleanly(result.stderr, result.returncode)
    cycles = [m for m in problems if "$ref cycle" in m["message"]]
    assert len(cycles) == 1, result.stderr
    assert (cycles[0]["file"], int(cycles[0]["line"])) == (file, line)
    assert not (tmp_path / "out").exists()


def test_a_recursive_schema_is_not_a_cycle(tmp_path: Path) -> None:
    schema = "$ref: '#/components/schemas/Node'"
    components = "components:\n  schemas:\n    Node:\n      type: object\n      properties:\n"
    components += "        next: {$ref: '#/components/schemas/Node'}\n"
    _write(tmp_path, {"spec.yaml": _webhook_with(schema) + components})
    result = _run("generate", "spec.yaml", "--output", "out", cwd=tmp_path)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("name", "text", "line", "first"),
    [
        ("spec.yaml", GOOD_HEAD + "webhooks:\n  a:\n    post: {}\n  b: {}\n  a:\n    put: {}\n", 7, 4),
        (
            "spec.json",
            '{"openapi": "3.1.0",\n "info": {"title": "t", "version": "1"},\n "webhooks": {\n'
            '  "a": {"post": {}},\n  "a": {"put": {}}}}\n',
            5,
            4,
        ),
    ],
)
def test_a_key_written_twice_is_an_error_naming_both_lines(
    tmp_path: Path, name: str, text: str, line: int, first: int
) -> None:
    _write(tmp_path, {name: text})
    result = _run("generate", name, "--output", "out", cwd=tmp_path)
    [problem] = _fails_cleanly(result.stderr, result.returncode)
    assert (problem["file"], int(problem["line"]), problem["pointer"]) == (name, line, "/webhooks/a")
    assert f"line {first}" in problem["message"]


def test_yaml_merge_keys_may_be_overridden(tmp_path: Path) -> None:
    schema = "type: object\nproperties:\n  a: &base {type: string, description: base}\n"
    schema += "  b:\n    <<: *base\n    description: b"
    _write(tmp_path, {"spec.yaml": _webhook_with(schema)})
    result = _run("generate", "spec.yaml", "--output", "out", cwd=tmp_path)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("package", "suggestion"),
    [("../x", "x"), ("/tmp/evil", "tmp_evil"), ("acme-shop", "acme_shop"), ("class", "class_")],
)
def test_package_must_be_a_python_identifier(tmp_path: Path, package: str, suggestion: str) -> None:
    _write(tmp_path, {"spec.yaml": _webhook_with("type: object")})
    result = _run("generate", "spec.yaml", "--output", "out", "--package", package, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip() == (
        f"hookgen: error: package name {package!r} is not a Python identifier; try {suggestion!r}"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["spec.yaml"]


def test_a_missing_version_is_a_warning_and_the_package_is_version_0_0_0(tmp_path: Path) -> None:
    text = _webhook_with("type: object").replace("info: {title: T, version: '1'}", "info: {title: T}")
    _write(tmp_path, {"spec.yaml": text})
    result = _run("generate", "spec.yaml", "--output", "out", "--package", "t", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "spec.yaml:2: /info: warning: `info` has no `version`" in result.stderr
    assert 'version = "0.0.0"' in (tmp_path / "out" / "pyproject.toml").read_text()


def test_a_component_keyed_with_a_slash_in_an_external_file_is_bundled(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            "spec.yaml": _webhook_with("$ref: './parts.yaml#/definitions/a~1b'"),
            "parts.yaml": "definitions:\n  a/b: {type: object, properties: {n: {type: integer}}}\n",
        },
    )
    result = _run("generate", "spec.yaml", "--output", "out", "--package", "t", cwd=tmp_path)
    assert result.returncode == 0, result.stderr


def test_a_ref_into_a_schemas_properties_generates(tmp_path: Path) -> None:
    schema = "type: object\nproperties:\n  created: {$ref: '#/components/schemas/Connection/properties/created'}\n"
    schema += "  kind: {oneOf: [{type: string}, {type: integer}]}"
    components = "components:\n  schemas:\n    Connection:\n      type: object\n      properties:\n"
    components += "        created: {type: string, format: date-time}\n"
    _write(tmp_path, {"spec.yaml": _webhook_with(schema) + components})
    result = _run("generate", "spec.yaml", "--output", "out", "--package", "p", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    check = (
        "import p.models as m, pydantic\n"
        "model = m.ThingHappenedPayload\n"
        "model.model_validate({'created': '2024-01-01T00:00:00Z', 'kind': 1})\n"
        "for bad in ({'created': 'yesterday'}, {'kind': 1.5}):\n"
        "    try:\n        model.model_validate(bad)\n    except pydantic.ValidationError:\n        pass\n"
        "    else:\n        raise SystemExit(f'accepted {bad}')\n"
    )
    imported = subprocess.run(
        [sys.executable, "-c", check], cwd=tmp_path / "out", capture_output=True, text=True, check=False, timeout=60
    )
    assert imported.returncode == 0, imported.stderr


def test_strict_validation_never_opens_a_connection(tmp_path: Path) -> None:
    requests: list[str] = []

    class Counting(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            requests.append(self.path)
            body = b"Thing: {type: object}\n"
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Counting)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/remote.yaml#/Thing"
        paths = "paths:\n  /things:\n    get:\n      responses:\n        '200':\n          description: ok\n"
        paths += f"          content: {{application/json: {{schema: {{$ref: '{url}'}}}}}}\n"
        _write(tmp_path, {"spec.yaml": _webhook_with(f"$ref: '{url}'") + paths})
        result = _run("generate", "spec.yaml", "--output", "out", "--strict", cwd=tmp_path)
    finally:
        server.shutdown()
        server.server_close()
    problems = _fails_cleanly(result.stderr, result.returncode)
    assert any("remote $ref is not supported" in m["message"] for m in problems), result.stderr
    assert requests == []


CARELESS_SCHEMA = """type: object
propertes: {name: {type: string}}
required: [nmae]
properties:
  title: {type: string, default: 5}
  kind: {enun: [a, b]}
  closed: {type: object, additionalProperties: false, required: [gone], properties: {here: {type: string}}}"""


def test_careless_specs_get_located_warnings_and_strict_makes_them_errors(tmp_path: Path) -> None:
    _write(tmp_path, {"spec.yaml": _webhook_with(CARELESS_SCHEMA)})
    # --verbose: each warning on its own line (the default groups a rule's findings into one counted line).
    relaxed = _run("generate", "spec.yaml", "--output", "out", "--package", "p", "--verbose", cwd=tmp_path)
    assert relaxed.returncode == 0, relaxed.stderr
    found = {
        (int(m["line"]), m["pointer"].removeprefix(SCHEMA_POINTER), m["message"])
        for m in _problems(relaxed.stderr)
        if m["line"]
    }
    assert {(line, pointer) for line, pointer, _ in found} >= {
        (11, "/propertes"),
        (12, "/required/0"),
        (14, "/properties/title/default"),
        (15, "/properties/kind/enun"),
        (16, "/properties/closed/required/0"),
    }
    messages = " | ".join(message for *_, message in found)
    for expected in (
        "did you mean 'properties'",
        "did you mean 'enum'",
        "'nmae' is not declared",
        "additionalProperties: false",
    ):
        assert expected in messages
    # The wrong-type default is left out of the model, so the package type-checks.
    assert "= 5" not in _models_source(tmp_path / "out" / "p")
    strict = _run("generate", "spec.yaml", "--output", "strict-out", "--strict", cwd=tmp_path)
    assert strict.returncode == 2
    assert not (tmp_path / "strict-out").exists()


def test_duplicate_operation_ids_warn_and_are_errors_under_strict(tmp_path: Path) -> None:
    text = _webhook_with("type: object").replace("    post:\n", "    post:\n      operationId: same\n", 1)
    text += "  other.thing:\n    post:\n      operationId: same\n      responses: {'200': {description: ok}}\n"
    text = text.replace("webhooks:\n", "webhooks:\n", 1)
    _write(tmp_path, {"spec.yaml": text.replace("components:", "")})
    relaxed = _run("generate", "spec.yaml", "--output", "out", "--package", "p", "--verbose", cwd=tmp_path)
    assert relaxed.returncode == 0, relaxed.stderr
    assert relaxed.stderr.count("operationId 'same' is used by 2 operations") == 2  # --verbose: each one
    strict = _run("generate", "spec.yaml", "--output", "strict-out", "--package", "p", "--strict", cwd=tmp_path)
    assert strict.returncode == 2
    assert strict.stderr.count("operationId 'same' is used by 2 operations") == 2


def test_a_discriminator_mapping_to_a_missing_schema_is_an_error(tmp_path: Path) -> None:
    schema = "oneOf: [{$ref: '#/components/schemas/Cat'}]\n"
    schema += "discriminator: {propertyName: t, mapping: {dog: '#/components/schemas/Dog', cat: Cat}}"
    components = "components:\n  schemas:\n    Cat: {type: object, properties: {t: {type: string}}, required: [t]}\n"
    _write(tmp_path, {"spec.yaml": _webhook_with(schema) + components})
    result = _run("generate", "spec.yaml", "--output", "out", cwd=tmp_path)
    [problem] = _fails_cleanly(result.stderr, result.returncode)
    assert problem["pointer"] == f"{SCHEMA_POINTER}/discriminator/mapping/dog"
    assert "does not exist" in problem["message"]


def test_a_discriminator_mapping_into_files_tags_with_the_mapping_values(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            "spec.yaml": _webhook_with("$ref: './Transaction.yaml'"),
            "Transaction.yaml": "oneOf:\n  - $ref: './Incoming.yaml'\n  - $ref: './Outgoing.yaml'\n"
            "discriminator:\n  propertyName: type\n  mapping:\n    INCOMING: './Incoming.yaml'\n"
            "    OUTGOING: './Outgoing.yaml'\n",
            "Incoming.yaml": "type: object\nrequired: [type, amount]\nproperties:\n  type: {type: string}\n"
            "  amount: {type: integer}\n",
            "Outgoing.yaml": "type: object\nrequired: [type, to]\nproperties:\n  type: {type: string}\n"
            "  to: {type: string}\n",
        },
    )
    result = _run("generate", "spec.yaml", "--output", "out", "--package", "p", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    check = (
        "import p.models as m\n"
        "assert type(m.Transaction.model_validate({'type': 'INCOMING', 'amount': 3}).root).__name__ == 'Incoming'\n"
        "assert type(m.Transaction.model_validate({'type': 'OUTGOING', 'to': 'x'}).root).__name__ == 'Outgoing'\n"
    )
    imported = subprocess.run(
        [sys.executable, "-c", check], cwd=tmp_path / "out", capture_output=True, text=True, check=False, timeout=60
    )
    assert imported.returncode == 0, imported.stderr


def test_every_declared_media_type_is_documented_and_the_unread_ones_are_answered_415(tmp_path: Path) -> None:
    text = _webhook_with("type: object\nproperties:\n  name: {type: string}")
    text = text.replace(
        "          application/json:\n",
        "          application/xml:\n            schema: {type: object}\n          application/json:\n",
    )
    _write(tmp_path, {"spec.yaml": text})
    result = _run("generate", "spec.yaml", "--output", "out", "--package", "p", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    [warning] = [m for m in _problems(result.stderr) if "415" in m["message"]]
    assert warning["pointer"] == "/webhooks/thing.happened/post/requestBody/content"
    assert "application/xml" in warning["message"]
    check = (
        "import p.webhooks, p.receivers\n"
        "from fastapi.testclient import TestClient\n"
        "content = p.webhooks.app.openapi()['webhooks']['thing.happened']['post']['requestBody']['content']\n"
        "assert list(content) == ['application/json', 'application/xml'], content\n"
        "class Handlers:\n"
        "    def thing_happened(self, payload):\n        raise AssertionError('the handler must not run')\n"
        "client = TestClient(p.receivers.create_app(Handlers(), secrets=['whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw']))\n"
        "xml = {'content-type': 'application/xml'}\n"
        "answer = client.post('/webhooks/thing.happened', content=b'<a/>', headers=xml)\n"
        "assert answer.status_code == 415, answer.text\n"
        "assert 'application/json' in answer.json()['detail'], answer.text\n"
    )
    checked = subprocess.run(
        [sys.executable, "-c", check], cwd=tmp_path / "out", capture_output=True, text=True, check=False, timeout=60
    )
    assert checked.returncode == 0, checked.stderr


def test_strict_findings_of_openapi_spec_validator_are_located(tmp_path: Path) -> None:
    components = "components:\n  schemas:\n    Flags:\n      type: object\n      properties:\n        flags:\n"
    components += "          type: array\n          minItems: 1\n          default: []\n"
    _write(tmp_path, {"spec.yaml": _webhook_with("$ref: '#/components/schemas/Flags'") + components})
    result = _run("generate", "spec.yaml", "--output", "out", "--strict", cwd=tmp_path)
    problems = _fails_cleanly(result.stderr, result.returncode)
    [finding] = [m for m in problems if "openapi-spec-validator" in m["message"]]
    assert (finding["pointer"], int(finding["line"])) == ("/components/schemas/Flags/properties/flags/default", 21)


def test_headers_reached_through_refs_across_files_are_declared(tmp_path: Path) -> None:
    body = "      requestBody:\n        content:\n          application/json:\n            schema: {type: object}\n"
    spec = GOOD_HEAD + "webhooks:\n  own:\n    post:\n      parameters:\n"
    spec += "        - $ref: './params.yaml#/Signature'\n        - $ref: '#/components/parameters/Local'\n"
    spec += body + "      responses: {'200': {description: ok}}\n"
    spec += "  shared:\n    $ref: './paths.yaml#/Shared'\n"
    spec += (
        "components:\n  parameters:\n    Local: {name: X-Local, in: header, required: true, schema: {type: string}}\n"
    )
    paths = "Shared:\n  parameters:\n    - $ref: './params.yaml#/Alias'\n  post:\n    parameters:\n"
    paths += "      - $ref: './params.yaml#/Signature'\n" + body.replace("      ", "    ", 1).replace(
        "\n      ", "\n    "
    )
    paths += "    responses: {'200': {description: ok}}\n"
    params = "Signature: {name: X-Signature, in: header, required: true, schema: {$ref: './types.yaml#/Sig'}}\n"
    params += "Alias: {$ref: '#/Timestamp'}\nTimestamp: {name: X-Timestamp, in: header, schema: {type: integer}}\n"
    _write(
        tmp_path, {"spec.yaml": spec, "paths.yaml": paths, "params.yaml": params, "types.yaml": "Sig: {type: string}\n"}
    )
    result = _run("generate", "spec.yaml", "--output", "out", "--package", "p", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    check = (
        "import json, p.webhooks\n"
        "doc = p.webhooks.app.openapi()['webhooks']\n"
        "print(json.dumps({k: sorted(x['name'] for x in v['post'].get('parameters', [])) for k, v in doc.items()}))\n"
    )
    listed = subprocess.run(
        [sys.executable, "-c", check], cwd=tmp_path / "out", capture_output=True, text=True, check=False, timeout=60
    )
    assert listed.returncode == 0, listed.stderr
    assert json.loads(listed.stdout) == {
        "own": ["X-Local", "X-Signature"],
        "shared": ["X-Signature", "X-Timestamp"],
    }


def _models_source(package: Path) -> str:
    """The source of every module of a generated package's `models`."""
    modules = sorted((package / "models").glob("*.py"))
    assert modules, package
    return "\n".join(path.read_text(encoding="utf-8") for path in modules)
