"""templates/verify/box-checks.sh inside real rootless podman containers (plain `podman run`, no distrobox):
each check passes where the isolation holds and fails where podman's flags break it.

Facts these tests pin down on the bench (podman 4.3.1 with slirp4netns on Debian 12, podman 5.4 with pasta on
Debian 13):
- slirp4netns (Debian 12's default) has allow_host_loopback=false: 10.0.2.2 (its gateway) refuses connections
  to ports that listen on the host's 127.0.0.1; with allow_host_loopback=true it reaches them;
- pasta (Debian 13's default) copies the host's interface and gateway and maps neither the gateway nor any
  other address to the host's loopback; there is no 10.0.2.2 route, so it is not probed;
- `--network none` leaves only `lo`, an empty /proc/net/route and no /etc/resolv.conf (names fail at once);
- plain `podman run` has no /tmp mount (it is the container's overlay); `-v /tmp:/tmp` shows the host's disk
  filesystem (ext4 on our machines; the tests read the type off the host's mount table).
The only outside host contacted is the bench image's package mirror (deb.debian.org), by one run.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import REPO, require

from .bench import BENCH_IMAGE, DISTROBOX_VERSIONS, Bench, bench_state

CHECKS = REPO / "templates" / "verify" / "box-checks.sh"
SLIRP_HOST = "10.0.2.2"


@dataclass
class Tap:
    status: int
    stdout: str
    stderr: str

    def __post_init__(self) -> None:
        lines = self.stdout.splitlines()
        assert lines and re.fullmatch(r"1\.\.\d+", lines[0]), self.describe()
        planned = int(lines[0][3:])
        results = [line for line in lines[1:] if re.match(r"(not )?ok \d+ - ", line)]
        assert len(results) == planned, self.describe()
        for number, line in enumerate(results, start=1):
            assert re.match(rf"(not )?ok {number} - ", line), self.describe()
        self.results = results

    def describe(self) -> str:
        return f"exit {self.status}\nstdout:\n{self.stdout}\nstderr:\n{self.stderr}"

    def line(self, number: int) -> str:
        return self.results[number - 1]

    def ok(self, number: int) -> bool:
        return self.line(number).startswith("ok ")


def host_fstype(path: str | Path) -> str:
    """The type a bind mount of PATH shows in a box: the host's filesystem under it. A host whose /tmp or
    home is itself a tmpfs or an overlay could not show a host mount by its type, so that is a failure."""
    fstype = subprocess.run(["findmnt", "-n", "-o", "FSTYPE", "--target", str(path)],
                            check=True, capture_output=True, text=True).stdout.strip()
    assert fstype and fstype not in ("tmpfs", "overlay"), f"{path} is on {fstype!r} on this host, not on a disk"
    return fstype


@pytest.fixture(scope="module")
def bench() -> Bench:
    bench = Bench(DISTROBOX_VERSIONS[-1])
    bench.check_ready()
    return bench


@pytest.fixture(scope="module")
def host() -> tuple[int, str]:
    """The bench user stands for the host user: its uid and home."""
    user = Bench(DISTROBOX_VERSIONS[-1]).user
    return user.pw_uid, user.pw_dir


def run_checks(bench: Bench, *checks: str, flags: tuple[str, ...] = (), script: str | None = None) -> Tap:
    """The script on stdin of `sh -s -- CHECKS` in a throwaway container (or of `script`, which must
    exec it)."""
    command = ["sh", "-c", script] if script else ["sh", "-s", "--", *checks]
    result = bench.run(
        ["podman", "run", "--rm", "-i", *flags, BENCH_IMAGE, *command],
        input=CHECKS.read_bytes(),
        check=False,
        timeout=120,
    )
    return Tap(
        result.returncode, result.stdout.decode(errors="replace"), result.stderr.decode(errors="replace")
    )


def run_steps(bench: Bench, steps: str, flags: tuple[str, ...] = ()) -> dict[str, Tap]:
    """Several runs of the script in ONE container: `steps` is sh that calls `step NAME CMD...` (CMD runs the
    script, saved at /tmp/bc.sh) and may change the container between steps (it runs as root)."""
    script = (
        "cat > /tmp/bc.sh\n"
        'step() { name=$1; shift; echo "=== $name"; "$@" < /dev/null; echo "=== status $?"; }\n' + steps
    )
    result = bench.run(
        ["podman", "run", "--rm", "-i", *flags, BENCH_IMAGE, "sh", "-c", script],
        input=CHECKS.read_bytes(),
        check=False,
        timeout=120,
    )
    out = result.stdout.decode(errors="replace")
    taps = {}
    for name, body, status in re.findall(
        r"^=== (\S+)\n(.*?)^=== status (\d+)\n", out, re.DOTALL | re.MULTILINE
    ):
        taps[name] = Tap(int(status), body, result.stderr.decode(errors="replace"))
    assert taps, f"no step ran: exit {result.returncode}\n{out}\n{result.stderr.decode(errors='replace')}"
    return taps


@pytest.fixture(scope="module")
def listener() -> Iterator[int]:
    """A TCP listener on the host's 127.0.0.1 (accepts and closes connections), alive at most 120 s."""
    process = subprocess.Popen(
        [
            sys.executable,
            "-c",
            (
                "import signal, socket\n"
                "signal.alarm(120)\n"
                "server = socket.socket()\n"
                "server.bind(('127.0.0.1', 0))\n"
                "server.listen(64)\n"
                "print(server.getsockname()[1], flush=True)\n"
                "while True:\n"
                "    server.accept()[0].close()\n"
            ),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        yield int(process.stdout.readline())
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=10)


@pytest.fixture(scope="module")
def closed_port() -> int:
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    return port


@pytest.fixture
def shared_dir(bench: Bench) -> Iterator[Path]:
    path = bench.shared_dir("verify")
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def _network_under_test(network: str) -> tuple[str, tuple[str, ...]]:
    """(backend, podman flags): "default" is whatever rootless network the bench's podman picks by itself."""
    if network != "default":
        return network, ("--network", network)
    backend = bench_state().get("DBXSMITH_BENCH_NET", "")
    assert backend in ("slirp4netns", "pasta"), f"setup-bench recorded no known rootless network: {backend!r}"
    return backend, ()


@pytest.mark.parametrize("network", ["default", "slirp4netns"])
def test_default_network_reaches_the_mirror_and_keeps_host_loopback_closed(
    bench: Bench, host: tuple[int, str], listener: int, network: str
) -> None:
    uid, home = host
    backend, flags = _network_under_test(network)
    tap = run_checks(
        bench,
        "outbound-works",
        "loopback-only",
        f"host-loopback-closed={listener}",
        f"host-loopback-open={listener},{SLIRP_HOST}",
        f"sockets-closed={uid}",
        f"no-host-files={home},{uid}",
        "env-clean",
        f"identity=root,{uid}",
        "no-privilege",
        flags=flags,
    )
    assert tap.status == 1, tap.describe()
    assert tap.line(1) == "ok 1 - outbound network reaches the package mirror deb.debian.org:80", (
        tap.describe()
    )
    assert "deb.debian.org resolves to" in tap.line(2), tap.describe()
    if backend == "slirp4netns":
        assert tap.line(2).startswith(
            "not ok 2 - only loopback networking: interfaces: tap0; IPv4 default route via tap0"
        ), tap.describe()
        # allow_host_loopback=false by default: 10.0.2.2 refuses
        assert tap.line(3) == f"ok 3 - host loopback ports {listener} closed on 127.0.0.1,{SLIRP_HOST}", (
            tap.describe()
        )
        assert tap.line(4).startswith(
            f"not ok 4 - host loopback port {listener} open on {SLIRP_HOST}: no TCP connection"
        ), tap.describe()
    else:
        # pasta: the host's own interface name and gateway, copied into the namespace
        assert re.match(r"not ok 2 - only loopback networking: interfaces: [^;]+; IPv4 default route via ",
                        tap.line(2)), tap.describe()
        assert re.fullmatch(rf"ok 3 - host loopback ports {listener} closed on 127\.0\.0\.1,\d+\.\d+\.\d+\.\d+",
                            tap.line(3)), tap.describe()
        assert tap.line(4) == (
            f"not ok 4 - host loopback port {listener} open on {SLIRP_HOST}: no route to {SLIRP_HOST} here "
            "(not a slirp4netns namespace): not probed"
        ), tap.describe()
    assert tap.ok(5) and tap.ok(6) and tap.ok(7) and tap.ok(8), tap.describe()
    assert tap.line(9).startswith("not ok 9 - no privilege: CapEff 00000000"), tap.describe()
    assert "uid 0" in tap.line(9) and "su -c true root succeeds" in tap.line(9)


def test_network_none_is_loopback_only(bench: Bench, listener: int) -> None:
    tap = run_checks(
        bench,
        "loopback-only",
        "outbound-works",
        f"host-loopback-closed={listener}",
        flags=("--network", "none"),
    )
    assert tap.status == 1, tap.describe()
    assert tap.line(1) == "ok 1 - only loopback networking", tap.describe()
    assert tap.line(2) == (
        "not ok 2 - outbound network reaches the package mirror deb.debian.org:80: "
        "deb.debian.org does not resolve"
    )
    # no route at all: 10.0.2.2 is not probed, there is no default gateway
    assert tap.line(3) == f"ok 3 - host loopback ports {listener} closed on 127.0.0.1", tap.describe()


def test_allow_host_loopback_opens_the_host_loopback(bench: Bench, listener: int, closed_port: int) -> None:
    tap = run_checks(
        bench,
        f"host-loopback-open={listener},{SLIRP_HOST}",
        f"host-loopback-open={listener},gateway",
        f"host-loopback-closed={closed_port},{listener}",
        f"host-loopback-closed={closed_port}",
        flags=("--network", "slirp4netns:allow_host_loopback=true"),
    )
    assert tap.status == 1, tap.describe()
    assert tap.line(1) == f"ok 1 - host loopback port {listener} open on {SLIRP_HOST}", tap.describe()
    assert tap.line(2) == f"ok 2 - host loopback port {listener} open on {SLIRP_HOST}", tap.describe()
    assert tap.line(3).endswith(f": reachable: {SLIRP_HOST}:{listener}"), tap.describe()
    assert tap.ok(4), tap.describe()


def test_host_tmp_and_host_dirs_are_host_files(bench: Bench, host: tuple[int, str], shared_dir: Path) -> None:
    uid, home = host
    checks = (f"no-host-files={home},{uid}",)
    tmp_fs, home_fs, shared_fs = host_fstype("/tmp"), host_fstype(home), host_fstype(shared_dir)
    tap = run_checks(bench, *checks, flags=("-v", "/tmp:/tmp"))
    assert tap.status == 1, tap.describe()
    assert tap.line(1).startswith(f"not ok 1 - no host files visible: host mounts: /tmp({tmp_fs})"), (
        tap.describe()
    )
    assert f"/tmp is on /tmp {tmp_fs}" in tap.line(1)
    assert run_checks(bench, *checks, flags=("--tmpfs", "/tmp")).line(1) == "ok 1 - no host files visible"
    tap = run_checks(bench, *checks, flags=("-v", f"{home}:{home}"))
    assert f"{home}({home_fs})" in tap.line(1) and f"{home} is listable and not empty" in tap.line(1), (
        tap.describe()
    )
    # distrobox's anonymous volume at /var/log/journal is podman storage, the box's own; a host
    # directory bound at the same place is not
    assert run_checks(bench, *checks, flags=("--volume", "/var/log/journal")).line(1) == (
        "ok 1 - no host files visible"
    )
    tap = run_checks(bench, *checks, flags=("-v", f"{shared_dir}:/var/log/journal"))
    assert tap.line(1).startswith(f"not ok 1 - no host files visible: host mounts: /var/log/journal({shared_fs})"), (
        tap.describe()
    )
    # a host tmpfs bound with rslave propagation, as distrobox binds host paths, keeps a master: it is the
    # host's; podman's own tmpfs at the same place has none
    host_tmpfs = shared_dir / "host-tmpfs"
    host_tmpfs.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "dbxsmith-test", str(host_tmpfs)], check=True)
    try:
        # a device node on a host tmpfs (a host that is itself a container has its /dev on one) is not files
        subprocess.run(["mknod", "-m", "666", str(host_tmpfs / "null"), "c", "1", "3"], check=True)
        tap = run_checks(bench, *checks, flags=("-v", f"{host_tmpfs}:/run/media:rslave",
                                                "-v", f"{host_tmpfs}/null:/dev/host-null:rslave"))
    finally:
        subprocess.run(["umount", str(host_tmpfs)], check=True)
    assert tap.line(1) == "not ok 1 - no host files visible: host mounts: /run/media(host-tmpfs)", tap.describe()
    assert run_checks(bench, *checks, flags=("--tmpfs", "/run/media")).line(1) == "ok 1 - no host files visible"
    tap = run_checks(bench, *checks, flags=("-v", f"{shared_dir}:/run/host/srv"))
    assert tap.line(1).startswith(f"not ok 1 - no host files visible: host mounts: /run/host/srv({shared_fs})"), (
        tap.describe()
    )


