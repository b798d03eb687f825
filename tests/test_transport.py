"""The hook transport: any text survives distrobox's layers byte for byte, and only safe characters travel."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import require_tool
from generator.model import INI_SAFE
from generator.transport import (
    INI_VALUE_ALPHABET,
    CompiledHook,
    decode_ini_value,
    hook_id,
    ini_value,
    runner_script,
)

# Everything a hook may contain: any Unicode text except NUL (no shell can carry it).
HOOK_TEXT = st.text(st.characters(blacklist_characters="\x00", blacklist_categories=("Cs",)), max_size=400)
TRICKY = st.sampled_from(["'", '"', "`", "$(", "${x}", "\\", "#", ";", "*", "?", "[a]", "\n", "\r", "\t", "¤", "]#", " #"])
HOOK_SOURCES = st.one_of(HOOK_TEXT, st.lists(st.one_of(TRICKY, HOOK_TEXT), max_size=12).map("".join))


def _compile(sources: list[str], when: str = "create") -> tuple[str, list[CompiledHook]]:
    hooks = [
        CompiledHook(hook_id("init", index, source), "init", index, when, f"p.yaml: hooks.init[{index}]", source)
        for index, source in enumerate(sources)
    ]
    return ini_value(runner_script("box-debian", "init", "p.yaml", hooks)), hooks


def _eval_like_distrobox_init(shell: str, value: str, state_dir: Path, hook_shell: str) -> subprocess.CompletedProcess:
    # distrobox-init: set -o errexit -o nounset; eval ${init_hook} (unquoted, as it does)
    script = 'set -o errexit -o nounset; eval ${1}'
    env = {**os.environ, "DBXSMITH_STATE_DIR": str(state_dir), "DBXSMITH_HOOK_SHELL": hook_shell}
    return subprocess.run([shell, "-c", script, "init", value], env=env, capture_output=True, timeout=30)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sources=st.lists(HOOK_SOURCES, min_size=1, max_size=3))
def test_any_hook_text_round_trips_byte_exact_through_dash(sources: list[str], tmp_path_factory) -> None:
    dash = require_tool("dash")
    value, hooks = _compile(sources)
    assert INI_VALUE_ALPHABET.fullmatch(value)
    assert "\n" not in value
    state = tmp_path_factory.mktemp("state")
    # /bin/true as the hook shell: we check what arrives, without executing random text.
    result = _eval_like_distrobox_init(dash, value, state, "true")
    assert result.returncode == 0, result.stderr
    for hook, source in zip(hooks, sources):
        assert (state / "hooks" / f"{hook.id}.sh").read_bytes() == source.encode("utf-8")


@given(sources=st.lists(HOOK_SOURCES, min_size=1, max_size=3))
def test_emitted_value_stays_in_the_safe_alphabet(sources: list[str]) -> None:
    value, _ = _compile(sources)
    # Outside the pipeline operators we add ourselves, only characters every parser reads the same.
    words = value.replace("&&", " ").replace("|", " ").replace(">", " ")
    assert INI_SAFE.fullmatch(words)
    assert decode_ini_value(value).count("DBXSMITH_HOOK_END") == 2 * len(sources)


def test_large_hook_round_trips(tmp_path: Path) -> None:
    dash = require_tool("dash")
    source = ("printf '%s\\n' \"line with 'quotes' and $HOME and `cmd`\"\n" * 1200)[: 64 * 1024]
    assert len(source.encode()) == 64 * 1024
    value, hooks = _compile([source])
    result = _eval_like_distrobox_init(dash, value, tmp_path, "true")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "hooks" / f"{hooks[0].id}.sh").read_bytes() == source.encode()


@pytest.mark.parametrize("shell", ["dash", "bash", "busybox", "mksh", "yash", "posh"])
def test_once_and_every_start_semantics(shell: str, tmp_path: Path) -> None:
    shell_path = require_tool(shell)
    argv_shell = [shell_path, "sh"] if shell == "busybox" else [shell_path]
    counter = tmp_path / "count"
    once = f"echo once >> {counter}"
    every = f"echo every >> {counter}"
    hooks = [
        CompiledHook(hook_id("init", 0, once), "init", 0, "create", "p.yaml: hooks.init[0]", once),
        CompiledHook(hook_id("init", 1, every), "init", 1, "start", "p.yaml: hooks.init[1]", every),
    ]
    value = ini_value(runner_script("b", "init", "p.yaml", hooks))
    env = {**os.environ, "DBXSMITH_STATE_DIR": str(tmp_path / "state"), "DBXSMITH_HOOK_SHELL": "/bin/sh"}
    for _start in range(3):
        result = subprocess.run(
            [*argv_shell, "-c", "set -o errexit -o nounset; eval ${1}", "init", value], env=env, capture_output=True
        )
        assert result.returncode == 0, result.stderr
    assert counter.read_text().split() == ["once", "every", "every", "every"]


def test_exit_in_a_hook_does_not_skip_the_next_and_failure_stops_with_its_id(tmp_path: Path) -> None:
    dash = require_tool("dash")
    marker = tmp_path / "after"
    sources = ["exit 0", f"touch {marker}", "echo about to fail; exit 3", f"touch {marker}.never"]
    value, hooks = _compile(sources)
    result = _eval_like_distrobox_init(dash, value, tmp_path / "state", "/bin/sh")
    assert marker.exists(), "an exit in hook 0 must not skip hook 1"
    assert result.returncode == 3
    assert f"Error: dbxsmith-hook-failed {hooks[2].id} 3".encode() in result.stdout
    assert not Path(f"{marker}.never").exists(), "hooks after a failing one must not run"
    assert not (tmp_path / "state" / "done" / hooks[2].id).exists()
