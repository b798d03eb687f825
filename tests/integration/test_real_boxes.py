"""End to end on real rootless podman + distrobox 1.8.1.2 and 1.8.2.5: dist/dbxsmith create, enter,
restart, rm, with a hook corpus whose every byte is checked inside the box."""

from __future__ import annotations

import hashlib
import io
import os
import tarfile
from pathlib import Path

import pytest
import yaml

from conftest import run_cli

from .bench import BENCH_IMAGE, DISTROBOX_VERSIONS, Bench

# Content that every quoting layer between a profile and the box would love to mangle.
TRICKY = "it's \"quoted\" $HOME `id` $(id) \\n \\ back\\slash # not a comment ; * ? [a] ]# ¤ ünï €\ttab\rcr|&>!"
BIG_LINE = "0123456789abcdef ${not_expanded} 'q' \"dq\" `bt` \\ # ; * ?\n"


def _sh_single_quote(text: str) -> str:
    return "'" + text.replace("'", "'\\''") + "'"


def big_body() -> str:
    return BIG_LINE * ((64 * 1024 - 200) // len(BIG_LINE.encode()))


def corpus_hooks() -> dict[str, list]:
    big_body_text = big_body()
    big_hook = f"mkdir -p /var/lib/corpus\ncat > /var/lib/corpus/big <<'DBX_BIG_EOF'\n{big_body_text}DBX_BIG_EOF\n"
    big_hook += "#" * (64 * 1024 - len(big_hook.encode()) - 1) + "\n"
    assert len(big_hook.encode()) == 64 * 1024
    return {
        "pre_init": [big_hook],
        "init": [
            f"mkdir -p /var/lib/corpus\nprintf '%s' {_sh_single_quote(TRICKY)} > /var/lib/corpus/quoted",
            "cat > /var/lib/corpus/heredoc <<'EOF'\n" + TRICKY + "\nline two\t$(not run)\nEOF",
            "exit 0\necho never > /var/lib/corpus/after-exit",
            "echo ran > /var/lib/corpus/next-after-exit",
            "echo once >> /var/lib/corpus/once",
            {"run": "echo start >> /var/lib/corpus/every", "when": "start"},
        ],
    }


def expected_files() -> dict[str, bytes]:
    return {
        "quoted": TRICKY.encode(),
        "heredoc": (TRICKY + "\nline two\t$(not run)\n").encode(),
        "next-after-exit": b"ran\n",
        "big": big_body().encode(),
    }


def _build(bench: Bench, name: str, hooks: dict[str, list]) -> tuple[Path, str]:
    work = bench.shared_dir(name)
    profile = {"name": name, "distros": ["debian"], "images": {"debian": BENCH_IMAGE}, "hooks": hooks}
    (work / f"{name}.yaml").write_text(yaml.safe_dump(profile, allow_unicode=True, width=10_000))
    result = run_cli("build", f"{name}.yaml", "-o", "dist", cwd=work)
    assert result.returncode == 0, result.stderr
    bench.give(work)
    return work, f"{name}-debian"


def _box_files(bench: Bench, work: Path, box: str, directory: str) -> dict[str, bytes]:
    out = bench.run([str(work / "dist" / "dbxsmith"), "enter", box, "--", "tar", "-C", directory, "-cf", "-", "."],
                    cwd=work).stdout
    files = {}
    with tarfile.open(fileobj=io.BytesIO(out)) as archive:
        for member in archive.getmembers():
            if member.isfile():
                files[member.name.removeprefix("./")] = archive.extractfile(member).read()
    return files


@pytest.fixture(scope="module", params=DISTROBOX_VERSIONS)
def corpus_box(request: pytest.FixtureRequest):
    bench = Bench(request.param)
    bench.check_ready()
    name = "corpus" + request.param.replace(".", "")
    work, box = _build(bench, name, corpus_hooks())
    volumes_before = bench.volumes()
    created = bench.run([str(work / "dist" / "dbxsmith"), "create"], cwd=work, check=False)
    yield bench, work, box, created, volumes_before
    bench.run([str(work / "dist" / "dbxsmith"), "rm"], cwd=work, check=False)


def test_create_succeeds(corpus_box) -> None:
    bench, work, box, created, _ = corpus_box
    assert created.returncode == 0, created.stderr.decode(errors="replace")
    assert f"{box} is ready" in created.stdout.decode()
    listing = bench.run([str(work / "dist" / "dbxsmith"), "list"], cwd=work).stdout.decode()
    assert any(line.split() == [box, "standard", "running"] for line in listing.splitlines()), listing


def test_hook_sources_arrive_byte_exact(corpus_box) -> None:
    bench, work, box, created, _ = corpus_box
    assert created.returncode == 0
    in_box = _box_files(bench, work, box, "/var/lib/dbxsmith/hooks")
    copies = {p.name: p.read_bytes() for p in (work / "dist" / "hooks" / box).glob("*-*-*.sh")}
    assert len([name for name in copies if not name.startswith("dbxsmith-")]) == 7
    assert in_box == copies


def test_hooks_ran_in_order_with_tricky_content(corpus_box) -> None:
    bench, work, box, created, _ = corpus_box
    assert created.returncode == 0
    files = _box_files(bench, work, box, "/var/lib/corpus")
    for name, content in expected_files().items():
        assert files.get(name) == content, f"{name} differs in the box"
    assert "after-exit" not in files, "the rest of a hook after its `exit` must not run"
    assert files["once"] == b"once\n"
    assert files["every"] == b"start\n"


def test_enter_passes_stdin_stdout_and_exit_status(corpus_box) -> None:
    bench, work, box, created, _ = corpus_box
    assert created.returncode == 0
    data = bytes(range(256)) * 64
    digest = bench.run([str(work / "dist" / "dbxsmith"), "enter", box, "--", "sha256sum"], cwd=work, input=data)
    assert digest.stdout.split()[0].decode() == hashlib.sha256(data).hexdigest()
    status = bench.run([str(work / "dist" / "dbxsmith"), "enter", box, "--", "sh", "-c", "exit 7"],
                       cwd=work, check=False)
    assert status.returncode == 7
    who = bench.run([str(work / "dist" / "dbxsmith"), "enter", box, "--", "id", "-un"], cwd=work)
    assert who.stdout.decode().strip() == bench.user.pw_name


def test_restart_runs_start_hooks_again_and_create_hooks_never(corpus_box) -> None:
    bench, work, box, created, _ = corpus_box
    assert created.returncode == 0
    for _ in range(2):
        bench.run(["distrobox", "stop", "--yes", box], cwd=work)
        state = bench.run(["podman", "inspect", "--format", "{{.State.Status}}", box]).stdout.decode().strip()
        assert state in ("exited", "stopped"), state
        bench.run([str(work / "dist" / "dbxsmith"), "enter", box, "--", "true"], cwd=work)
    files = _box_files(bench, work, box, "/var/lib/corpus")
    assert files["once"] == b"once\n"
    assert files["every"] == b"start\nstart\nstart\n"


def test_rm_leaves_nothing_behind(corpus_box) -> None:
    bench, work, box, created, volumes_before = corpus_box
    assert created.returncode == 0
    assert box in bench.containers()
    own_volumes = bench.run(["podman", "inspect", "--format",
                             '{{range .Mounts}}{{if eq .Type "volume"}}{{.Name}} {{end}}{{end}}', box]).stdout.split()
    assert own_volumes, "distrobox gives every box anonymous volumes; nothing to check otherwise"
    removed = bench.run([str(work / "dist" / "dbxsmith"), "rm"], cwd=work)
    assert f"{box} removed" in removed.stdout.decode()
    assert box not in bench.containers()
    # The box's own volumes, not the whole list: other users of the bench may create volumes meanwhile.
    left = [v.decode() for v in own_volumes if v.decode() in bench.volumes()]
    assert not left, f"anonymous volumes left behind: {left}"
    home = Path(bench.user.pw_dir)
    assert not list((home / ".local/share/applications").glob(f"{box}*")), "desktop entry left behind"
    icons = home / ".local/share/icons/distrobox"
    assert not icons.exists() or not list(icons.iterdir()), "icon left behind"
    assert not (home / ".cache/distrobox").exists() or list((home / ".cache/distrobox").iterdir())
    again = bench.run([str(work / "dist" / "dbxsmith"), "rm"], cwd=work)
    assert "does not exist" in again.stdout.decode()


@pytest.mark.parametrize("version", DISTROBOX_VERSIONS)
def test_failing_hook_stops_the_box_and_names_the_hook(version: str) -> None:
    bench = Bench(version)
    bench.check_ready()
    name = "failing" + version.replace(".", "")
    work, box = _build(bench, name, {"init": ["echo fine", "echo failing now\nexit 3", "touch /never"]})
    try:
        created = bench.run([str(work / "dist" / "dbxsmith"), "create"], cwd=work, check=False)
        assert created.returncode == 1
        assert f"{name}.yaml: hooks.init[1] failed with exit 3" in created.stderr.decode(), created.stderr.decode()
        state = bench.run(["podman", "inspect", "--format", "{{.State.Status}}", box]).stdout.decode().strip()
        assert state != "running", "a box whose hook failed must not be running"
    finally:
        bench.run([str(work / "dist" / "dbxsmith"), "rm"], cwd=work, check=False)
    assert box not in bench.containers()
