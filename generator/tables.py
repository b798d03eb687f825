"""Data that several stages read: the strategies, their guarantees and the distributions, in one place.

Rendering (ini keys, internal hooks), `dbxsmith verify` (which checks run) and `dbxsmith-gen explain`
(what is shared, what is closed) all read these tables, so they cannot disagree.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Strategy:
    name: str
    summary: str
    own_netns: bool  # unshare_netns: the box gets its own network namespace
    network: bool  # outbound network works
    ghost: bool  # separate identity and home, host files masked, entered without distrobox
    color: str  # default prompt colour of its boxes
    badge: str  # default prompt badge of its boxes

    @property
    def airgapped(self) -> bool:
        return not self.network

    @property
    def closes_host_sockets(self) -> bool:
        return self.airgapped or self.ghost

    @property
    def cleans_environment(self) -> bool:
        return self.airgapped or self.ghost

    def ini(self) -> list[tuple[str, str]]:
        keys: list[tuple[str, str]] = []
        if self.own_netns:
            keys.append(("unshare_netns", "true"))
        if self.ghost:
            # Own /dev, /sys, IPC and PID namespace: host processes and devices stay out of sight.
            keys += [("unshare_devsys", "true"), ("unshare_groups", "true"), ("unshare_ipc", "true"),
                     ("unshare_process", "true")]
        if self.airgapped:
            # unshare_netns alone keeps slirp4netns/pasta; only "none" removes every interface but lo.
            keys.append(("additional_flags", "--network none"))
        return keys


STRATEGIES: dict[str, Strategy] = {
    s.name: s
    for s in (
        Strategy("standard", "plain distrobox: shares home, network, sockets and environment with the host",
                 own_netns=False, network=True, ghost=False, color="green", badge="std"),
        Strategy("isolated-net", "own network namespace; outbound network works, host loopback is unreachable",
                 own_netns=True, network=True, ghost=False, color="cyan", badge="net"),
        Strategy("airgapped", "no network at all and no host sockets; the home is still shared",
                 own_netns=True, network=False, ghost=False, color="blue", badge="air"),
        Strategy("ghost", "separate identity and home; no host file, socket or environment is visible",
                 own_netns=False, network=True, ghost=True, color="magenta", badge="ghost"),
        Strategy("ghost-isolated-net", "ghost, plus its own network namespace",
                 own_netns=True, network=True, ghost=True, color="magenta", badge="ghost+net"),
        Strategy("ghost-airgapped", "ghost, plus no network at all",
                 own_netns=True, network=False, ghost=True, color="red", badge="ghost+air"),
    )
}


# Prompt colours: ANSI SGR foreground codes.
COLORS = {"black": 30, "red": 31, "green": 32, "yellow": 33, "blue": 34, "magenta": 35, "cyan": 36, "white": 37}


@dataclass(frozen=True)
class Guarantee:
    """One row of the guarantee table: who promises it, and how `dbxsmith verify` checks it."""

    id: str
    description: str
    where: str  # "box": checked inside the box by templates/verify/box-checks.sh; "host": by dbxsmith


def guarantees(strategy: Strategy) -> list[Guarantee]:
    """The guarantees `strategy` makes, in the order verify reports them."""
    rows: list[Guarantee] = []
    rows.append(Guarantee("own-netns" if strategy.own_netns else "shared-netns",
                          "own network namespace" if strategy.own_netns else "shares the host network namespace",
                          "host"))
    if strategy.network:
        rows.append(Guarantee("outbound-works", "outbound network works (package mirror reachable)", "box"))
    else:
        rows.append(Guarantee("loopback-only", "only lo, no default route, DNS fails", "box"))
    if strategy.own_netns:
        rows.append(Guarantee("host-loopback-closed", "host loopback services unreachable", "box"))
    if strategy.closes_host_sockets:
        rows.append(Guarantee("sockets-closed", "host sockets closed; distrobox-host-exec fails", "box"))
    if strategy.ghost:
        rows.append(Guarantee("identity", "separate identity; home not on the host", "box"))
        rows.append(Guarantee("no-host-files", "no host file readable or writable from the box", "box"))
    if strategy.cleans_environment:
        rows.append(Guarantee("env-clean", "host environment not forwarded", "box"))
    if strategy.ghost:
        rows.append(Guarantee("no-privilege", "masks cannot be undone from inside (no root, no sudo)", "box"))
        rows.append(Guarantee("no-leftovers", "nothing left on the host after rm", "host"))
    return rows


# What distrobox-init checks for before it decides a box needs no package set-up (both 1.8.1.2 and
# 1.8.2.5), as Debian/Ubuntu packages: a baked image with these and /.containersetupdone starts offline.
APT_DISTROBOX_DEPENDENCIES = (
    "bash", "bc", "bsdutils", "bzip2", "coreutils", "curl", "diffutils", "findutils", "gpg", "hostname",
    "iputils-ping", "less", "lsof", "man-db", "mount", "openssh-client", "passwd", "pigz", "pinentry-curses",
    "procps", "rsync", "sudo", "time", "tree", "unzip", "util-linux", "wget", "xauth", "zip",
)


@dataclass(frozen=True)
class Distro:
    name: str
    default_image: str
    box_shell: str  # what /bin/sh is inside the default image
    bake_dependencies: tuple[str, ...] = ()  # empty: no bake recipe for this distro yet

    def bake_command(self, packages: tuple[str, ...]) -> str:
        """The RUN line that installs distrobox's dependencies and `packages` into a baked image."""
        names = " ".join(sorted(set(self.bake_dependencies) | set(packages)))
        return ("export DEBIAN_FRONTEND=noninteractive && apt-get update && "
                f"apt-get install -y --no-install-recommends {names} && rm -rf /var/lib/apt/lists/*")


DISTROS: dict[str, Distro] = {
    d.name: d
    for d in (
        Distro("alpine", "docker.io/library/alpine:3.20", "busybox ash"),
        Distro("arch", "docker.io/library/archlinux:latest", "bash"),
        Distro("fedora", "registry.fedoraproject.org/fedora:41", "bash"),
        Distro("ubuntu", "docker.io/library/ubuntu:24.04", "dash", APT_DISTROBOX_DEPENDENCIES),
        Distro("debian", "docker.io/library/debian:bookworm", "dash", APT_DISTROBOX_DEPENDENCIES),
    )
}