def test_a_host_mount_covered_by_a_later_mount_is_not_visible(
    bench: Bench, host: tuple[int, str], shared_dir: Path
) -> None:
    uid, home = host
    checks = f"no-host-files={home},{uid}"
    taps = run_steps(
        bench,
        f"step visible sh /tmp/bc.sh {checks}\n"
        "mount -t tmpfs none /srv/data\n"
        f"step over-mounted sh /tmp/bc.sh {checks}\n"
        # the covered mount point exists again (in the new tmpfs): only the mount table can tell
        "umount /srv/data && mount -t tmpfs none /srv && mkdir /srv/data\n"
        f"step parent-covered sh /tmp/bc.sh {checks}\n",
        flags=("--cap-add", "SYS_ADMIN", "-v", f"{shared_dir}:/srv/data"),
    )
    assert taps["visible"].line(1) == (
        f"not ok 1 - no host files visible: host mounts: /srv/data({host_fstype(shared_dir)})"
    ), taps["visible"].describe()
    assert taps["over-mounted"].line(1) == "ok 1 - no host files visible", taps["over-mounted"].describe()
    assert taps["parent-covered"].line(1) == "ok 1 - no host files visible", taps["parent-covered"].describe()


def test_a_host_socket_in_the_runtime_dir_is_found(
    bench: Bench, host: tuple[int, str], shared_dir: Path
) -> None:
    uid, _ = host
    # a socket file as a host session leaves it (nothing needs to listen: its presence is the leak)
    with socket.socket(socket.AF_UNIX) as fake_bus:
        fake_bus.bind(str(shared_dir / "bus"))
    bench.give(shared_dir)
    tap = run_checks(bench, f"sockets-closed={uid}", flags=("-v", f"{shared_dir}:/run/user/{uid}"))
    assert tap.status == 1, tap.describe()
    assert tap.line(1) == f"not ok 1 - no host socket reachable: sockets: /run/user/{uid}/bus", tap.describe()
    tap = run_checks(bench, f"sockets-closed={uid}", flags=("-v", f"{shared_dir}:/run/host/tmp"))
    assert tap.line(1) == "not ok 1 - no host socket reachable: sockets: /run/host/tmp/bus", tap.describe()


