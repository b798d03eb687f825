"""The six strategies on real rootless podman + distrobox 1.8.1.2 and 1.8.2.5.

Canaries are planted on the host before the boxes exist: a secret in the host home, host /tmp and
XDG_RUNTIME_DIR, listeners on host 127.0.0.1 and on all addresses, a fake D-Bus socket, and
SSH_AUTH_SOCK plus a *_TOKEN in the caller's environment. Each strategy must pass
`dbxsmith verify`, and independent probes confirm the guarantees. Then every guarantee is
deliberately weakened on a real box, and verify must catch it: a check that cannot fail proves nothing.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import threading
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from conftest import run_cli
from generator.tables import COLORS, STRATEGIES, guarantees

from .bench import BENCH_IMAGE, DISTROBOX_VERSIONS, Bench

SECRET = f"dbxsmith-canary-{uuid.uuid4().hex}"
HOST_MACHINE_ID = Path("/etc/machine-id")
CALLER_ENV = {"SSH_AUTH_SOCK": "/tmp/ssh-canary/agent.1", "GITHUB_TOKEN": SECRET}


class Listener:
    """A TCP listener on the host that accepts and closes, for as long as the test module runs."""

    def __init__(self, address: str):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((address, 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while True:
            try:
                connection, _ = self.sock.accept()
            except OSError:
                return
            connection.close()

    def close(self) -> None:
        self.sock.close()


@dataclass
class Canaries:
    home_file: Path
    tmp_file: Path
    runtime_file: Path
    bus_socket: Path
    host_tmpfs_file: Path
    loopback: Listener
    any_address: Listener

    @property
    def ports(self) -> str:
        return f"{self.loopback.port},{self.any_address.port}"


@pytest.fixture(scope="module")
def canaries():
    bench = Bench(DISTROBOX_VERSIONS[-1])
    bench.check_ready()
    user = bench.user
    runtime = Path(f"/run/user/{user.pw_uid}")
    files = [Path(user.pw_dir) / "dbxsmith-canary.txt", Path("/tmp") / f"dbxsmith-canary-{uuid.uuid4().hex[:8]}",
             runtime / "dbxsmith-canary.txt"]
    for path in files:
        path.write_text(SECRET + "\n")
        os.chown(path, user.pw_uid, user.pw_gid)
    bus = runtime / "bus"
    created_bus = not bus.exists()
    bus_socket = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    if created_bus:
        bus_socket.bind(str(bus))
        bus_socket.listen(1)
        os.chown(bus, user.pw_uid, user.pw_gid)
    # A host tmpfs that distrobox-init binds into every box, as on a systemd host, where /run is a tmpfs
    # (/run/media, /run/udev, /run/systemd/journal, ...): ours is mounted over /run/media for the module.
    media = Path("/run/media")
    created_media = not media.exists()
    media.mkdir(exist_ok=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", "mode=0755,size=1m", "dbxsmith-canary", str(media)], check=True)
    host_tmpfs_file = media / user.pw_name / "dbxsmith-canary.txt"
    host_tmpfs_file.parent.mkdir()
    host_tmpfs_file.write_text(SECRET + "\n")
    os.chown(host_tmpfs_file.parent, user.pw_uid, user.pw_gid)
    os.chown(host_tmpfs_file, user.pw_uid, user.pw_gid)
    # distrobox shares the host's /etc/machine-id; a host without one (no systemd) gets one for the module
    created_machine_id = not HOST_MACHINE_ID.exists()
    if created_machine_id:
        HOST_MACHINE_ID.write_text(uuid.uuid4().hex + "\n")
    listeners = Listener("127.0.0.1"), Listener("0.0.0.0")
    yield Canaries(*files, bus, host_tmpfs_file, *listeners)
    for listener in listeners:
        listener.close()
    if created_machine_id:
        HOST_MACHINE_ID.unlink()
    subprocess.run(["umount", str(media)], check=False)
    if created_media:
        media.rmdir()
    bus_socket.close()
    if created_bus:
        bus.unlink()
    for path in files:
        path.unlink(missing_ok=True)


def build_box(bench: Bench, strategy: str, *, extra: dict | None = None, tag: str = "") -> tuple[Path, str]:
    name = f"s{bench.version.replace('.', '')}-{strategy}{tag}"
    work = bench.shared_dir(name)
    profile = {"name": name, "strategy": strategy, "distros": ["debian"], "images": {"debian": BENCH_IMAGE},
               **(extra or {})}
    (work / "p.yaml").write_text(yaml.safe_dump(profile))
    result = run_cli("build", "p.yaml", "-o", "dist", cwd=work)
    assert result.returncode == 0, result.stderr
    bench.give(work)
    return work, f"{name}-debian"


def dbxsmith(bench: Bench, work: Path, *args: str, env: dict[str, str] | None = None, check: bool = True,
             input: bytes | None = None):
    return bench.run([str(work / "dist" / "dbxsmith"), *args], cwd=work, env=env, check=check, input=input)


def verify(bench: Bench, work: Path, box: str, canaries: Canaries) -> tuple[int, str]:
    result = dbxsmith(bench, work, "verify", box, env={**CALLER_ENV, "DBXSMITH_VERIFY_PORTS": canaries.ports},
                      check=False)
    return result.returncode, result.stdout.decode(errors="replace") + result.stderr.decode(errors="replace")


def tap_failures(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith("not ok") and "# TODO" not in line]


def as_root_in_box(bench: Bench, box: str, script: str) -> None:
    bench.run(["podman", "exec", "--user", "root", box, "sh", "-c", script])


@pytest.fixture(params=DISTROBOX_VERSIONS)
def bench(request: pytest.FixtureRequest) -> Bench:
    bench = Bench(request.param)
    bench.check_ready()
    return bench


@pytest.mark.parametrize("strategy", list(STRATEGIES))
def test_strategy_keeps_every_guarantee(bench: Bench, strategy: str, canaries: Canaries) -> None:
    work, box = build_box(bench, strategy)
    try:
        created = dbxsmith(bench, work, "create", env=CALLER_ENV, check=False)
        assert created.returncode == 0, created.stderr.decode(errors="replace")
        status, output = verify(bench, work, box, canaries)
        assert status == 0, output
        expected = [g for g in guarantees(STRATEGIES[strategy]) if g.id != "no-leftovers"]  # rm --verify's
        ok_lines = [line for line in output.splitlines() if line.startswith("ok ")]
        assert len(ok_lines) == len(expected), output
        assert re.search(rf"^1\.\.{len(ok_lines)}$", output, re.M), output

        # Independent of verify: what a process in the box can actually find.
        # A ghost box is searched whole (its masks make that small); others only where the canaries are.
        where = "/" if STRATEGIES[strategy].ghost else f"{canaries.home_file} {canaries.tmp_file}"
        secret_search = dbxsmith(bench, work, "enter", box, "--", "sh", "-c",
                                 f"grep -rls {SECRET} {where} --exclude-dir=proc --exclude-dir=sys 2>/dev/null"
                                 " | head -3", env=CALLER_ENV, check=False).stdout.decode()
        env_in_box = dbxsmith(bench, work, "enter", box, "--", "env", env=CALLER_ENV).stdout.decode()
        if STRATEGIES[strategy].ghost:
            assert secret_search.strip() == "", f"host secret readable in {box}: {secret_search}"
            who = dbxsmith(bench, work, "enter", box, "--", "id", "-un").stdout.decode().strip()
            assert who == "ghost"
            # the host's machine id names the host: the ghost has its own, the same on every read
            box_id = dbxsmith(bench, work, "enter", box, "--", "cat", "/etc/machine-id").stdout.decode()
            assert re.fullmatch(r"[0-9a-f]{32}\n", box_id), box_id
            assert box_id != HOST_MACHINE_ID.read_text()
            assert dbxsmith(bench, work, "enter", box, "--", "cat", "/etc/machine-id").stdout.decode() == box_id
        else:
            assert str(canaries.home_file) in secret_search, "control: a standard-family box sees the home"
            box_id = dbxsmith(bench, work, "enter", box, "--", "cat", "/etc/machine-id").stdout.decode()
            assert box_id == HOST_MACHINE_ID.read_text(), "control: distrobox shares the host's machine id"
            seen = dbxsmith(bench, work, "enter", box, "--", "cat", str(canaries.host_tmpfs_file), check=False)
            assert SECRET in seen.stdout.decode(), "control: a standard-family box sees the host tmpfs canary"
        # The visual profile: a login shell shows badge, box name and colour; the hostname is the box's.
        # bash without readline: with TERM unset or dumb, readline scrolls a long prompt and cuts its start
        shell = ["sh"] if STRATEGIES[strategy].ghost else ["bash", "--noediting"]
        login = dbxsmith(bench, work, "enter", box, "--", *shell, "-il", input=b"exit\n", check=False)
        prompt = login.stderr.decode(errors="replace")
        badge, color = STRATEGIES[strategy].badge, COLORS[STRATEGIES[strategy].color]
        assert f"\x1b[1;{color}m[{badge}] {box}\x1b[0m" in prompt, prompt[-500:]
        assert f"\x1b]0;{box} [{badge}]\x07" in prompt, prompt[-500:]
        hostname = dbxsmith(bench, work, "enter", box, "--", "cat", "/etc/hostname").stdout.decode().strip()
        assert hostname == box
        if STRATEGIES[strategy].cleans_environment:
            assert "SSH_AUTH_SOCK" not in env_in_box and SECRET not in env_in_box
        else:
            assert SECRET in env_in_box, "control: distrobox forwards the caller's environment"
    finally:
        removed = dbxsmith(bench, work, "rm", "--verify", box, check=False)
    output = removed.stdout.decode(errors="replace")
    assert removed.returncode == 0, output + removed.stderr.decode(errors="replace")
    if STRATEGIES[strategy].ghost:
        assert "nothing written to" in output and not tap_failures(output), output
    assert box not in bench.containers()


def _weaken_ini(work: Path, box: str, drop: str | None = None, add: str | None = None) -> None:
    ini = work / "dist" / "distrobox.ini"
    lines = ini.read_text().splitlines()
    start = lines.index(f"[{box}]")
    if drop is not None:
        lines = [line for i, line in enumerate(lines) if not (i > start and line == drop)]
    if add is not None:
        lines.insert(start + 1, add)
    ini.write_text("\n".join(lines) + "\n")


# Each case: strategy, how to weaken the real box, and the guarantee verify must then report broken.
WEAKENED = {
    "own-netns": ("isolated-net", {"drop": "unshare_netns=true"}, None, "own network namespace"),
    "outbound": ("standard", {"add": "unshare_netns=true\nadditional_flags=--network none"}, None, "outbound network"),
    "loopback-only": ("airgapped", {"drop": "additional_flags=--network none"}, None, "only lo"),
    "host-loopback": ("isolated-net", {"add": "additional_flags=--network slirp4netns:allow_host_loopback=true"},
                      None, "host loopback"),
    "sockets": ("airgapped", {}, "umount /run/user/$(stat -c %u \"$HOME\")", "socket"),
    "identity": ("ghost", {}, "usermod -o -u $(stat -c %u \"$HOME\") ghost", "runs as ghost"),
    "host-files": ("ghost", {}, "umount /run/host", "host"),
    "host-tmpfs": ("ghost", {}, "umount /run/media", "host mounts: /run/media(host-tmpfs)"),
    "privilege": ("ghost", {}, "echo 'ghost ALL=(ALL) NOPASSWD:ALL' > /etc/sudoers.d/weakened", "privilege"),
}


@pytest.mark.parametrize("case", list(WEAKENED))
def test_verify_catches_a_weakened_box(bench: Bench, case: str, canaries: Canaries) -> None:
    strategy, ini_change, in_box_change, broken = WEAKENED[case]
    work, box = build_box(bench, strategy, tag="-weak")
    try:
        if ini_change:
            _weaken_ini(work, box, **ini_change)
        created = dbxsmith(bench, work, "create", check=False)
        assert created.returncode == 0, created.stderr.decode(errors="replace")
        if in_box_change:
            as_root_in_box(bench, box, in_box_change)
        status, output = verify(bench, work, box, canaries)
        assert status == 1, output
        failures = tap_failures(output)
        assert failures and any(broken in line for line in failures), output
    finally:
        dbxsmith(bench, work, "rm", box, check=False)


def test_verify_catches_forwarded_environment(bench: Bench, canaries: Canaries) -> None:
    """A regression in dbxsmith's own enter (environment forwarded) must fail env-clean."""
    work, box = build_box(bench, "airgapped", tag="-env")
    try:
        assert dbxsmith(bench, work, "create", check=False).returncode == 0
        library = work / "dist" / "lib" / "dbxsmith.sh"
        weakened = library.read_text().replace("set -- env -i HOME=", "set -- env HOME=")
        assert weakened != library.read_text()
        library.write_text(weakened)
        status, output = verify(bench, work, box, canaries)
        assert status == 1 and any("environment" in line for line in tap_failures(output)), output
    finally:
        dbxsmith(bench, work, "rm", box, check=False)


