"""Data that several stages read: the strategies and the distributions, in one place.

`explain`, `verify` and rendering all read these tables so they cannot disagree.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Strategy:
    name: str
    implemented: bool
    summary: str


STRATEGIES: dict[str, Strategy] = {
    s.name: s
    for s in (
        Strategy("standard", True, "plain distrobox integration: shares home, network, sockets with the host"),
        Strategy("isolated-net", False, "own network namespace"),
        Strategy("airgapped", False, "no network at all"),
        Strategy("ghost", False, "separate identity and home; sees nothing of the host"),
        Strategy("ghost-isolated-net", False, "ghost plus its own network namespace"),
        Strategy("ghost-airgapped", False, "ghost plus no network at all"),
    )
}


@dataclass(frozen=True)
class Distro:
    name: str
    default_image: str
    box_shell: str  # what /bin/sh is inside the default image


DISTROS: dict[str, Distro] = {
    d.name: d
    for d in (
        Distro("alpine", "docker.io/library/alpine:3.20", "busybox ash"),
        Distro("arch", "docker.io/library/archlinux:latest", "bash"),
        Distro("fedora", "registry.fedoraproject.org/fedora:41", "bash"),
        Distro("ubuntu", "docker.io/library/ubuntu:24.04", "dash"),
        Distro("debian", "docker.io/library/debian:bookworm", "dash"),
    )
}