def test_host_spawn_is_probed_and_distrobox_host_exec_is_never_run(
    bench: Bench, host: tuple[int, str]
) -> None:
    uid, _ = host
    host_exec = bench.distrobox_bin / "distrobox-host-exec"
    # --network none: distrobox-host-exec downloads host-spawn from GitHub when it may; here it cannot.
    taps = run_steps(
        bench,
        f"step without-host-spawn sh /tmp/bc.sh sockets-closed={uid}\n"
        "printf '#!/bin/sh\\nexit 0\\n' > /usr/local/bin/host-spawn && chmod +x /usr/local/bin/host-spawn\n"
        f"step working-host-spawn sh /tmp/bc.sh sockets-closed={uid}\n",
        flags=("--network", "none", "-v", f"{host_exec}:/usr/bin/distrobox-host-exec:ro"),
    )
    assert taps["without-host-spawn"].line(1) == (
        "ok 1 - no host socket reachable "
        "(distrobox-host-exec without host-spawn: not run, it would download it)"
    ), taps["without-host-spawn"].describe()
    assert taps["working-host-spawn"].line(1) == (
        "not ok 1 - no host socket reachable: host-spawn runs commands on the host"
    ), taps["working-host-spawn"].describe()


def test_identity_and_privilege_of_a_ghost_user(
    bench: Bench, host: tuple[int, str], shared_dir: Path
) -> None:
    uid, _ = host
    checks = (
        f"identity=ghostx,{uid} identity=ghostx,4242 identity=nobody,{uid} no-privilege no-privilege=weakened"
    )
    tap = run_checks(
        bench,
        script="useradd -u 4242 -m ghostx && "
        "echo 'ghostx ALL=(ALL) NOPASSWD: ALL' > /etc/sudoers.d/ghostx && "
        f'exec su ghostx -c "sh -s -- {checks}"',
    )
    assert tap.line(1) == f"ok 1 - runs as ghostx, not as host uid {uid}, with a box-own HOME", tap.describe()
    assert tap.line(2).endswith(": uid is the host uid 4242"), tap.describe()
    assert tap.line(3).endswith(": user is ghostx"), tap.describe()
    assert tap.line(4) == "not ok 4 - no privilege: sudo -n true succeeds", tap.describe()
    assert (
        tap.line(5) == "not ok 5 - no privilege: sudo -n true succeeds # TODO weakened: identity.sudo is true"
    )
    assert tap.status == 1
    # a HOME bind-mounted from the host is not the box's own
    tap = run_checks(
        bench,
        script="useradd -u 4242 -M -d /home/ghostx ghostx && "
        f'exec su ghostx -c "sh -s -- identity=ghostx,{uid} no-privilege=weakened"',
        flags=("-v", f"{shared_dir}:/home/ghostx"),
    )
    assert tap.line(1).endswith(f": HOME /home/ghostx is on /home/ghostx {host_fstype(shared_dir)}"), tap.describe()
    assert tap.line(2) == "ok 2 - no privilege # TODO weakened: identity.sudo is true", tap.describe()


