"""The userlands the matrix runs boxes on: each distro's default image, the Debian images setup-bench
builds, and stand-ins that give a Debian image one trait of a distribution we cannot fetch here.

A stand-in is honest about what it is: it reproduces exactly the traits named in `emulates` with Debian's
real tools, the box is compiled with that distribution's adapter, and `probe` checks in the box that the
traits are there and that the adapter's fixes took effect. Everything else about the distribution
(its package manager, libc, PAM stack) is not reproduced and is not claimed.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from generator.tables import DISTROS

from .bench import BENCH_IMAGE, TRIXIE_IMAGE, Bench

STANDIN_REPOSITORY = "localhost/dbxsmith-standin"

# bash as /bin/sh (Fedora, Arch) and /etc/shadow + /etc/gshadow at mode 000 (Fedora, Arch).
_BASH_SH_SHADOW_000 = "RUN ln -sf bash /usr/bin/sh && chmod 000 /etc/shadow /etc/gshadow"

# In the box, as any user: /bin/sh is bash, distrobox's chpasswd calls reach the wrapper first, and the
# shadow files were opened to 0400 by fix-shadow-permissions (distrobox 1.8.2.5 does that itself; 1.8.1.2
# leaves them at 000).
_FEDORA_PROBE = (
    'set -e; test "$(readlink -f /bin/sh)" = /usr/bin/bash; '
    "test -x /usr/local/bin/chpasswd; grep -q dbxsmith-chpasswd-wrapper /usr/local/bin/chpasswd; "
    'test "$(stat -c %a /etc/shadow)" = 400; test "$(stat -c %a /etc/gshadow)" = 400'
)
_ARCH_PROBE = (
    'set -e; test "$(readlink -f /bin/sh)" = /usr/bin/bash; test ! -e /usr/local/bin/chpasswd; '
    'test "$(stat -c %a /etc/shadow)" = 400'
)
# The image's uid-owning `ubuntu` account was taken over by distrobox (renamed to the host user): no
# account is still called ubuntu, and the box user's uid is the host uid.
# busybox ash is /bin/sh, so distrobox-init, dbxsmith's runners and every hook ran in it.
_ALPINE_PROBE = 'set -e; test "$(readlink -f /bin/sh)" = /usr/bin/busybox; test -d /var/lib/dbxsmith/hooks'
_UBUNTU_PROBE = "set -e; ! getent passwd ubuntu; getent passwd {uid} | grep -q '^{user}:'"


@dataclass(frozen=True)
class Userland:
    column: str  # the matrix column
    adapter: str  # the distro adapter boxes are compiled with
    image: str  # the image boxes use (a stand-in's tag is derived from its recipe)
    base: str = ""  # a stand-in's base image
    recipe: str = ""  # a stand-in's Containerfile lines after FROM
    emulates: str = ""  # the traits a stand-in reproduces
    probe: str = ""  # shell run in the box after create; must exit 0

    @property
    def is_standin(self) -> bool:
        return bool(self.base)


def _standin(column: str, adapter: str, recipe: str, emulates: str, probe: str) -> Userland:
    # The base keeps /.containersetupdone, so airgapped boxes (no packages) use the stand-in as it is
    # and never run the adapter's bake recipe (dnf, pacman), which a Debian image could not.
    tag = hashlib.sha256(f"{TRIXIE_IMAGE}\n{recipe}".encode()).hexdigest()[:12]
    return Userland(column, adapter, f"{STANDIN_REPOSITORY}:{column}-{tag}", TRIXIE_IMAGE, recipe, emulates, probe)


def userlands(bench_uid: int, bench_gid: int, bench_user: str) -> list[Userland]:
    """Every matrix column: the four default images (run only where they can be pulled), Debian bookworm
    and trixie, and the stand-ins."""
    defaults = [Userland(d, d, DISTROS[d].default_image) for d in ("alpine", "arch", "fedora", "ubuntu")]
    return [
        *defaults,
        Userland("debian", "debian", BENCH_IMAGE),
        Userland("debian-trixie", "debian", TRIXIE_IMAGE),
        _standin("ubuntu-like", "ubuntu",
                 f"RUN groupadd --gid {bench_gid} ubuntu && "
                 f"useradd --create-home --uid {bench_uid} --gid {bench_gid} --shell /bin/bash ubuntu",
                 "Ubuntu 23.04+: the image already owns the host user's uid as `ubuntu`",
                 _UBUNTU_PROBE.format(uid=bench_uid, user=bench_user)),
        # Debian's dynamic busybox, like Alpine's, runs commands from PATH (busybox-static prefers its
        # own applets, and its mount cannot set up distrobox's devpts): apt fetches it at build time.
        _standin("alpine-like", "alpine",
                 "RUN apt-get update -q && apt-get install -y -q --no-install-recommends busybox && "
                 "rm -rf /var/lib/apt/lists/* && ln -sf busybox /usr/bin/sh",
                 "Alpine: /bin/sh is busybox ash (the other tools stay Debian's, as distrobox installs GNU tools "
                 "on Alpine too)", _ALPINE_PROBE),
        _standin("fedora-like", "fedora", _BASH_SH_SHADOW_000,
                 "Fedora: bash as /bin/sh, /etc/shadow and /etc/gshadow mode 000", _FEDORA_PROBE),
        _standin("arch-like", "arch", _BASH_SH_SHADOW_000,
                 "Arch: bash as /bin/sh, /etc/shadow mode 000", _ARCH_PROBE),
    ]


def ensure_image(bench: Bench, userland: Userland) -> bool:
    """Whether the userland's image is in the bench user's store; a stand-in is built when its base is."""
    if bench.run(["podman", "image", "exists", userland.image], check=False).returncode == 0:
        return True
    if not userland.is_standin:
        return False
    if bench.run(["podman", "image", "exists", userland.base], check=False).returncode != 0:
        return False
    context = bench.shared_dir(f"standin-{userland.column}")
    (context / "Containerfile").write_text(f"FROM {userland.base}\n{userland.recipe}\n")
    bench.give(context)
    bench.run(["podman", "build", "--quiet", "--tag", userland.image, str(context)], cwd=context)
    return True
