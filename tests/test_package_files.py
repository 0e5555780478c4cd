"""The generated package as a user installs it: a wheel built from `generated/` holds every file the package uses."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from generator.render.write import generated_files

ROOT = Path(__file__).resolve().parents[1]
GENERATED = ROOT / "generated"


def test_the_wheel_holds_every_module_and_data_file_of_the_package(tmp_path: Path) -> None:
    source = tmp_path / "source"
    shutil.copytree(GENERATED, source, ignore=shutil.ignore_patterns("*.egg-info", "__pycache__"))
    build = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(tmp_path / "dist"), str(source)]
    result = subprocess.run(build, capture_output=True, text=True, check=False)
    if result.returncode != 0 and "No matching distribution" in result.stderr:
        pytest.skip(f"pip cannot get the build backend (setuptools) from its index: {result.stderr.strip()[-200:]}")
    assert result.returncode == 0, result.stderr
    # setuptools' 40-line "absent from the `packages` configuration" warning, on every install, is a defect too.
    assert "Warning" not in result.stderr, result.stderr
    (wheel,) = (tmp_path / "dist").glob("*.whl")
    packaged = {name for name in zipfile.ZipFile(wheel).namelist() if ".dist-info/" not in name}
    expected = {path.as_posix() for path in generated_files(GENERATED) if path.parts[0] == "subscriptions_webhooks"}
    assert {name for name in expected if name.startswith("subscriptions_webhooks/models/")}  # the package's models
    assert {name for name in expected if name.startswith("subscriptions_webhooks/_contracts/")}  # the contract shares
    assert packaged == expected
