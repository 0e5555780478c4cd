"""The reports `hookgen diff` prints: a table, JSON, SARIF 2.1.0 (GitHub code scanning) and Markdown."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from typing import Any

from ... import __version__
from .changes import RULES, Change, Place, Severity

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_SARIF_LEVEL = {Severity.BREAKING: "error", Severity.POTENTIAL: "warning", Severity.SAFE: "note"}
_SHOWN_WEBHOOKS = 3


def summary(changes: Sequence[Change]) -> str:
    """`2 breaking, 1 potentially breaking, 5 safe`."""
    counts = Counter(item.severity for item in changes)
    return ", ".join(f"{counts[severity]} {severity.title}" for severity in Severity)


def webhooks_text(item: Change) -> str:
    """The webhooks a change affects, the first few named."""
    names = list(item.webhooks[:_SHOWN_WEBHOOKS])
    more = len(item.webhooks) - len(names)
    return ", ".join(names) + (f" (+{more} more)" if more else "")


def _place(place: Place | None) -> str:
    return place.render() if place is not None else "-"


def render_table(changes: Sequence[Change], old_label: str, new_label: str) -> str:
    """The readable report: one block per change, worst first, and a summary line."""
    lines = []
    for item in changes:
        lines.append(f"{item.severity.title.upper():<21} {item.rule:<30} {webhooks_text(item)}")
        lines.append(f"    {item.message}")
        lines.append(f"    {old_label}: {_place(item.old)}")
        lines.append(f"    {new_label}: {_place(item.new)}")
    lines.append(f"hookgen diff: {summary(changes) if changes else 'no changes to the webhooks'}")
    return "\n".join(lines)


def _place_json(place: Place | None) -> dict[str, Any] | None:
    return None if place is None else {"file": place.file, "line": place.line, "pointer": place.pointer}


def render_json(changes: Sequence[Change]) -> str:
    """Every change as JSON, with counts per severity."""
    counts = Counter(item.severity.value for item in changes)
    document = {
        "summary": {severity.value: counts[severity.value] for severity in Severity},
        "changes": [
            {
                "severity": item.severity.value,
                "rule": item.rule,
                "message": item.message,
                "webhooks": list(item.webhooks),
                "old": _place_json(item.old),
                "new": _place_json(item.new),
            }
            for item in changes
        ],
    }
    return json.dumps(document, indent=2)


def _location(place: Place, text: str | None = None) -> dict[str, Any]:
    physical: dict[str, Any] = {"artifactLocation": {"uri": place.file.replace("\\", "/")}}
    if place.line is not None:
        physical["region"] = {"startLine": place.line}
    location: dict[str, Any] = {"physicalLocation": physical}
    if text is not None:
        location["message"] = {"text": text}
    return location


def _sarif_result(item: Change, old_label: str) -> dict[str, Any]:
    # The new version is what a pull request changes, so a change sits there; a removal sits where it was removed.
    main = item.new or item.old
    assert main is not None
    result: dict[str, Any] = {
        "ruleId": item.rule,
        "level": _SARIF_LEVEL[item.severity],
        "message": {"text": f"{item.message} [{item.severity.title}; webhooks: {webhooks_text(item)}]"},
        "locations": [_location(main)],
    }
    if item.old is not None and item.new is not None:
        result["relatedLocations"] = [{"id": 1, **_location(item.old, f"in {old_label}")}]
    return result


def render_sarif(changes: Sequence[Change], old_label: str) -> str:
    """SARIF 2.1.0, as GitHub code scanning reads it: one result per change."""
    rules = [
        {
            "id": rule,
            "shortDescription": {"text": text},
            "defaultConfiguration": {"level": _SARIF_LEVEL[severity]},
            "properties": {"severity": severity.value},
        }
        for rule, (severity, text) in RULES.items()
    ]
    run = {
        "tool": {"driver": {"name": "hookgen diff", "version": __version__, "rules": rules}},
        "results": [_sarif_result(item, old_label) for item in changes],
    }
    return json.dumps({"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}, indent=2)


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _md_rows(changes: Sequence[Change]) -> list[str]:
    rows = ["| rule | webhooks | change | where |", "|---|---|---|---|"]
    for item in changes:
        where = _place(item.new or item.old)
        rows.append(f"| `{item.rule}` | {_md(webhooks_text(item))} | {_md(item.message)} | `{_md(where)}` |")
    return rows


def render_markdown(changes: Sequence[Change], old_label: str, new_label: str) -> str:
    """A pull-request comment: a summary, tables of breaking and potentially breaking changes, safe ones folded."""
    lines = [f"### hookgen diff: `{_md(old_label)}` → `{_md(new_label)}`", "", summary(changes) + ".", ""]
    for severity in Severity:
        chosen = [item for item in changes if item.severity is severity]
        if not chosen:
            continue
        if severity is Severity.SAFE:
            lines += [
                f"<details><summary>{len(chosen)} safe changes</summary>",
                "",
                *_md_rows(chosen),
                "",
                "</details>",
            ]
        else:
            lines += [f"#### {severity.title.capitalize()} ({len(chosen)})", "", *_md_rows(chosen), ""]
    return "\n".join(lines).rstrip() + "\n"
