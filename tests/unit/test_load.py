"""Loading one spec file: YAML read as JSON would be, the line of any pointer, and why a file cannot be read."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from generator.spec.load import FileSet, SourceFile, load_file

from .conftest import WriteFiles

YAML_TEXT = """\
openapi: 3.1.0
info:
  title: T
  version: 2024-10-01
webhooks:
  a/b:
    post:
      requestBody:
        content:
          application/json:
            schema:
              type: object
      responses:
        200:
          description: ok
tags:
  - name: first
  - name: second
"""


def load(path: Path) -> SourceFile:
    source, problems = load_file(path)
    assert problems == []
    assert source is not None
    return source


def test_yaml_keeps_dates_as_text_and_status_codes_as_string_keys(write: WriteFiles) -> None:
    data = load(write({"openapi.yaml": YAML_TEXT})).data
    assert data["info"]["version"] == "2024-10-01"
    assert list(data["webhooks"]["a/b"]["post"]["responses"]) == ["200"]


@pytest.mark.parametrize(
    ("pointer", "line"),
    [
        ("", 1),
        ("/info/version", 4),
        ("/webhooks/a~1b/post", 8),  # a block mapping starts at its first key
        ("/webhooks/a~1b/post/requestBody/content/application~1json/schema/type", 12),
        ("/webhooks/a~1b/post/responses/200", 15),
        ("/tags/1", 18),
        ("/tags/1/name", 18),
        # Where the pointer leaves the file, the line of the last value found.
        ("/webhooks/a~1b/post/missing/deeper", 8),
        ("/tags/7", 17),
        ("/tags/\u00b2", 17),  # a digit to str.isdigit, not an index
    ],
)
def test_line_of_a_pointer_in_yaml(write: WriteFiles, pointer: str, line: int) -> None:
    assert load(write({"openapi.yaml": YAML_TEXT})).line(pointer) == line


def test_line_of_a_pointer_in_json(write: WriteFiles) -> None:
    source = load(write({"openapi.json": {"openapi": "3.1.0", "webhooks": {"a": {"post": {"summary": "s"}}}}}))
    line = source.line("/webhooks/a/post/summary")
    assert line is not None
    assert source.text.splitlines()[line - 1].strip() == '"summary": "s"'


JSON_TEXT = """\
{"openapi": "3.1.0", "webhooks": {
  "a/b": {"post": {
    "summary": "with \\"quotes\\" and a \\u00e9, {not a map}",
    "tags": [
      {"name": "first"},
      [1, 2, {"x": null}],
      "third"]},
    "~odd": true},
  "a/b": {"late": 1}},
  "after":
    [true, false]
}
"""


@pytest.mark.parametrize(
    ("pointer", "line"),
    [
        ("", 1),
        ("/webhooks", 1),
        ("/webhooks/a~1b/post", 2),
        ("/webhooks/a~1b/post/summary", 3),
        ("/webhooks/a~1b/post/tags/1/2/x", 6),
        ("/webhooks/a~1b/post/tags/2", 7),
        ("/webhooks/a~1b/~0odd", 8),
        ("/after/1", 11),
        # Where the pointer leaves the file, the line of the last value found.
        ("/webhooks/a~1b/post/tags/9", 4),
        ("/webhooks/a~1b/post/tags/\u00b2", 4),
        ("/after/1/deeper", 11),
    ],
)
def test_json_lines_are_found_without_yaml_and_agree_with_it(
    monkeypatch: pytest.MonkeyPatch, pointer: str, line: int
) -> None:
    # A key written twice is refused by load_file; SourceFile itself finds the first, as YAML composing does.
    as_json = SourceFile(path=Path("spec.json"), data=None, text=JSON_TEXT)
    as_yaml = SourceFile(path=Path("spec.yaml"), data=None, text=JSON_TEXT)
    with monkeypatch.context() as patched:  # composing a 4.7 MB JSON spec as YAML took seconds
        patched.setattr(yaml, "compose", lambda *_, **__: pytest.fail("a JSON file was composed as YAML"))
        assert as_json.line(pointer) == line
    assert as_yaml.line(pointer) == line


def test_a_problem_names_the_file_relative_to_the_working_folder(write: WriteFiles) -> None:
    _, problems = load_file(write({"specs/missing.yaml": "x: 1"}).parent / "absent.yaml")
    assert problems[0].file == "specs/absent.yaml"


@pytest.mark.parametrize(
    ("files", "message", "line"),
    [
        ({"spec.yaml": "\n   \n"}, "file is empty", 1),
        ({"spec.yaml": "openapi: 3.1.0\ninfo: {title: T\nwebhooks: {}\n"}, "invalid YAML", 3),
        ({"spec.json": '{"openapi": "3.1.0",\n "info": {,\n}'}, "invalid JSON", 2),
    ],
)
def test_unparsable_files_give_a_located_problem(
    write: WriteFiles, files: dict[str, str], message: str, line: int
) -> None:
    source, problems = load_file(write(files))
    assert source is None
    assert [(p.file, p.line) for p in problems] == [(next(iter(files)), line)]
    assert problems[0].message.startswith(message)


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("absent.yaml", "file does not exist"),
        ("folder", "is a folder, not a spec file"),
        ("latin1.yaml", "cannot be read: 'utf-8' codec can't decode"),
    ],
)
def test_files_that_cannot_be_read(write: WriteFiles, tmp_path: Path, name: str, message: str) -> None:
    write({"folder/x.yaml": "a: 1"})
    (tmp_path / "latin1.yaml").write_bytes(b"title: caf\xe9\n")
    source, problems = load_file(tmp_path / name)
    assert source is None
    assert [(p.file, p.line) for p in problems] == [(name, None)]
    assert problems[0].message.startswith(message)


def test_file_set_loads_each_file_once(write: WriteFiles, tmp_path: Path) -> None:
    write({"a.yaml": "x: 1", "sub/b.yaml": "y: 2"})
    files = FileSet()
    first, _ = files.load(tmp_path / "a.yaml")
    again, _ = files.load(tmp_path / "sub" / ".." / "a.yaml")
    assert first is not None
    assert again is first
    missing, problems = files.load(tmp_path / "nowhere.yaml")
    assert missing is None
    assert problems[0].message == "file does not exist"
    assert [source.path.name for source in files] == ["a.yaml"]  # loaded files only, not missing ones
