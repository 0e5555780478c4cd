"""The extras: what `hookgen fidelity`, `hookgen listen` and `hookgen send` need beyond `generate` and `scaffold`.

Each extra of pyproject.toml's `[project.optional-dependencies]` is named after the one command that needs it,
and lists the modules (import names) its distributions provide (but `queue`, which no command needs: the tests run
the generated package's DeliveryQueue with it). A command checks its extra before it starts, by
finding the modules without importing them: Hypothesis is imported only in the children that draw payloads, and
without this check a missing one would leave `hookgen fidelity` judging the spec's examples alone, silently.
"""

from __future__ import annotations

import importlib.util

from ..errors import MissingExtraError

# extra (and command) -> the modules it installs, as imported
EXTRAS: dict[str, tuple[str, ...]] = {
    "fidelity": ("hypothesis", "hypothesis_jsonschema"),
    "listen": ("uvicorn",),
    "send": ("httpx",),
}


def require_extra(command: str) -> None:
    """Raise MissingExtraError, naming what to install, when a module of the command's extra cannot be found."""
    for module in EXTRAS[command]:
        if not installed(module):
            raise MissingExtraError(f"hookgen {command} needs the {command} extra: pip install 'hookgen[{command}]'")


def installed(module: str) -> bool:
    """Whether a module can be found, without importing it."""
    try:
        return importlib.util.find_spec(module) is not None  # None also when sys.modules blocks it with None
    except ImportError:  # an import hook refused it
        return False
