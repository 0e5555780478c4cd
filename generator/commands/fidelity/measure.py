"""Differential testing of generated models against the source schemas: `hookgen fidelity`.

For each webhook, payloads are drawn from the source schema (plus the spec's own examples) and
simple mutations are made of them. Each payload is judged twice: by the source schema (JSON Schema
2020-12 through `$ref`s, asserting exactly the formats the models assert) and by the generated
model. Every disagreement is counted; the first of each kind is kept as an example.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import jsonschema
import pydantic

from ...errors import Problem
from ...ir import Webhook
from ...models.deviations import documented_webhooks
from ...pipeline import Generated, generate
from ...progress import stage
from ...runtime._contract import format_checker
from ...spec import pointers
from ...spec.load import display_path
from ..imported import import_generated
from .judge import body_examples, source_validator, webhooks_with_bodies
from .mutations import cause, mutations
from .payloads import draw_payloads

REFUSED_VALID = "refused-but-valid"
VALID_PAYLOAD = "valid payload"
ACCEPTED_INVALID = "accepted-but-invalid"
MAX_MUTATIONS_PER_PAYLOAD = 200


@dataclass(frozen=True)
class Disagreement:
    """One payload the model and the schema judge differently."""

    kind: str
    what: str
    payload: Any
    cause: str = VALID_PAYLOAD  # the kind of mutation that made it (mutations.cause); a refused valid payload's own


@dataclass(frozen=True)
class WebhookFidelity:
    """How one webhook's model fared against its schema."""

    key: str
    payloads: int  # valid payloads judged (examples and drawn)
    mutations: int  # mutated payloads the schema rejects, judged
    refused_valid: int
    accepted_invalid: int
    first: tuple[Disagreement, ...]  # the first disagreement of each kind
    by_cause: tuple[tuple[str, int], ...]  # disagreements counted by cause, in name order
    drawn_all: bool  # False when the time budget ended before the generator did
    judged_all: bool  # False when the time budget ended before every payload was judged
    seconds: float
    documented: bool  # a deviation warning names this webhook

    @property
    def disagreements(self) -> int:
        """Payloads judged differently, of both kinds."""
        return self.refused_valid + self.accepted_invalid


@dataclass(frozen=True)
class FidelityReport:
    """The verdicts on every webhook of a spec."""

    spec: str
    asserted_formats: tuple[str, ...]
    webhooks: tuple[WebhookFidelity, ...]

    def undocumented(self) -> list[WebhookFidelity]:
        """Webhooks that disagree where no deviation warning says they may."""
        return [w for w in self.webhooks if w.disagreements and not w.documented]

    def summary(self) -> str:
        """One line: totals, and what the budget did not reach."""
        payloads = sum(w.payloads for w in self.webhooks)
        mutated = sum(w.mutations for w in self.webhooks)
        refused = sum(w.refused_valid for w in self.webhooks)
        accepted = sum(w.accepted_invalid for w in self.webhooks)
        cut = [w.key for w in self.webhooks if not (w.drawn_all and w.judged_all)]
        parts = [
            f"{len(self.webhooks)} webhooks",
            f"{payloads} valid payloads",
            f"{mutated} invalid mutations",
            f"{refused} refused-but-valid",
            f"{accepted} accepted-but-invalid",
            f"{len(self.undocumented())} webhooks disagree without a documented deviation",
        ]
        if cut:
            parts.append(f"time budget ended before all payloads were drawn or judged on {len(cut)}")
        return "fidelity: " + ", ".join(parts)

    def by_cause(self) -> dict[str, tuple[int, int, int]]:
        """Cause -> (disagreements, webhooks with one, of which documented by a deviation warning), in name order."""
        table: dict[str, tuple[int, int, int]] = {}
        for webhook in self.webhooks:
            for name, count in webhook.by_cause:
                total, webhooks, documented = table.get(name, (0, 0, 0))
                table[name] = (total + count, webhooks + 1, documented + webhook.documented)
        return dict(sorted(table.items()))

    def as_json(self) -> dict[str, Any]:
        """The report as JSON values."""
        causes = {
            name: dict(zip(("disagreements", "webhooks", "documented"), row, strict=True))
            for name, row in self.by_cause().items()
        }
        return {**asdict(self), "by_cause": causes, "summary": self.summary()}


def judge(document: dict[str, Any], pointer: str, asserted_formats: frozenset[str]) -> jsonschema.Validator:
    """The source schema's validator, asserting the formats the models assert and no others."""
    checker = format_checker(sorted(asserted_formats))
    return source_validator(document, pointer, format_checker=checker)


