"""Problems as values, how a user reads them, and the one error root."""

from __future__ import annotations

import pytest

from generator.errors import ConfigError, HookgenError, Level, OutputError, Problem, SpecError, errors, raise_on_errors

ERROR = Problem("spec/openapi.yaml", 14, "/webhooks/a~1b/post", "$ref does not resolve: #/x")
WARNING = Problem("spec/schemas/billing.yaml", 3, "/Money", "duplicate required", Level.WARNING)


@pytest.mark.parametrize(
    ("problem", "line"),
    [
        (ERROR, "spec/openapi.yaml:14: /webhooks/a~1b/post: $ref does not resolve: #/x"),
        (WARNING, "spec/schemas/billing.yaml:3: /Money: warning: duplicate required"),
        (Problem("missing.yaml", None, "", "file does not exist"), "missing.yaml: /: file does not exist"),
    ],
)
def test_render(problem: Problem, line: str) -> None:
    assert problem.render() == line


def test_problems_are_errors_by_default_and_hashable() -> None:
    assert ERROR.level is Level.ERROR
    assert len({ERROR, Problem(ERROR.file, ERROR.line, ERROR.pointer, ERROR.message), WARNING}) == 2


def test_problems_sort_by_file_then_line() -> None:
    later = Problem("a.yaml", 20, "/a", "m")
    earlier = Problem("a.yaml", 3, "/z", "m")
    other_file = Problem("b.yaml", 1, "/", "m")
    assert sorted([other_file, later, earlier]) == [earlier, later, other_file]


def test_errors_keeps_only_errors() -> None:
    assert errors([WARNING, ERROR, WARNING]) == [ERROR]


def test_raise_on_errors_ignores_warnings_alone() -> None:
    raise_on_errors([WARNING])
    raise_on_errors([])


def test_raise_on_errors_carries_every_problem_warnings_too() -> None:
    with pytest.raises(SpecError) as raised:
        raise_on_errors([WARNING, ERROR])
    assert raised.value.problems == [WARNING, ERROR]
    assert raised.value.lines() == [WARNING.render(), ERROR.render()]
    assert str(raised.value) == f"{WARNING.render()}\n{ERROR.render()}"


def test_a_plain_message_is_one_line() -> None:
    error = ConfigError("unknown key `spek` in [tool.hookgen]")
    assert error.problems == []
    assert error.lines() == ["hookgen: error: unknown key `spek` in [tool.hookgen]"]
    assert str(error) == "hookgen: error: unknown key `spek` in [tool.hookgen]"


@pytest.mark.parametrize("kind", [SpecError, ConfigError, OutputError])
def test_every_error_is_caught_by_the_root(kind: type[HookgenError]) -> None:
    with pytest.raises(HookgenError):
        raise kind("x")
    assert not issubclass(kind, (ValueError, KeyError, OSError))
