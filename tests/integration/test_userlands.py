"""Stand-in userlands (tests/integration/userlands.py) through the full distrobox path on both releases,
with controls: each stand-in's probe fails where the trait is left alone, so a passing probe means the
adapter's fixes (or distrobox's own handling) took effect.

The matrix (test_matrix.py) runs every strategy on every stand-in with distrobox 1.8.2.5; these tests
add 1.8.1.2, whose distrobox-init neither opens a mode-000 /etc/shadow nor avoids `chpasswd -e`.
"""

from __future__ import annotations

import pytest
import yaml

from conftest import run_cli

from .bench import DISTROBOX_VERSIONS, TRIXIE_IMAGE, Bench
from .userlands import Userland, ensure_image, userlands


def _standins(bench: Bench) -> dict[str, Userland]:
    user = bench.user
    found = {u.column: u for u in userlands(user.pw_uid, user.pw_gid, user.pw_name) if u.is_standin}
    for userland in found.values():
        assert ensure_image(bench, userland), f"could not build {userland.image} (is the trixie image there?)"
    return found


@pytest.fixture(scope="module", params=DISTROBOX_VERSIONS)
def bench(request: pytest.FixtureRequest) -> Bench:
    bench = Bench(request.param)
    bench.check_ready()
    return bench


class Box:
    def __init__(self, bench: Bench, userland: Userland, adapter: str, strategy: str) -> None:
        self.bench = bench
        self.name = f"u{bench.version.replace('.', '')}-{userland.column}-{strategy}"
        self.work = bench.shared_dir(self.name)
        profile = {"name": self.name, "strategy": strategy, "distros": [adapter], "images": {adapter: userland.image}}
        (self.work / "p.yaml").write_text(yaml.safe_dump(profile))
        built = run_cli("build", "p.yaml", "-o", "dist", cwd=self.work)
        assert built.returncode == 0, built.stderr
        bench.give(self.work)
        self.box = f"{self.name}-{adapter}"
        self.script = str(self.work / "dist" / "dbxsmith")

    def run(self, *argv: str, check: bool = True):
        return self.bench.run([self.script, *argv], cwd=self.work, check=check, timeout=600)

    def __enter__(self) -> Box:
        self.run("create", self.box)
        return self

    def __exit__(self, *exc: object) -> None:
        self.run("rm", self.box, check=False)


def _log(bench: Bench, box: str) -> str:
    logs = bench.run(["podman", "logs", box])
    return (logs.stdout + logs.stderr).decode(errors="replace")


@pytest.mark.parametrize("strategy", ["standard", "ghost"])
def test_fedora_like_box_gets_the_wrappers_and_passes(bench: Bench, strategy: str) -> None:
    fedora = _standins(bench)["fedora-like"]
    with Box(bench, fedora, "fedora", strategy) as box:
        probe = box.run("enter", box.box, "--", "sh", "-c", fedora.probe, check=False)
        assert probe.returncode == 0, probe.stderr.decode(errors="replace")
        verify = box.run("verify", box.box, check=False)
        assert verify.returncode == 0, verify.stdout.decode(errors="replace")
        log = _log(bench, box.box)
        assert "fix-shadow-permissions: /etc/shadow: mode 000 -> 0400" in log
        if bench.version == "1.8.1.2":
            # 1.8.1.2 feeds `chpasswd -e` an MD5 hex string and an empty value; the wrapper caught both.
            assert "chpasswd (dbxsmith wrapper): line 1, user root: not a crypt(3) hash" in log
        if strategy == "standard":
            # sudo through PAM with the shadow files the fix opened (ghost boxes have no sudo by design)
            sudo = box.run("enter", box.box, "--", "sudo", "-n", "sh", "-c", "head -c0 /etc/shadow && id -u",
                           check=False)
            assert sudo.returncode == 0 and sudo.stdout.decode().strip() == "0", sudo.stderr


def test_fedora_like_probe_fails_without_the_fedora_adapter(bench: Bench) -> None:
    """The control: the same image compiled with the debian adapter has no wrappers, so the probe fails;
    on 1.8.1.2 /etc/shadow also stays at mode 000. Not a claim about Fedora's PAM: Debian's pam_unix lets
    sudo through even at mode 000 (setuid sudo reads the file as root of the user namespace), which
    docs/distros.md records; this test keeps that statement true."""
    fedora = _standins(bench)["fedora-like"]
    with Box(bench, fedora, "debian", "standard") as box:
        probe = box.run("enter", box.box, "--", "sh", "-c", fedora.probe, check=False)
        assert probe.returncode != 0
        mode = box.run("enter", box.box, "--", "stat", "-c", "%a", "/etc/shadow").stdout.decode().strip()
        assert mode == ("0" if bench.version == "1.8.1.2" else "400"), mode
        sudo = box.run("enter", box.box, "--", "sudo", "-n", "true", check=False)
        assert sudo.returncode == 0, "Debian's PAM now refuses sudo at mode 000: update docs/distros.md"


def test_ubuntu_like_user_is_taken_over(bench: Bench) -> None:
    ubuntu = _standins(bench)["ubuntu-like"]
    # The control: in the bare image the uid belongs to `ubuntu`, so the probe fails there.
    bare = bench.run(["podman", "run", "--rm", ubuntu.image, "sh", "-c", ubuntu.probe], check=False)
    assert bare.returncode != 0
    assert f"ubuntu:x:{bench.user.pw_uid}:" in bench.run(
        ["podman", "run", "--rm", ubuntu.image, "cat", "/etc/passwd"]).stdout.decode()
    for strategy in ("standard", "ghost-isolated-net"):
        with Box(bench, ubuntu, "ubuntu", strategy) as box:
            probe = box.run("enter", box.box, "--", "sh", "-c", ubuntu.probe, check=False)
            assert probe.returncode == 0, probe.stderr.decode(errors="replace")
            verify = box.run("verify", box.box, check=False)
            assert verify.returncode == 0, verify.stdout.decode(errors="replace")


def test_standin_images_are_debian_with_only_the_named_traits(bench: Bench) -> None:
    standins = _standins(bench)
    fedora = standins["fedora-like"].image
    out = bench.run(["podman", "run", "--rm", fedora, "sh", "-c",
                     '. /etc/os-release; echo "$VERSION_CODENAME $(readlink -f /bin/sh) $(stat -c %a /etc/shadow)"'])
    assert out.stdout.decode().split() == ["trixie", "/usr/bin/bash", "0"]
    alpine = standins["alpine-like"]
    out = bench.run(["podman", "run", "--rm", alpine.image, "sh", "-c",
                     '. /etc/os-release; echo "$VERSION_CODENAME $(readlink -f /bin/sh)"; mount --version'])
    words = out.stdout.decode().split()
    assert words[:2] == ["trixie", "/usr/bin/busybox"] and "util-linux" in words, "busybox ash, tools from PATH"
    # The control: the alpine-like probe fails on plain trixie, where /bin/sh is dash.
    plain = bench.run(["podman", "run", "--rm", TRIXIE_IMAGE, "sh", "-c", alpine.probe], check=False)
    assert plain.returncode != 0