def measure_webhook(
    generated: Generated, webhook: Webhook, model: Any, *, count: int, seconds: float
) -> WebhookFidelity:
    """Draw, mutate and judge the payloads of one webhook."""
    assert webhook.body is not None
    started = time.monotonic()
    document, pointer = generated.document, webhook.body.schema_pointer
    schema = pointers.resolve(document, pointer)
    drawn = draw_payloads(document, schema, count=count, seconds=seconds)
    validator = judge(document, pointer, generated.asserted_formats)
    tally = _Tally()
    # Judging gets a budget of its own: one mutation of a large payload can take milliseconds to validate.
    deadline = time.monotonic() + seconds
    judged_all = True
    for payload in [*body_examples(document, webhook), *drawn.payloads]:
        if time.monotonic() > deadline:
            judged_all = False
            break
        if not validator.is_valid(payload):
            continue
        tally.payloads += 1
        if not accepts(model, payload):
            tally.found(Disagreement(REFUSED_VALID, "a valid payload", payload))
            continue
        for index, (what, mutated) in enumerate(mutations(document, schema, payload)):
            if index >= MAX_MUTATIONS_PER_PAYLOAD:
                break
            if validator.is_valid(mutated):
                continue
            tally.mutations += 1
            if accepts(model, mutated):
                tally.found(Disagreement(ACCEPTED_INVALID, what, mutated, cause(what)))
    return WebhookFidelity(
        key=webhook.key,
        payloads=tally.payloads,
        mutations=tally.mutations,
        refused_valid=tally.counts[REFUSED_VALID],
        accepted_invalid=tally.counts[ACCEPTED_INVALID],
        first=tuple(tally.first.values()),
        by_cause=tuple(sorted(tally.by_cause.items())),
        drawn_all=drawn.finished,
        judged_all=judged_all,
        seconds=round(time.monotonic() - started, 2),
        documented=webhook.key in documented_webhooks(generated.warnings),
    )


class _Tally:
    def __init__(self) -> None:
        self.payloads = self.mutations = 0
        self.counts = {REFUSED_VALID: 0, ACCEPTED_INVALID: 0}
        self.first: dict[str, Disagreement] = {}
        self.by_cause: dict[str, int] = {}

    def found(self, disagreement: Disagreement) -> None:
        self.counts[disagreement.kind] += 1
        self.by_cause[disagreement.cause] = self.by_cause.get(disagreement.cause, 0) + 1
        self.first.setdefault(disagreement.kind, disagreement)


def accepts(model: Any, payload: Any) -> bool:
    """Whether a Pydantic model validates a payload."""
    try:
        model.model_validate(payload)
    except pydantic.ValidationError:
        return False
    return True


def measure(generated: Generated, models: ModuleType, *, count: int, seconds: float, spec: str) -> FidelityReport:
    """Measure every webhook that has a body."""
    results = tuple(
        measure_webhook(generated, webhook, _model(models, webhook), count=count, seconds=seconds)
        for webhook in webhooks_with_bodies(generated.spec)
    )
    return FidelityReport(spec, tuple(sorted(generated.asserted_formats)), results)


def _model(models: ModuleType, webhook: Webhook) -> Any:
    assert webhook.body is not None
    return getattr(models, webhook.body.model_name)


def measure_spec(
    spec: Path, *, count: int, seconds: float, asserted_formats: frozenset[str], ref_roots: Sequence[Path] = ()
) -> tuple[FidelityReport, list[Problem]]:
    """Generate a spec's package into a temporary folder and measure its models; also the generation warnings."""
    package = "hookgen_fidelity_models"
    with tempfile.TemporaryDirectory(prefix="hookgen-fidelity-") as folder:
        generated = generate(
            spec, Path(folder), package=package, asserted_formats=asserted_formats, ref_roots=ref_roots
        )
        [models] = import_generated(Path(folder), package, "models")
        report = stage(
            "judge", _judged, measure, generated, models, count=count, seconds=seconds, spec=display_path(spec)
        )
    return report, generated.warnings


def render_table(report: FidelityReport) -> str:
    """A fixed-width table, one row per webhook, then the first example of each disagreement."""
    header = ("webhook", "payloads", "mutations", "refused-valid", "accepted-invalid", "seconds", "note")
    rows = [header] + [
        (
            w.key,
            str(w.payloads),
            str(w.mutations),
            str(w.refused_valid),
            str(w.accepted_invalid),
            f"{w.seconds:.1f}",
            _note(w),
        )
        for w in report.webhooks
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip() for row in rows]
    lines += _cause_table(report)
    for webhook in report.webhooks:
        for disagreement in webhook.first:
            example = repr(disagreement.payload)
            example = example if len(example) <= 300 else example[:297] + "..."
            lines.append(f"{webhook.key}: {disagreement.kind}: {disagreement.what}: {example}")
    lines.append(report.summary())
    return "\n".join(lines)


def _cause_table(report: FidelityReport) -> list[str]:
    """One row per cause of disagreement: how many, on how many webhooks, how many of those documented."""
    causes = report.by_cause()
    if not causes:
        return []
    rows: list[tuple[str, ...]] = [("cause", "disagreements", "webhooks", "documented")]
    rows += [(name, *(str(n) for n in counts)) for name, counts in causes.items()]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return ["", *("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in rows), ""]


def _note(webhook: WebhookFidelity) -> str:
    notes = []
    if webhook.disagreements:
        notes.append("documented deviation" if webhook.documented else "DISAGREES")
    if not webhook.drawn_all:
        notes.append("budget ended drawing")
    if not webhook.judged_all:
        notes.append("budget ended judging")
    return ", ".join(notes)


def _judged(report: FidelityReport) -> str:
    return f"{len(report.webhooks)} webhooks"
