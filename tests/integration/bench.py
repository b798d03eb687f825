"""The real rootless podman + distrobox bench (built by .ci/setup-bench), as a reusable test helper.

Every later feature adds cases that use `Bench`, not machinery of its own.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from conftest import REPO, require

AS_BENCH_USER = REPO / ".ci" / "as-bench-user"
BENCH_USER = os.environ.get("DBXSMITH_BENCH_USER", "dbxtest")
BENCH_ROOT = Path(os.environ.get("DBXSMITH_BENCH_ROOT", "/opt/dbxsmith-bench"))
BENCH_IMAGE = os.environ.get("DBXSMITH_BENCH_IMAGE", "localhost/dbxsmith-debian:bookworm")
TRIXIE_IMAGE = os.environ.get("DBXSMITH_BENCH_IMAGE_TRIXIE", "localhost/dbxsmith-debian:trixie")
DISTROBOX_VERSIONS = ("1.8.1.2", "1.8.2.5")


def bench_state() -> dict[str, str]:
    """What .ci/setup-bench recorded about this machine (podman version, default rootless network, ...)."""
    state: dict[str, str] = {}
    path = BENCH_ROOT / "state.env"
    if path.exists():
        for line in path.read_text().splitlines():
            key, sep, value = line.partition("=")
            if sep and key.startswith("DBXSMITH_BENCH_"):
                state[key] = value
    return state


def _bench_user_exists() -> bool:
    try:
        pwd.getpwnam(BENCH_USER)
    except KeyError:
        return False
    return True


@dataclass
class Bench:
    """Runs commands as the unprivileged bench user with one distrobox release first on PATH."""

    version: str

    @property
    def distrobox_bin(self) -> Path:
        return BENCH_ROOT / f"distrobox-{self.version}" / "usr" / "bin"

    @property
    def user(self) -> pwd.struct_passwd:
        return pwd.getpwnam(BENCH_USER)

    def check_ready(self) -> None:
        require(os.geteuid() == 0, "the bench tests run as root (they switch to the bench user)")
        require(_bench_user_exists(), f"bench user {BENCH_USER} is missing (run .ci/setup-bench)")
        require((self.distrobox_bin / "distrobox").exists(), f"distrobox {self.version} is not installed")
        require(shutil.which("podman") is not None, "podman is not installed")
        image = self.run(["podman", "image", "exists", BENCH_IMAGE], check=False)
        require(image.returncode == 0, f"bench image {BENCH_IMAGE} is missing (run .ci/setup-bench)")

    def run(
        self,
        argv: list[str],
        *,
        cwd: Path | None = None,
        env: dict[str, str] | None = None,
        input: bytes | None = None,
        check: bool = True,
        timeout: float = 600,
    ) -> subprocess.CompletedProcess[bytes]:
        prefix = [str(AS_BENCH_USER)]
        if cwd is not None:
            prefix += ["-C", str(cwd)]
        extra = [f"{key}={value}" for key, value in (env or {}).items()]
        command = [*prefix, "env", *extra, *argv] if extra else [*prefix, *argv]
        result = subprocess.run(
            command,
            input=input,
            capture_output=True,
            timeout=timeout,
            env={**os.environ, "DBX_VERSION": self.version},
        )
        if check and result.returncode != 0:
            raise AssertionError(
                f"{argv} exited {result.returncode}\nstdout:\n{result.stdout.decode(errors='replace')[-3000:]}"
                f"\nstderr:\n{result.stderr.decode(errors='replace')[-3000:]}"
            )
        return result

    def shared_dir(self, prefix: str) -> Path:
        """A fresh directory owned by the bench user (root's pytest tmp dirs are not readable by it)."""
        path = Path(tempfile.mkdtemp(prefix=f"dbxsmith-{prefix}-", dir="/tmp"))
        user = self.user
        os.chown(path, user.pw_uid, user.pw_gid)
        path.chmod(0o755)
        return path

    def give(self, path: Path) -> None:
        """Hand a tree over to the bench user."""
        user = self.user
        for item in [path, *path.rglob("*")]:
            os.chown(item, user.pw_uid, user.pw_gid, follow_symlinks=False)

    def containers(self) -> list[str]:
        out = self.run(["podman", "ps", "-a", "--format", "{{.Names}}"]).stdout.decode()
        return sorted(out.split())

    def volumes(self) -> list[str]:
        out = self.run(["podman", "volume", "ls", "--format", "{{.Name}}"]).stdout.decode()
        return sorted(out.split())
