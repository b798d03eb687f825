"""The generated distrobox.ini through the REAL `distrobox assemble create` of 1.8.1.2 and 1.8.2.5.

A recording `podman` stub sits first on PATH: it stores every argument it receives, so we can
prove that (1) nothing planted in a profile ever runs on the host, with or without --dry-run,
and (2) the argument podman would receive carries our hook value byte for byte, which then
restores every hook exactly when evaluated the way distrobox-init does it.
"""

from __future__ import annotations

import base64
import os
import subprocess
from pathlib import Path

import pytest

from conftest import REPO, require_tool, run_cli
from generator.transport import decode_ini_value

from .bench import DISTROBOX_VERSIONS, Bench

PODMAN_STUB = r"""#!/bin/sh
# Records each call as: CALL <argc>, then one base64 line per argument.
{
	printf 'CALL %s\n' "$#"
	for arg in "$@"; do printf '%s' "$arg" | base64 -w 0; echo; done
} >> "$PODMAN_STUB_LOG"
case "$1 ${2:-} ${3:-}" in
	"inspect --type container"*) exit 1 ;;
	"container exists"*) exit 1 ;;
	"create "*) echo 0123456789abcdef ;;
	"--version"*|"version"*) echo "podman version 4.3.1" ;;
esac
exit 0
"""


def canary_hooks(canary: Path) -> list[str]:
    """Hook texts that would touch a canary file if any host shell layer evaluated them."""
    c = canary
    return [
        f"echo $(touch {c}/dollar-paren)",
        f"echo `touch {c}/backtick`",
        f"echo x; touch {c}/semicolon",
        f"echo \"\"; touch {c}/dquote; echo \"\"",
        f"echo ''; touch {c}/squote; echo ''",
        f"echo ${{x:-$(touch {c}/param)}} && touch {c}/andand | touch {c}/pipe",
        f"cat <<EOF\n$(touch {c}/heredoc)\nEOF\n# ] # comment ]#x\nprintf '%s\\n' 'tab\there\r' \\\n  'next'\n",
        f"touch {c}/glob* {c}/[ab] ; echo ¤ split ¤ me",
    ]


def write_profile(directory: Path, hooks: list[str]) -> Path:
    import yaml

    profile = {
        "name": "canary",
        "distros": ["debian"],
        "images": {"debian": "localhost/dbxsmith-debian:bookworm"},
        "hooks": {"pre_init": hooks[:2], "init": [{"run": h, "when": "start"} for h in hooks[2:]]},
    }
    path = directory / "canary.yaml"
    path.write_text(yaml.safe_dump(profile, allow_unicode=True))
    return path


def read_calls(log: Path) -> list[list[str]]:
    calls: list[list[str]] = []
    lines = log.read_text().splitlines() if log.exists() else []
    index = 0
    while index < len(lines):
        count = int(lines[index].split()[1])
        calls.append([base64.b64decode(line).decode() for line in lines[index + 1 : index + 1 + count]])
        index += 1 + count
    return calls


@pytest.fixture(params=DISTROBOX_VERSIONS)
def bench(request: pytest.FixtureRequest) -> Bench:
    bench = Bench(request.param)
    bench.check_ready()
    return bench


def _assemble(bench: Bench, work: Path, ini: Path, *extra: str) -> subprocess.CompletedProcess[bytes]:
    stub_dir = work / "stub"
    stub_dir.mkdir(exist_ok=True)
    (stub_dir / "podman").write_text(PODMAN_STUB)
    (stub_dir / "podman").chmod(0o755)
    bench.give(work)
    path = f"{stub_dir}:{bench.distrobox_bin}:/usr/local/bin:/usr/bin:/bin"
    empty = work / "empty-cwd"
    empty.mkdir(exist_ok=True)
    bench.give(empty)
    return bench.run(
        ["distrobox", "assemble", "create", "--file", str(ini), *extra],
        cwd=empty,
        env={"PATH": path, "PODMAN_STUB_LOG": str(work / "podman.log")},
        check=False,
    )


def _build(bench: Bench, hooks: list[str]) -> tuple[Path, Path, Path]:
    work = bench.shared_dir("assemble")
    canary = work / "canary"
    canary.mkdir()
    profile = write_profile(work, hooks)
    result = run_cli("build", str(profile), "-o", str(work / "dist"), cwd=work)
    assert result.returncode == 0, result.stderr
    bench.give(work)
    canary.chmod(0o777)
    return work, canary, work / "dist" / "distrobox.ini"


