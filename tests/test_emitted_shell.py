"""Every emitted script parses in the strict POSIX shells, and builds are deterministic."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from conftest import REPO, require_tool, run_cli
from generator.pipeline import build

GOLDEN_OK = sorted(p for p in (REPO / "tests" / "golden").glob("*/expected") if p.is_dir())
EMITTED = [
    script
    for root in [*GOLDEN_OK, REPO / "dist"]
    for script in sorted(root.rglob("*"))
    if script.is_file()
    and (script.name == "dbxsmith" or script.name.endswith(".runner.sh") or script.parent.name in ("lib", "verify"))
]
PARSERS = {
    "dash": ["dash", "-n"],
    "posh": ["posh", "-n"],
    "yash": ["yash", "-o", "posixlycorrect", "-n"],
    "bash-posix": ["bash", "--posix", "-n"],
    "mksh": ["mksh", "-n"],
}


def test_there_are_emitted_scripts_to_check() -> None:
    assert len(EMITTED) >= 5


@pytest.mark.parametrize("parser", sorted(PARSERS))
def test_every_emitted_script_parses(parser: str) -> None:
    argv = PARSERS[parser]
    require_tool(argv[0])
    failures = []
    for script in EMITTED:
        result = subprocess.run([*argv, str(script)], capture_output=True, text=True)
        if result.returncode != 0:
            failures.append(f"{script.relative_to(REPO)}: {result.stderr.strip()}")
    assert not failures, "\n".join(failures)


def test_the_parser_check_can_fail(tmp_path: Path) -> None:
    require_tool("dash")
    broken = tmp_path / "broken.sh"
    broken.write_text("if true; then echo\n")
    assert subprocess.run(["dash", "-n", str(broken)], capture_output=True).returncode != 0


def test_build_is_deterministic(tmp_path: Path) -> None:
    profiles = sorted(str(p.relative_to(REPO)) for p in (REPO / "profiles").glob("*.yaml"))
    assert profiles
    first = run_cli("build", *profiles, "-o", str(tmp_path / "a"), cwd=REPO)
    second = run_cli("build", *profiles, "-o", str(tmp_path / "b"), cwd=REPO)
    assert first.returncode == second.returncode == 0, first.stderr + second.stderr
    files_a = {p.relative_to(tmp_path / "a"): p.read_bytes() for p in (tmp_path / "a").rglob("*") if p.is_file()}
    files_b = {p.relative_to(tmp_path / "b"): p.read_bytes() for p in (tmp_path / "b").rglob("*") if p.is_file()}
    assert files_a == files_b
    # Same input in another order gives the same boxes.
    assert [b.name for b in build([REPO / p for p in profiles]).boxes] == [
        b.name for b in build([REPO / p for p in reversed(profiles)]).boxes
    ]


def test_committed_dist_is_fresh() -> None:
    profiles = sorted(str(p.relative_to(REPO)) for p in (REPO / "profiles").glob("*.yaml"))
    result = run_cli("build", *profiles, "-o", "dist", "--check", cwd=REPO)
    assert result.returncode == 0, f"dist/ is stale:\n{result.stderr}"


def test_static_scripts_pass_the_build_lint() -> None:
    """Files shipped verbatim (verify/box-checks.sh, the wrappers) get the same shellcheck as every build."""
    from generator.lint import OPTIONAL_CHECKS, shellcheck_binary

    static = [REPO / "templates" / "verify" / "box-checks.sh", REPO / "templates" / "host" / "dbxsmith-lib.sh",
              *sorted((REPO / "templates" / "wrappers").glob("*"))]
    static = [path for path in static if path.is_file() and not path.name.startswith(".")]
    assert len(static) >= 3
    result = subprocess.run(
        [shellcheck_binary(), "--shell=sh", f"--enable={OPTIONAL_CHECKS}", *map(str, static)],
        capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stdout


def test_ci_scripts_pass_shellcheck() -> None:
    """The bash that sets up and runs CI (.ci/, tests/run-all.sh): warnings and errors fail it."""
    from generator.lint import shellcheck_binary

    scripts = sorted(p for p in (REPO / ".ci").iterdir() if p.is_file()) + [REPO / "tests" / "run-all.sh"]
    assert len(scripts) >= 5
    result = subprocess.run(
        [shellcheck_binary(), "--shell=bash", "--severity=warning", *map(str, scripts)],
        capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stdout