def test_distro_fixes_in_place_and_missing(bench: Bench) -> None:
    """distro-fixes as a user: passes with the real wrapper first on root's PATH and readable shadow files,
    and names each problem otherwise (Debian's own chpasswd, shadow at mode 000, a gshadow alone at 000,
    a fix it does not know)."""
    wrapper = (REPO / "templates" / "wrappers" / "chpasswd").read_text()
    check = "distro-fixes=chpasswd,fix-shadow-permissions"
    taps = run_steps(
        bench,
        "useradd -m u1 && chmod 0000 /etc/shadow\n"
        "step missing su u1 -c 'sh /tmp/bc.sh " + check + "'\n"
        "chmod 0400 /etc/shadow && chmod 0000 /etc/gshadow\n"
        "step gshadow su u1 -c 'sh /tmp/bc.sh distro-fixes=fix-shadow-permissions'\n"
        "chmod 0400 /etc/gshadow\n"
        "cat > /usr/local/bin/chpasswd << 'WRAPPER'\n" + wrapper + "WRAPPER\n"
        "chmod 0755 /usr/local/bin/chpasswd\n"
        "step fixed su u1 -c 'sh /tmp/bc.sh " + check + "'\n"
        "step unknown su u1 -c 'sh /tmp/bc.sh distro-fixes=chpasswd,nonsense'\n",
    )
    missing = taps["missing"]
    assert missing.line(1) == (
        "not ok 1 - distro fixes in place: chpasswd fix-shadow-permissions: chpasswd is /usr/sbin/chpasswd, "
        "not the wrapper; /etc/shadow is ----------"
    ), missing.describe()
    assert missing.status == 1
    assert taps["gshadow"].line(1).endswith(": /etc/gshadow is ----------"), taps["gshadow"].describe()
    assert taps["fixed"].line(1) == "ok 1 - distro fixes in place: chpasswd fix-shadow-permissions", \
        taps["fixed"].describe()
    assert taps["fixed"].status == 0
    assert taps["unknown"].line(1).endswith(": unknown fix nonsense"), taps["unknown"].describe()


