"""Golden builds: each tests/golden/<case>/ holds profiles/ and either expected/ (the whole output tree)
or expected-error.txt (exit code and stderr). Adding coverage means adding a folder.

Update only on purpose: pytest tests/test_golden.py --update-golden
"""

from __future__ import annotations

import difflib
import os
import shutil
from pathlib import Path

import pytest

from conftest import REPO, run_cli

GOLDEN = REPO / "tests" / "golden"
CASES = sorted(p.name for p in GOLDEN.iterdir() if (p / "profiles").is_dir())
UPDATE_HINT = "if the change is intended, update with: pytest tests/test_golden.py --update-golden"


def _tree(root: Path) -> dict[str, tuple[bytes, bool]]:
    return {
        p.relative_to(root).as_posix(): (p.read_bytes(), os.access(p, os.X_OK))
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def _build(case_dir: Path, out: Path):
    profiles = sorted(f"profiles/{p.name}" for p in (case_dir / "profiles").glob("*.yaml"))
    return run_cli("build", *profiles, "-o", str(out), cwd=case_dir)


@pytest.mark.parametrize("case", CASES)
def test_golden_case(case: str, tmp_path: Path, update_golden: bool) -> None:
    case_dir = GOLDEN / case
    out = tmp_path / "out"
    result = _build(case_dir, out)
    error_file = case_dir / "expected-error.txt"
    expected_dir = case_dir / "expected"

    if result.returncode != 0 or error_file.exists():
        actual = f"exit {result.returncode}\n{result.stderr}"
        assert result.returncode == 2, f"only user errors (exit 2) can be approved:\n{actual}"
        if update_golden:
            error_file.write_text(actual)
            shutil.rmtree(expected_dir, ignore_errors=True)
            return
        assert error_file.exists(), f"build failed unexpectedly:\n{actual}\n{UPDATE_HINT}"
        assert actual == error_file.read_text(), UPDATE_HINT
        assert "Traceback" not in result.stderr
        assert not out.exists(), "a failed build must not leave any output"
        return

    profiles = sorted(f"profiles/{p.name}" for p in (case_dir / "profiles").glob("*.yaml"))
    explained = run_cli("explain", *profiles, cwd=case_dir)
    assert explained.returncode == 0, explained.stderr
    explain_file = case_dir / "expected-explain.txt"
    if update_golden:
        shutil.rmtree(expected_dir, ignore_errors=True)
        shutil.copytree(out, expected_dir)
        explain_file.write_text(explained.stdout)
        return
    assert explain_file.read_text() == explained.stdout, f"explain output differs; {UPDATE_HINT}"
    assert expected_dir.is_dir(), f"no expected/ for {case}; {UPDATE_HINT}"
    actual, expected = _tree(out), _tree(expected_dir)
    assert sorted(actual) == sorted(expected), UPDATE_HINT
    for name, (content, executable) in expected.items():
        if actual[name] != (content, executable):
            diff = "".join(
                difflib.unified_diff(
                    content.decode(errors="replace").splitlines(True),
                    actual[name][0].decode(errors="replace").splitlines(True),
                    f"expected/{name}",
                    f"actual/{name}",
                )
            )
            pytest.fail(f"{case}: {name} differs:\n{diff[:4000]}\n{UPDATE_HINT}")


def test_every_golden_case_has_an_expectation() -> None:
    for case in CASES:
        case_dir = GOLDEN / case
        assert (case_dir / "expected").is_dir() != (case_dir / "expected-error.txt").is_file(), case