def test_rm_verify_catches_a_leak(bench: Bench, canaries: Canaries) -> None:
    work, box = build_box(bench, "ghost", tag="-leak")
    leak = None
    try:
        assert dbxsmith(bench, work, "create", check=False).returncode == 0
        as_root_in_box(bench, box, "umount /tmp")
        leak = f"/tmp/dbxsmith-leak-{uuid.uuid4().hex[:8]}"
        dbxsmith(bench, work, "enter", box, "--", "touch", leak)
    finally:
        removed = dbxsmith(bench, work, "rm", "--verify", box, check=False)
        if leak:
            subprocess.run(["rm", "-f", leak], check=False)
    output = removed.stdout.decode(errors="replace")
    assert removed.returncode == 1, output
    assert any(leak and leak in line for line in tap_failures(output)), output


def test_sudo_identity_is_reported_as_weakened(bench: Bench, canaries: Canaries) -> None:
    work, box = build_box(bench, "ghost", extra={"identity": {"sudo": True}}, tag="-sudo")
    try:
        assert dbxsmith(bench, work, "create", check=False).returncode == 0
        status, output = verify(bench, work, box, canaries)
        assert status == 0, output
        assert re.search(r"^not ok \d+ - .*# TODO weakened", output, re.M), output
    finally:
        dbxsmith(bench, work, "rm", box, check=False)