def test_dry_run_evaluates_nothing_on_the_host(bench: Bench) -> None:
    work = bench.shared_dir("assemble")
    canary = work / "canary"
    canary.mkdir()
    work, canary, ini = _build(bench, canary_hooks(canary))
    result = _assemble(bench, work, ini, "--dry-run")
    assert result.returncode == 0, result.stderr.decode()
    printed = result.stdout.decode()
    assert "create" in printed and "--pre-init-hooks" in printed, printed
    # The value distrobox would pass is ours, unchanged.
    ini_values = [line.split("=", 1)[1] for line in ini.read_text().splitlines() if "_hooks=" in line]
    for value in ini_values:
        assert value in printed
    assert sorted(os.listdir(canary)) == [], "a host shell evaluated hook text"


def test_real_assemble_passes_hooks_to_podman_byte_exact(bench: Bench) -> None:
    dash = require_tool("dash")
    work = bench.shared_dir("assemble")
    canary = work / "canary"
    canary.mkdir()
    hooks = canary_hooks(canary)
    work, canary, ini = _build(bench, hooks)
    result = _assemble(bench, work, ini)
    assert result.returncode == 0, result.stderr.decode()
    assert sorted(os.listdir(canary)) == [], "a host shell evaluated hook text"

    creates = [call for call in read_calls(work / "podman.log") if call[:1] == ["create"]]
    assert len(creates) == 1, read_calls(work / "podman.log")
    argv = creates[0]
    pre_init_arg = argv[argv.index("--pre-init-hooks") + 1]
    init_arg = argv[argv.index("--") + 1] if "--" in argv else argv[-1]
    values = dict(line.split("=", 1) for line in ini.read_text().splitlines() if "_hooks=" in line)
    # assemble prefixes ': ;' to the joined hooks; what follows must be our value exactly.
    assert pre_init_arg.split(";", 1)[1].strip() == values["pre_init_hooks"]
    assert init_arg.split(";", 1)[1].strip() == values["init_hooks"]

    # Evaluate podman's argument the way distrobox-init does; each hook must arrive byte for byte.
    state = work / "state"
    for arg in (pre_init_arg, init_arg):
        evaluated = subprocess.run(
            [dash, "-c", "set -o errexit -o nounset; eval ${1}", "init", arg],
            env={**os.environ, "DBXSMITH_STATE_DIR": str(state), "DBXSMITH_HOOK_SHELL": "true"},
            capture_output=True,
        )
        assert evaluated.returncode == 0, evaluated.stderr
    stored = {p.name: p.read_bytes() for p in (state / "hooks").iterdir()}
    copies = {p.name: p.read_bytes() for p in (work / "dist" / "hooks" / "canary-debian").glob("*-*-*.sh")}
    assert stored == copies
    users = [content for name, content in stored.items() if not name.startswith("dbxsmith-")]
    assert sorted(users) == sorted(h.encode() for h in hooks)
    assert sorted(os.listdir(canary)) == [], "evaluating the hook value must not run the hook"


def test_failsafe_the_canary_does_fire_for_a_naive_ini(bench: Bench) -> None:
    """Proof that the harness can fail: a hand-written ini with a raw hook DOES run on the host."""
    work = bench.shared_dir("assemble")
    canary = work / "canary"
    canary.mkdir()
    canary.chmod(0o777)
    ini = work / "naive.ini"
    ini.write_text(f"[naive]\nimage=localhost/dbxsmith-debian:bookworm\nentry=false\n"
                   f"init_hooks=echo $(touch {canary}/init)\npre_init_hooks=echo $(touch {canary}/pre-init)\n")
    bench.give(work)
    canary.chmod(0o777)
    _assemble(bench, work, ini)
    fired = sorted(os.listdir(canary))
    assert fired, "the canary harness cannot detect host-side evaluation"
    assert "pre-init" in fired


def test_generated_value_decodes_to_the_committed_runner() -> None:
    """The base64 in dist/distrobox.ini is exactly the readable runner committed beside it."""
    dist = REPO / "dist"
    section = None
    checked = 0
    for line in (dist / "distrobox.ini").read_text().splitlines():
        if line.startswith("["):
            section = line.strip("[]")
        elif "_hooks=" in line:
            key, value = line.split("=", 1)
            stage = key.removesuffix("_hooks")
            assert decode_ini_value(value) == (dist / "hooks" / str(section) / f"{stage}.runner.sh").read_text()
            checked += 1
    assert checked >= 2
