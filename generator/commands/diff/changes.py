"""What `hookgen diff` finds: one `Change` per difference, with a severity, a rule and a place in both versions."""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass

from ...spec.bundle import Bundle


class Severity(enum.Enum):
    """How a change affects consumers of the webhooks, worst first."""

    BREAKING = "breaking"
    POTENTIAL = "potential"
    SAFE = "safe"

    @property
    def rank(self) -> int:
        """0 for breaking, 1 for potentially breaking, 2 for safe."""
        return list(Severity).index(self)

    @property
    def title(self) -> str:
        """The words a report uses."""
        return "potentially breaking" if self is Severity.POTENTIAL else self.value


@dataclass(frozen=True, order=True)
class Place:
    """A file, a line and a JSON pointer in one version of the spec."""

    file: str
    line: int | None
    pointer: str

    def render(self) -> str:
        """`file:line: pointer`, the way hookgen prints problems."""
        where = f"{self.file}:{self.line}" if self.line is not None else self.file
        return f"{where}: {self.pointer or '/'}"


@dataclass(frozen=True)
class Side:
    """One version of the spec: its bundle, how to name its files, and a label (`old`, `origin/main`)."""

    bundle: Bundle
    label: str
    rename: Callable[[str], str] = str

    @property
    def document(self) -> dict[str, object]:
        """The bundled document."""
        return self.bundle.document

    def place(self, pointer: str) -> Place:
        """Where a pointer into the bundle was written in the source files."""
        file, source_pointer = self.bundle.locate(pointer)
        return Place(self.rename(file.name), file.line(source_pointer), source_pointer)


@dataclass(frozen=True)
class Change:
    """One difference between the two versions, placed in both (None where that side has no such part)."""

    severity: Severity
    rule: str
    message: str
    old: Place | None
    new: Place | None
    webhooks: tuple[str, ...] = ()

    def sort_key(self) -> tuple[int, str, str, str]:
        """Worst first, then by rule, webhook and message."""
        return (self.severity.rank, self.rule, self.webhooks[0] if self.webhooks else "", self.message)


# rule id -> (severity, what the rule means); the SARIF rules table and the docs read it.
RULES: dict[str, tuple[Severity, str]] = {
    "webhook-removed": (Severity.BREAKING, "A webhook is no longer sent."),
    "method-removed": (Severity.BREAKING, "A webhook's method is no longer sent."),
    "media-type-removed": (Severity.BREAKING, "A body media type is no longer sent."),
    "signature-changed": (Severity.BREAKING, "The signature scheme (x-webhook-signature) changed."),
    "required-header-removed": (Severity.BREAKING, "A header consumers relied on (a required header) is removed."),
    "header-optional": (Severity.BREAKING, "A required header becomes optional."),
    "property-removed": (Severity.BREAKING, "A property is removed or renamed."),
    "property-optional": (Severity.BREAKING, "A required property becomes optional."),
    "became-nullable": (Severity.BREAKING, "A value becomes nullable."),
    "type-changed": (Severity.BREAKING, "A type changes or widens."),
    "variant-added": (Severity.BREAKING, "A oneOf/anyOf gains a variant: the payload widens."),
    "enum-value-added": (Severity.POTENTIAL, "An enum gains a value; hookgen's models are closed enums."),
    "enum-removed": (Severity.POTENTIAL, "An enum (or const) is dropped: any value of the type may come."),
    "constraint-loosened": (Severity.POTENTIAL, "A constraint is loosened or changed; the models enforce the old one."),
    "additional-properties-allowed": (Severity.POTENTIAL, "additionalProperties: false is lifted."),
    "property-required": (Severity.POTENTIAL, "An optional property becomes required."),
    "required-property-added": (Severity.POTENTIAL, "A new required property appears."),
    "webhook-added": (Severity.SAFE, "A webhook is added."),
    "media-type-added": (Severity.SAFE, "A body media type is added."),
    "header-added": (Severity.SAFE, "A header is added."),
    "header-removed": (Severity.SAFE, "An optional header is removed."),
    "property-added": (Severity.SAFE, "An optional property is added."),
    "enum-value-removed": (Severity.SAFE, "An enum loses a value."),
    "type-narrowed": (Severity.SAFE, "A type list loses a type."),
    "variant-removed": (Severity.SAFE, "A oneOf/anyOf loses a variant."),
    "constraint-tightened": (Severity.SAFE, "A constraint is added or tightened."),
    "description-changed": (Severity.SAFE, "A description changed."),
}


def change(rule: str, message: str, old: Place | None, new: Place | None) -> Change:
    """A change under a rule of RULES, which sets its severity."""
    return Change(RULES[rule][0], rule, message, old, new)
