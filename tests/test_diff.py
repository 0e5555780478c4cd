"""`hookgen diff`: every rule on hand-made pairs, every format, the exit codes, `--base` on a real git repository,
and consecutive GitHub Enterprise Server versions from npm."""

from __future__ import annotations

import copy
import json
import shutil
import subprocess
import tarfile
from pathlib import Path
from typing import Any

import pytest

from generator.commands.cli import main
from generator.commands.diff import RULES, diff_files

OBJECT: dict[str, Any] = {
    "type": "object",
    "required": ["id", "status"],
    "properties": {
        "id": {"type": "integer", "description": "The id."},
        "status": {"type": "string", "enum": ["open", "closed"]},
        "name": {"type": "string", "maxLength": 50},
        "tags": {"type": "array", "items": {"type": "string"}},
    },
}


def make_spec(schema: dict[str, Any] | None = None, **changes: Any) -> dict[str, Any]:
    """A one-webhook spec whose body is `#/components/schemas/Thing`; keyword arguments edit it."""
    operation: dict[str, Any] = {
        "parameters": [
            {"name": "X-Event", "in": "header", "required": True, "schema": {"type": "string"}},
            {"name": "X-Trace", "in": "header", "schema": {"type": "string"}},
        ],
        "requestBody": {
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}},
        },
        "responses": {"200": {"description": "ok"}},
    }
    document: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": {"title": "T", "version": "1"},
        "x-webhook-signature": {"scheme": "standard-webhooks"},
        "webhooks": {"thing.happened": {"post": operation}},
        "components": {"schemas": {"Thing": copy.deepcopy(schema or OBJECT)}},
    }
    for edit in changes.values():
        edit(document)
    return document


def thing(document: dict[str, Any]) -> dict[str, Any]:
    return document["components"]["schemas"]["Thing"]


def write(folder: Path, name: str, document: dict[str, Any]) -> Path:
    path = folder / name
    path.write_text(json.dumps(document, indent=2), encoding="utf-8")
    return path


def rules_between(tmp_path: Path, old: dict[str, Any], new: dict[str, Any]) -> dict[str, str]:
    result = diff_files(write(tmp_path, "old.json", old), write(tmp_path, "new.json", new))
    return {item.rule: item.message for item in result.changes}


def _edit(function: Any) -> dict[str, Any]:
    new = make_spec()
    function(new)
    return new