def test_an_unknown_uid_with_session_variables(bench: Bench, host: tuple[int, str]) -> None:
    uid, _ = host
    tap = run_checks(
        bench,
        "no-privilege",
        f"identity=ghostx,{uid}",
        "env-clean",
        flags=("--user", "1234", "--env", "SSH_AUTH_SOCK=/never-shown", "--env", "GITHUB_TOKEN=never-shown"),
    )
    assert tap.status == 1, tap.describe()
    assert tap.line(1) == "ok 1 - no privilege", tap.describe()
    assert tap.line(2).startswith("not ok 2 - runs as ghostx") and "user is" in tap.line(2), tap.describe()
    assert tap.line(3) == (
        "not ok 3 - no session or secret variables in the environment: set: GITHUB_TOKEN SSH_AUTH_SOCK"
    ), tap.describe()
    assert "never-shown" not in tap.stdout + tap.stderr


def test_every_tcp_client_and_busybox_alone(
    bench: Bench, host: tuple[int, str], listener: int, closed_port: int, shared_dir: Path
) -> None:
    """The fallback chain, tool by tool, as root in a throwaway container; then busybox's sh and applets only
    (the host's static busybox, mounted); then nothing at all: the network checks fail closed."""
    host_busybox = shutil.which("busybox")
    require(host_busybox is not None, "busybox is not installed")
    # a copy on the host's disk: /usr/bin itself may be an overlay (a host that is itself a container)
    busybox = shutil.copy2(os.path.realpath(host_busybox), shared_dir / "busybox")
    busybox_fs = host_fstype(shared_dir)
    uid, home = host
    probes = (
        f"host-loopback-open={listener},{SLIRP_HOST} "
        f"host-loopback-closed={closed_port} host-loopback-closed={listener}"
    )
    taps = run_steps(
        bench,
        f"step bash sh /tmp/bc.sh {probes}\n"
        "rm -f /usr/bin/bash\n"
        f"step curl sh /tmp/bc.sh {probes}\n"
        "rm -f /usr/bin/curl\n"
        f"step wget sh /tmp/bc.sh {probes}\n"
        "rm -f /usr/bin/wget\n"
        f"step perl sh /tmp/bc.sh {probes}\n"
        "rm -f /usr/bin/perl*\n"
        f"step none sh /tmp/bc.sh {probes}\n"
        "mkdir /opt/bbin && /opt/bb/busybox --install -s /opt/bbin\n"
        f"step busybox env -i PATH=/opt/bbin HOME=/root /opt/bb/busybox sh /tmp/bc.sh {probes} "
        f"no-host-files={home},{uid} sockets-closed={uid} env-clean no-privilege=weakened "
        f"identity=root,{uid}\n",
        flags=(
            "--network",
            "slirp4netns:allow_host_loopback=true",
            "-v",
            f"{os.path.realpath(busybox)}:/opt/bb/busybox:ro",
        ),
    )
    assert set(taps) == {"bash", "curl", "wget", "perl", "none", "busybox"}, taps
    for client in ("bash", "curl", "wget", "perl", "busybox"):
        tap = taps[client]
        assert tap.line(1) == f"ok 1 - host loopback port {listener} open on {SLIRP_HOST}", (
            client,
            tap.describe(),
        )
        assert tap.ok(2), (client, tap.describe())
        assert tap.line(3).endswith(f": reachable: {SLIRP_HOST}:{listener}"), (client, tap.describe())
    tap = taps["none"]
    assert tap.status == 1
    for number in (1, 2, 3):
        assert tap.line(number).endswith(": no TCP client in the box"), tap.describe()
    tap = taps["busybox"]
    # the mounted busybox is itself a host file, and is found as one
    assert tap.line(4) == f"not ok 4 - no host files visible: host mounts: /opt/bb/busybox({busybox_fs})", (
        tap.describe()
    )
    assert tap.line(5) == "ok 5 - no host socket reachable", tap.describe()
    assert tap.line(6) == "ok 6 - no session or secret variables in the environment", tap.describe()
    assert tap.line(7).startswith("not ok 7 - no privilege: CapEff") and tap.line(7).endswith(
        " # TODO weakened: identity.sudo is true"
    ), tap.describe()
    assert tap.line(8) == f"ok 8 - runs as root, not as host uid {uid}, with a box-own HOME", tap.describe()


