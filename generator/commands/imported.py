"""Import a package hookgen has just generated, for the commands that run it (fidelity, listen) and the tests."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from types import ModuleType


def import_generated(output: Path, package: str, *modules: str) -> list[ModuleType]:
    """Import modules of a package generated into `output`, replacing any earlier import of that package."""
    sys.path.insert(0, str(output))
    try:
        for name in [n for n in sys.modules if n == package or n.startswith(package + ".")]:
            del sys.modules[name]
        return [importlib.import_module(f"{package}.{module}") for module in modules]
    finally:
        sys.path.remove(str(output))