CASES: dict[str, tuple[Any, str]] = {
    # name: (edit of the new version, the rule it must produce)
    "webhook removed": (
        lambda d: d["webhooks"].pop("thing.happened") and d["webhooks"].update(other={}),
        "webhook-removed",
    ),
    "method removed": (
        lambda d: d["webhooks"]["thing.happened"].update(put=d["webhooks"]["thing.happened"].pop("post")),
        "method-removed",
    ),
    "webhook added": (lambda d: d["webhooks"].update(second=d["webhooks"]["thing.happened"]), "webhook-added"),
    "property removed": (lambda d: thing(d)["properties"].pop("name"), "property-removed"),
    "required becomes optional": (lambda d: thing(d)["required"].remove("status"), "property-optional"),
    "becomes nullable": (lambda d: thing(d)["properties"]["id"].update(type=["integer", "null"]), "became-nullable"),
    "integer to number": (lambda d: thing(d)["properties"]["id"].update(type="number"), "type-changed"),
    "type added to a list": (
        lambda d: thing(d)["properties"]["name"].update(type=["string", "integer"]),
        "type-changed",
    ),
    "item type changes": (lambda d: thing(d)["properties"]["tags"]["items"].update(type="integer"), "type-changed"),
    "required header removed": (
        lambda d: d["webhooks"]["thing.happened"]["post"]["parameters"].pop(0),
        "required-header-removed",
    ),
    "optional header removed": (
        lambda d: d["webhooks"]["thing.happened"]["post"]["parameters"].pop(1),
        "header-removed",
    ),
    "root signature changes": (lambda d: d.update({"x-webhook-signature": {"scheme": "github"}}), "signature-changed"),
    "operation signature added": (
        lambda d: d["webhooks"]["thing.happened"]["post"].update({"x-webhook-signature": {"scheme": "stripe"}}),
        "signature-changed",
    ),
    "enum value added": (lambda d: thing(d)["properties"]["status"]["enum"].append("merged"), "enum-value-added"),
    "becomes required": (lambda d: thing(d)["required"].append("name"), "property-required"),
    "new required property": (
        lambda d: (thing(d)["properties"].update(kind={"type": "string"}), thing(d)["required"].append("kind")),
        "required-property-added",
    ),
    "optional property added": (lambda d: thing(d)["properties"].update(note={"type": "string"}), "property-added"),
    "enum value removed": (lambda d: thing(d)["properties"]["status"]["enum"].remove("closed"), "enum-value-removed"),
    "maxLength lowered": (lambda d: thing(d)["properties"]["name"].update(maxLength=20), "constraint-tightened"),
    "maxLength raised": (lambda d: thing(d)["properties"]["name"].update(maxLength=80), "constraint-loosened"),
    "description changed": (lambda d: thing(d)["properties"]["id"].update(description="Other."), "description-changed"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_each_rule(tmp_path: Path, name: str) -> None:
    edit, rule = CASES[name]
    found = rules_between(tmp_path, make_spec(), _edit(edit))
    assert rule in found, found


def test_no_change_is_no_finding(tmp_path: Path) -> None:
    assert rules_between(tmp_path, make_spec(), make_spec()) == {}


def test_enum_finding_says_hookgen_models_are_closed(tmp_path: Path) -> None:
    found = rules_between(tmp_path, make_spec(), _edit(CASES["enum value added"][0]))
    assert "closed enums" in found["enum-value-added"]


def test_rename_is_breaking_and_named(tmp_path: Path) -> None:
    def rename(d: dict[str, Any]) -> None:
        thing(d)["properties"]["title"] = thing(d)["properties"].pop("name")

    found = rules_between(tmp_path, make_spec(), _edit(rename))
    assert "renamed to `title`" in found["property-removed"]


def test_component_renamed_is_not_a_change(tmp_path: Path) -> None:
    def rename(d: dict[str, Any]) -> None:
        d["components"]["schemas"]["Renamed"] = d["components"]["schemas"].pop("Thing")
        body = d["webhooks"]["thing.happened"]["post"]["requestBody"]["content"]["application/json"]
        body["schema"]["$ref"] = "#/components/schemas/Renamed"

    assert rules_between(tmp_path, make_spec(), _edit(rename)) == {}


def test_allof_split_is_not_a_change(tmp_path: Path) -> None:
    def split(d: dict[str, Any]) -> None:
        whole = thing(d)
        name = whole["properties"].pop("name")
        d["components"]["schemas"]["Named"] = {"type": "object", "properties": {"name": name}}
        d["components"]["schemas"]["Thing"] = {"allOf": [whole, {"$ref": "#/components/schemas/Named"}]}

    assert rules_between(tmp_path, make_spec(), _edit(split)) == {}


def test_recursive_schema_terminates_and_finds_nested_change(tmp_path: Path) -> None:
    tree = {
        "type": "object",
        "properties": {
            "label": {"type": "string"},
            "children": {"type": "array", "items": {"$ref": "#/components/schemas/Thing"}},
        },
    }
    new = make_spec(tree)
    thing(new)["properties"]["label"]["type"] = "integer"
    found = rules_between(tmp_path, make_spec(tree), new)
    assert "type-changed" in found


def test_findings_across_files_are_placed_in_their_file(tmp_path: Path) -> None:
    for side, max_length in (("old", 50), ("new", 10)):
        folder = tmp_path / side
        folder.mkdir()
        document = make_spec()
        document["components"]["schemas"]["Thing"] = {"$ref": "./thing.json"}
        schema = copy.deepcopy(OBJECT)
        schema["properties"]["name"]["maxLength"] = max_length
        write(folder, "thing.json", schema)
        write(folder, "spec.json", document)
    result = diff_files(tmp_path / "old" / "spec.json", tmp_path / "new" / "spec.json")
    [tightened] = result.changes
    assert tightened.rule == "constraint-tightened"
    assert tightened.new is not None and tightened.new.file.endswith("new/thing.json")
    assert tightened.new.pointer == "/properties/name" and tightened.new.line is not None


def test_every_rule_has_a_known_severity() -> None:
    assert {severity.value for severity, _ in RULES.values()} == {"breaking", "potential", "safe"}


# Formats and exit codes, through the command line.


def run(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, str, str]:
    code = main([str(arg) for arg in args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def pair(tmp_path: Path) -> tuple[Path, Path]:
    def edit(d: dict[str, Any]) -> None:
        thing(d)["properties"].pop("name")  # breaking
        thing(d)["properties"]["status"]["enum"].append("merged")  # potential
        thing(d)["properties"]["id"]["description"] = "Other."  # safe

    return write(tmp_path, "old.json", make_spec()), write(tmp_path, "new.json", _edit(edit))


def test_table(capsys: pytest.CaptureFixture[str], pair: tuple[Path, Path]) -> None:
    code, out, _ = run(capsys, "diff", *pair)
    assert code == 1
    assert "BREAKING" in out and "property-removed" in out and "old.json:" in out
    assert out.strip().endswith("1 breaking, 1 potentially breaking, 1 safe")


def test_json(capsys: pytest.CaptureFixture[str], pair: tuple[Path, Path]) -> None:
    code, out, _ = run(capsys, "diff", *pair, "--format", "json")
    report = json.loads(out)
    assert code == 1
    assert report["summary"] == {"breaking": 1, "potential": 1, "safe": 1}
    removed = next(item for item in report["changes"] if item["rule"] == "property-removed")
    assert removed["webhooks"] == ["thing.happened"]
    assert removed["old"]["pointer"] == "/components/schemas/Thing/properties/name" and removed["old"]["line"] > 1
    assert removed["new"]["pointer"] == "/components/schemas/Thing"


def test_sarif_is_structurally_valid(capsys: pytest.CaptureFixture[str], pair: tuple[Path, Path]) -> None:
    _, out, _ = run(capsys, "diff", *pair, "--format", "sarif")
    sarif = json.loads(out)
    assert sarif["version"] == "2.1.0" and sarif["$schema"].endswith("sarif-2.1.0.json")
    [run_] = sarif["runs"]
    rule_ids = {rule["id"] for rule in run_["tool"]["driver"]["rules"]}
    assert run_["tool"]["driver"]["name"]
    assert len(run_["results"]) == 3
    for result in run_["results"]:
        assert result["ruleId"] in rule_ids
        assert result["level"] in {"error", "warning", "note"}
        assert result["message"]["text"]
        physical = result["locations"][0]["physicalLocation"]
        assert physical["artifactLocation"]["uri"].endswith(".json")
        assert isinstance(physical["region"]["startLine"], int) and physical["region"]["startLine"] >= 1
    levels = sorted(result["level"] for result in run_["results"])
    assert levels == ["error", "note", "warning"]


def test_markdown(capsys: pytest.CaptureFixture[str], pair: tuple[Path, Path]) -> None:
    _, out, _ = run(capsys, "diff", *pair, "--format", "markdown")
    assert out.startswith("### hookgen diff")
    assert "#### Breaking (1)" in out and "#### Potentially breaking (1)" in out
    assert "<details><summary>1 safe changes</summary>" in out and "| `property-removed` |" in out


def test_exit_codes(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    old = write(tmp_path, "old.json", make_spec())
    potential = write(tmp_path, "potential.json", _edit(CASES["enum value added"][0]))
    safe = write(tmp_path, "safe.json", _edit(CASES["optional property added"][0]))
    assert run(capsys, "diff", old, old)[0] == 0
    assert run(capsys, "diff", old, safe, "--fail-on", "potential")[0] == 0
    assert run(capsys, "diff", old, potential)[0] == 0
    assert run(capsys, "diff", old, potential, "--fail-on", "potential")[0] == 1


def test_bad_input_exits_2_without_traceback(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    old = write(tmp_path, "old.json", make_spec())
    broken = tmp_path / "broken.json"
    broken.write_text('{"openapi": ', encoding="utf-8")
    code, _, err = run(capsys, "diff", old, broken)
    assert code == 2 and "broken.json" in err and "Traceback" not in err
    code, _, err = run(capsys, "diff", old, tmp_path / "missing.json")
    assert code == 2 and "missing.json" in err
    code, _, err = run(capsys, "diff", old)
    assert code == 2 and "OLD and NEW" in err


# --base against a real git repository.


def git(folder: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=folder, check=True, capture_output=True)


@pytest.fixture
def repository(tmp_path: Path) -> Path:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    repo = tmp_path / "repo"
    (repo / "spec").mkdir(parents=True)
    document = make_spec()
    document["components"]["schemas"]["Thing"] = {"$ref": "./thing.json"}
    write(repo / "spec", "spec.json", document)
    write(repo / "spec", "thing.json", OBJECT)
    git(repo, "init", "-q")
    git(repo, "add", ".")
    git(repo, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "spec")
    return repo


def test_base_follows_refs_at_the_git_ref(
    capsys: pytest.CaptureFixture[str], repository: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    changed = copy.deepcopy(OBJECT)
    changed["properties"].pop("name")
    write(repository / "spec", "thing.json", changed)
    monkeypatch.chdir(repository)
    code, out, _ = run(capsys, "diff", "spec/spec.json", "--base", "HEAD", "--format", "json")
    [removed] = json.loads(out)["changes"]
    assert code == 1 and removed["rule"] == "property-removed"
    assert removed["old"]["file"] == "spec/thing.json"  # named as in the repository, not the temporary copy
    assert (
        run(capsys, "diff", "spec/spec.json", "--base", "HEAD", "--format", "table")[1].count("HEAD: spec/thing.json")
        == 1
    )


def test_base_unchanged_and_bad_ref(
    capsys: pytest.CaptureFixture[str], repository: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(repository)
    assert run(capsys, "diff", "spec/spec.json", "--base", "HEAD")[0] == 0
    code, _, err = run(capsys, "diff", "spec/spec.json", "--base", "no-such-ref")
    assert code == 2 and "git rev-parse failed" in err


# Real version pairs: GitHub Enterprise Server webhooks from @octokit/openapi-webhooks.

GHES_CACHE = Path(__file__).resolve().parent.parent / ".hookgen-cache" / "octokit-openapi-webhooks"


def ghes_specs() -> Path:
    folder = GHES_CACHE / "package" / "generated"
    if (folder / "ghes-3.15.json").is_file():
        return folder
    if shutil.which("npm") is None:
        pytest.skip("npm is not installed: cannot fetch @octokit/openapi-webhooks")
    GHES_CACHE.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        ["npm", "pack", "@octokit/openapi-webhooks", "--pack-destination", str(GHES_CACHE)],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    tarballs = sorted(GHES_CACHE.glob("octokit-openapi-webhooks-*.tgz"))
    if done.returncode != 0 or not tarballs:
        pytest.skip(f"npm pack @octokit/openapi-webhooks failed: {done.stderr.strip()[-200:]}")
    with tarfile.open(tarballs[-1]) as archive:
        archive.extractall(GHES_CACHE, filter="data")
    return folder


def test_consecutive_ghes_versions() -> None:
    folder = ghes_specs()
    result = diff_files(folder / "ghes-3.14.json", folder / "ghes-3.15.json")
    found = {(item.rule, item.message.split(":")[0]) for item in result.changes}
    # Checked by hand: 3.15 adds two rule variants to repository-rule's oneOf, and makes
    # lock_branch_enforcement_level a new required property of webhooks_rule.
    assert ("variant-added", "`payload.repository_ruleset.rules[]`") in found
    assert ("required-property-added", "new required property `payload.rule.lock_branch_enforcement_level`") in found
    assert all(item.old is not None and item.new is not None for item in result.changes)