def test_the_mirror_comes_from_each_package_manager_configuration(bench: Bench) -> None:
    """apt (one-line with options, deb822), apk, yum/dnf, pacman; under --network none, so the parsed host and
    port show in the failure and nothing is contacted."""
    taps = run_steps(
        bench,
        "rm -f /etc/apt/sources.list\n"
        "echo 'deb [arch=amd64 signed-by=/usr/share/keyrings/x.gpg] "
        "http://opts.example.net/debian bookworm main'"
        " > /etc/apt/sources.list.d/opts.list\n"
        "step apt-list sh /tmp/bc.sh outbound-works\n"
        "rm /etc/apt/sources.list.d/opts.list\n"
        "printf 'Types: deb\\nURIs: https://deb822.example.org/debian\\nSuites: bookworm\\n'"
        " > /etc/apt/sources.list.d/debian.sources\n"
        "step deb822 sh /tmp/bc.sh outbound-works\n"
        "rm -r /etc/apt\n"
        "mkdir -p /etc/apk\n"
        "echo '@edge https://apk.example.org:8443/alpine/edge/main' > /etc/apk/repositories\n"
        "step apk sh /tmp/bc.sh outbound-works\n"
        "rm -r /etc/apk && mkdir -p /etc/yum.repos.d\n"
        "printf '[fedora]\\n#baseurl=http://download.example/pub/fedora\\n"
        "metalink=https://mirrors.fedoraproject.org/metalink?repo=fedora-$releasever\\n'"
        " > /etc/yum.repos.d/fedora.repo\n"
        "step yum sh /tmp/bc.sh outbound-works\n"
        "rm -r /etc/yum.repos.d && mkdir -p /etc/pacman.d\n"
        "printf '#Server = http://commented.example/\\n"
        "Server = https://geo.mirror.pkgbuild.com/$repo/os/$arch\\n'"
        " > /etc/pacman.d/mirrorlist\n"
        "step pacman sh /tmp/bc.sh outbound-works\n"
        "rm -r /etc/pacman.d\n"
        "step none sh /tmp/bc.sh outbound-works loopback-only\n",
        flags=("--network", "none"),
    )
    expected = {
        "apt-list": "opts.example.net:80",
        "deb822": "deb822.example.org:443",
        "apk": "apk.example.org:8443",
        "yum": "mirrors.fedoraproject.org:443",
        "pacman": "geo.mirror.pkgbuild.com:443",
    }
    for step, mirror in expected.items():
        host = mirror.split(":")[0]
        assert taps[step].line(1) == (
            f"not ok 1 - outbound network reaches the package mirror {mirror}: {host} does not resolve"
        ), taps[step].describe()
    assert taps["none"].line(1) == (
        "not ok 1 - outbound network reaches the package mirror: "
        "no http(s) package mirror in the box's package configuration"
    ), taps["none"].describe()
    assert taps["none"].line(2) == (
        "ok 2 - only loopback networking (no package mirror configured: name resolution not probed)"
    ), taps["none"].describe()
