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


# ---------------------------------------------------------------------------------------------
# Distribution adapters: one entry per distribution. Adding a distribution means adding one here
# (and, if it needs them, its fixes under templates/wrappers).


@dataclass(frozen=True)
class Distro:
    name: str
    default_image: str  # a tag on distrobox's compatibility list
    box_shell: str  # what /bin/sh is in the default image (the shell hooks run in)
    package_manager: str  # apt | apk | pacman | dnf
    # What distrobox-init installs at first start when it finds a dependency missing (1.8.1.2 and 1.8.2.5):
    # a baked image holding these and /.containersetupdone starts with no network.
    distrobox_dependencies: tuple[str, ...]
    package_names: dict[str, str]  # common tool name -> this distribution's package name
    sudo_group: str  # the group distrobox puts the user in for sudo
    user_notes: str  # user conventions of the default image that distrobox has to cope with
    fixes: tuple[str, ...] = ()  # templates/wrappers/* installed by a pre-init hook in this distro's boxes

    def package(self, name: str) -> str:
        return self.package_names.get(name, name)

    def bake_command(self, packages: tuple[str, ...]) -> str:
        """The RUN line that installs distrobox's dependencies and `packages` into a baked image."""
        names = " ".join(sorted(set(self.distrobox_dependencies) | {self.package(p) for p in packages}))
        return {
            "apt": "export DEBIAN_FRONTEND=noninteractive && apt-get update && "
                   f"apt-get install -y --no-install-recommends {names} && rm -rf /var/lib/apt/lists/*",
            "apk": f"apk add --no-cache {names}",
            "pacman": f"pacman -Syu --noconfirm --needed {names} && pacman -Scc --noconfirm",
            "dnf": f"dnf install -y --setopt=install_weak_deps=False {names} && dnf clean all",
        }[self.package_manager]


APT_DEPENDENCIES = (
    "bash", "bc", "bsdutils", "bzip2", "coreutils", "curl", "diffutils", "findutils", "gpg", "hostname",
    "iputils-ping", "less", "lsof", "man-db", "mount", "openssh-client", "passwd", "pigz", "pinentry-curses",
    "procps", "rsync", "sudo", "time", "tree", "unzip", "util-linux", "wget", "xauth", "zip",
)
APT_NAMES = {"fd": "fd-find", "python": "python3", "pip": "python3-pip", "ssh": "openssh-client",
             "gpg": "gnupg", "build-tools": "build-essential", "node": "nodejs", "vim": "vim", "ripgrep": "ripgrep"}

DISTROS: dict[str, Distro] = {
    d.name: d
    for d in (
        Distro(
            "alpine", "docker.io/library/alpine:3.20", "busybox ash", "apk",
            ("bash", "bc", "bzip2", "coreutils", "curl", "diffutils", "findmnt", "findutils", "gnupg", "iproute2",
             "iputils", "less", "lsof", "mount", "ncurses", "pigz", "procps", "rsync", "shadow", "sudo", "tree",
             "tzdata", "umount", "unzip", "util-linux", "wget", "xauth", "xz", "zip"),
            {"fd": "fd", "python": "python3", "pip": "py3-pip", "ssh": "openssh-client", "gpg": "gnupg",
             "build-tools": "build-base", "node": "nodejs"},
            "wheel", "no user at uid 1000; shadow (useradd) comes from distrobox's set-up",
        ),
        Distro(
            "arch", "docker.io/library/archlinux:latest", "bash", "pacman",
            ("bash", "bc", "curl", "diffutils", "findutils", "gnupg", "inetutils", "iputils", "less", "lsof",
             "man-db", "openssh", "pigz", "pinentry", "procps-ng", "rsync", "shadow", "sudo", "time", "tree",
             "unzip", "util-linux", "wget", "xorg-xauth", "zip"),
            {"fd": "fd", "python": "python", "pip": "python-pip", "ssh": "openssh", "gpg": "gnupg",
             "build-tools": "base-devel", "node": "nodejs"},
            "wheel", "/etc/shadow ships mode 000 (pam_unix cannot read it in rootless boxes)",
            ("fix-shadow-permissions",),
        ),
        Distro(
            "fedora", "registry.fedoraproject.org/fedora:41", "bash", "dnf",
            ("bash", "bc", "bzip2", "curl", "diffutils", "findutils", "gnupg2", "hostname", "iproute", "iputils",
             "less", "lsof", "man-db", "openssh-clients", "passwd", "pigz", "pinentry", "procps-ng", "rsync",
             "shadow-utils", "sudo", "time", "tree", "unzip", "util-linux", "wget", "which", "xorg-x11-xauth",
             "zip"),
            {"fd": "fd-find", "python": "python3", "pip": "python3-pip", "ssh": "openssh-clients", "gpg": "gnupg2",
             "build-tools": "gcc make", "node": "nodejs"},
            "wheel", "/etc/shadow ships mode 000; shadow-utils 4.15+ rejects the MD5-hex 'hash' that distrobox "
                     "1.8.1.2 feeds to chpasswd -e",
            ("chpasswd", "fix-shadow-permissions"),
        ),
        Distro(
            "ubuntu", "docker.io/library/ubuntu:24.04", "dash", "apt", APT_DEPENDENCIES, APT_NAMES, "sudo",
            "23.04+ images already own uid 1000 as 'ubuntu'; distrobox renames it with usermod (#1979)",
        ),
        Distro(
            "debian", "docker.io/library/debian:bookworm", "dash", "apt", APT_DEPENDENCIES, APT_NAMES, "sudo",
            "no user at uid 1000",
        ),
    )
}
