"""Write docs/commands.md from the argument parser: `python tests/tools/command_reference.py`."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.test_docs import ROOT, command_reference

if __name__ == "__main__":
    (ROOT / "docs" / "commands.md").write_text(command_reference(), encoding="utf-8")
