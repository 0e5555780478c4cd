"""`hookgen diff`: what changed in the webhooks between two versions of a spec, and how it affects consumers.

A webhook payload is sent by the provider and validated by its consumers, so it is judged like a response:
a consumer breaks when the provider may now send something the old spec (and the models generated from it)
refuses, or stops sending something the consumer relies on.

Rules, and the judgment calls behind them:

- breaking: a webhook or a method removed; a body media type removed; a property removed (a rename is a
  removal plus an addition; when exactly one added property reads like the removed one, the finding says
  "renamed to ...?"); a required property becomes optional; a value becomes nullable; a type changes or
  widens (`integer` -> `number`, a type added to a type list, a `type` dropped); a oneOf/anyOf gains a
  variant (the payload widens); a required header removed, or made optional; the signature scheme
  (`x-webhook-signature`, the operation's, else the document's) changes, since receivers then reject
  every delivery.
- potentially breaking: an enum gains a value (hookgen's models are closed enums, so consumers on the old
  models refuse it until they regenerate; consumers with open enums do not care); an enum or const is
  dropped; a property becomes required, or a new required property appears (consumers that upgrade before
  the provider refuse deliveries of the old shape still in flight, and retries last days); a constraint is
  loosened or changed (maxLength raised, a pattern or format changed or removed): the generated models
  enforce the old one, but many consumers do not validate constraints, so it is not certainly breaking;
  `additionalProperties: false` lifted.
- safe: a webhook, method, media type or header added; an optional header removed; an optional property
  added; an enum value removed; a type list narrowed (`number` -> `integer`); a constraint added or
  tightened; a description changed.

Schemas are compared by meaning: `$ref`s are followed (a component renamed is not a change) and `allOf`
branches folded into one view; properties, items, additionalProperties and oneOf/anyOf branches (by position,
when both sides have as many) are compared recursively. Each pair of schemas is compared once, so a finding in
a shared component is reported once, under the path it was first reached by, naming every webhook it affects.
Header names are compared without case, as HTTP does. Operation summaries and other annotations are not
compared: only schema descriptions are.

Each finding is placed in both versions (file:line: pointer); where one side has no such part (a property
removed), that side's place is the enclosing object, so the finding still points at a line.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from ...errors import Problem, SpecError, errors
from ...spec.bundle import bundle
from .base import mapped_roots, materialize, repository_root
from .changes import RULES, Change, Severity, Side
from .compare import diff
from .report import render_json, render_markdown, render_sarif, render_table

__all__ = ["RULES", "Change", "DiffResult", "Severity", "diff_against_ref", "diff_files", "load_side", "render"]


@dataclass(frozen=True)
class DiffResult:
    """The changes between two versions and how each version is named in reports."""

    changes: list[Change]
    old_label: str
    new_label: str

    def fails(self, fail_on: Severity) -> bool:
        """Whether a change at or above `fail_on` was found."""
        return any(item.severity.rank <= fail_on.rank for item in self.changes)


def load_side(path: Path, label: str, *, ref_roots: Sequence[Path] = (), rename: Callable[[str], str] = str) -> Side:
    """Bundle one version; SpecError (files named as the user knows them) when it cannot be compared."""
    bundled, problems = bundle(path, ref_roots=ref_roots)
    problems = [replace(problem, file=rename(problem.file)) for problem in problems]
    if bundled is None or errors(problems):
        raise SpecError(errors(problems) or problems)
    if not isinstance(bundled.document.get("webhooks"), dict):
        raise SpecError([Problem(rename(bundled.root.name), 1, "/", "no `webhooks` map: nothing to compare")])
    return Side(bundled, label, rename)


def diff_files(old: Path, new: Path, *, ref_roots: Sequence[Path] = ()) -> DiffResult:
    """Compare two spec files (each with the files its `$ref`s reach)."""
    before, after = load_side(old, "old", ref_roots=ref_roots), load_side(new, "new", ref_roots=ref_roots)
    return DiffResult(diff(before, after), "old", "new")


def diff_against_ref(spec: Path, ref: str, *, ref_roots: Sequence[Path] = ()) -> DiffResult:
    """Compare the spec as it was at a git ref (old) with the working tree (new)."""
    with tempfile.TemporaryDirectory(prefix="hookgen-diff-") as folder:
        into = Path(folder)
        old_spec, rename = materialize(spec, ref, into)
        roots = mapped_roots(tuple(ref_roots), repository_root(spec.resolve()), into)
        before = load_side(old_spec, ref, ref_roots=roots, rename=rename)
        after = load_side(spec, "working tree", ref_roots=ref_roots)
        return DiffResult(diff(before, after), ref, "working tree")


def render(result: DiffResult, form: str) -> str:
    """The report in one of: table, json, sarif, markdown."""
    if form == "json":
        return render_json(result.changes)
    if form == "sarif":
        return render_sarif(result.changes, result.old_label)
    if form == "markdown":
        return render_markdown(result.changes, result.old_label, result.new_label)
    return render_table(result.changes, result.old_label, result.new_label)
