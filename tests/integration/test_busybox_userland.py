"""Alpine's userland as far as we can build it here: a rootfs of Debian's busybox-static only (busybox
ash as /bin/sh, busybox applets: base64, mount, stat, awk, passwd), run with plain podman.

The compiled hooks of an Alpine box (the same ini value distrobox would pass) and the wrappers run in it
for real. What this cannot show: apk, musl, Alpine's shadow package; see docs/distros.md.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import REPO, require_tool
from generator.pipeline import build

from .bench import DISTROBOX_VERSIONS, Bench

IMAGE = "localhost/dbxsmith-busybox:test"

PROFILE = """\
name: bb
distros: [alpine]
hooks:
  pre_init:
    - mkdir -p /var/lib/bb && echo "pre-init under $(readlink /bin/sh)" > /var/lib/bb/pre
  init:
    - |
      printf '%s\\n' "it's \\"quoted\\" \\$HOME \\`x\\`" > /var/lib/bb/quoted
      exit 0
    - echo once >> /var/lib/bb/once
    - run: echo start >> /var/lib/bb/every
      when: start
"""


@pytest.fixture(scope="module")
def busybox_image():
    bench = Bench(DISTROBOX_VERSIONS[-1])
    bench.check_ready()
    busybox = require_tool("busybox")
    # A static busybox has no ELF interpreter (PT_INTERP names /lib64/ld-linux...), which a rootfs
    # without libc needs.
    assert b"/ld-linux" not in Path(busybox).resolve().read_bytes(), f"{busybox} must be busybox-static"
    root = bench.shared_dir("busybox-rootfs")
    rootfs = root / "rootfs"
    for directory in ("bin", "etc", "tmp", "var/lib", "usr/local/bin", "root", "proc", "sys", "dev", "run"):
        (rootfs / directory).mkdir(parents=True, exist_ok=True)
    shutil.copy2(busybox, rootfs / "bin" / "busybox")
    applets = subprocess.run([busybox, "--list"], capture_output=True, text=True, check=True).stdout.split()
    for applet in applets:
        if applet != "busybox":
            (rootfs / "bin" / applet).symlink_to("busybox")
    (rootfs / "etc" / "passwd").write_text("root:x:0:0:root:/root:/bin/sh\nu:x:1000:1000::/tmp:/bin/sh\n")
    (rootfs / "etc" / "group").write_text("root:x:0:\nu:x:1000:\n")
    (rootfs / "etc" / "shadow").write_text("root:!:1::::::\nu:!:1::::::\n")
    bench.give(root)
    archive = root / "rootfs.tar"
    subprocess.run(["tar", "-C", str(rootfs), "-cf", str(archive), "."], check=True)
    bench.give(root)
    bench.run(["podman", "import", str(archive), IMAGE])
    yield bench
    bench.run(["podman", "rmi", "--force", IMAGE], check=False)


def _ini_values(tmp_path: Path) -> dict[str, str]:
    profile = tmp_path / "bb.yaml"
    profile.write_text(PROFILE)
    tree = build([profile]).tree
    ini = tree["distrobox.ini"].content.decode()
    return dict(line.split("=", 1) for line in ini.splitlines() if line.endswith("| sh") and "_hooks=" in line)


def test_compiled_alpine_hooks_run_in_busybox_ash(busybox_image: Bench, tmp_path: Path) -> None:
    bench = busybox_image
    values = _ini_values(tmp_path)
    name = "bb-userland"
    bench.run(["podman", "rm", "--force", name], check=False)
    bench.run(["podman", "run", "-d", "--name", name, IMAGE, "sleep", "600"])
    try:
        for _start in range(2):
            for key in ("pre_init_hooks", "init_hooks"):
                # As distrobox-init evaluates it: errexit, nounset, an unquoted eval.
                bench.run(["podman", "exec", name, "sh", "-c", "set -o errexit -o nounset; eval ${1}", "sh",
                           values[key]])
        read = bench.run(["podman", "exec", name, "sh", "-c",
                          "cd /var/lib/bb && for f in pre quoted once every; do printf '%s:' $f; cat $f; done"])
        assert read.stdout.decode() == (
            "pre:pre-init under busybox\n"
            "quoted:it's \"quoted\" $HOME `x`\n"
            "once:once\n"
            "every:start\nstart\n"
        )
        prompt = bench.run(["podman", "exec", name, "sh", "-c", ". /etc/profile.d/zz-dbxsmith-prompt.sh; "
                            "printf '%s' \"$PS1\""]).stdout.decode()
        assert "[std]" in prompt
    finally:
        bench.run(["podman", "rm", "--force", name], check=False)


def test_wrappers_run_with_busybox_applets(busybox_image: Bench) -> None:
    bench = busybox_image
    wrappers = bench.shared_dir("wrappers")  # the checkout may not be readable by the bench user
    for wrapper in ("chpasswd", "fix-shadow-permissions"):
        shutil.copy2(REPO / "templates" / "wrappers" / wrapper, wrappers / wrapper)
    bench.give(wrappers)
    script = (
        "set -eu\n"
        "chmod 000 /etc/shadow\n"
        "sh /w/fix-shadow-permissions\n"
        "ls -l /etc/shadow | cut -c1-10\n"
        "cp /w/chpasswd /usr/local/bin/chpasswd && chmod 755 /usr/local/bin/chpasswd\n"
        "printf 'u:5f4dcc3b5aa765d61d8327deb882cf99' | PATH=/usr/local/bin:/bin chpasswd -e 2>/dev/null\n"
        "grep '^u:' /etc/shadow | cut -d: -f1,2\n"
    )
    result = bench.run(["podman", "run", "--rm", "-i", "-v", f"{wrappers}:/w:ro", IMAGE, "sh", "-s"],
                       input=script.encode(), check=False)
    assert result.returncode == 0, result.stderr.decode()
    assert result.stdout.decode().splitlines() == ["-r--------", "u:"]
