#!/usr/bin/env python3
"""Benchmark: cold bake time per userland this machine can build, on real rootless podman.

For each userland (Debian bookworm, Debian trixie, the ubuntu-like stand-in), the Containerfile that
`dbxsmith-gen` writes for an airgapped box (distrobox's dependencies, plus `--packages` if given) is built
with `podman build --no-cache`, --runs times. The baseline, in the same invocation and on the same base, is
the same Containerfile with the install line replaced by `true`: the cost of podman itself. Prints the
median per userland, the ratio to its baseline, and the short-cut that `dbxsmith create` takes instead of a
bake when the image is already set up (one throw-away `podman run` plus `podman tag`).

Alpine, Arch and Fedora bakes (apk, pacman, dnf) cannot be built here: no registry, no base image.
Run as root with the bench installed (.ci/setup-bench). Usage:
    python bench/bake_benchmark.py [--runs N] [--packages jq,tree]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "tests")]

from conftest import run_cli  # noqa: E402
from integration.bench import DISTROBOX_VERSIONS, Bench  # noqa: E402
from integration.userlands import ensure_image, userlands  # noqa: E402

BUILDABLE = ("debian", "debian-trixie", "ubuntu-like")
TAG = "localhost/dbxsmith-bakebench:latest"


def containerfile(bench: Bench, adapter: str, image: str, packages: list[str]) -> str:
    work = bench.shared_dir("bakebench")
    profile = {"name": "bb", "strategy": "airgapped", "distros": [adapter], "images": {adapter: image},
               "packages": packages}
    (work / "p.yaml").write_text(yaml.safe_dump(profile))
    built = run_cli("build", "p.yaml", "-o", "dist", cwd=work)
    if built.returncode != 0:
        raise SystemExit(built.stderr)
    return (work / "dist" / f"bb-{adapter}.Containerfile").read_text()


def timed_build(bench: Bench, text: str) -> float:
    context = bench.shared_dir("bakebench-ctx")
    (context / "Containerfile").write_text(text)
    bench.give(context)
    started = time.perf_counter()
    bench.run(["podman", "build", "--no-cache", "--quiet", "--tag", TAG, str(context)], cwd=context, timeout=1200)
    return time.perf_counter() - started


def timed_shortcut(bench: Bench, image: str) -> float:
    started = time.perf_counter()
    bench.run(["podman", "run", "--rm", "--network", "none", "--entrypoint", "/bin/sh", image, "-c",
               "test -e /.containersetupdone"])
    bench.run(["podman", "tag", image, TAG])
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--packages", default="", help="comma-separated packages to bake in as well")
    args = parser.parse_args()
    packages = [p for p in args.packages.split(",") if p]
    bench = Bench(DISTROBOX_VERSIONS[-1])
    bench.check_ready()
    user = bench.user
    rows = []
    for userland in userlands(user.pw_uid, user.pw_gid, user.pw_name):
        if userland.column not in BUILDABLE:
            continue
        if not ensure_image(bench, userland):
            rows.append(f"| {userland.column} | not run: image unavailable | | | |")
            continue
        recipe = containerfile(bench, userland.adapter, userland.image, packages)
        baseline = "\n".join("RUN true" if line.startswith("RUN ") and "touch" not in line else line
                             for line in recipe.splitlines())
        bakes, bases, shortcuts = [], [], []
        for _ in range(args.runs):  # interleaved, so drift in load hits both alike
            bases.append(timed_build(bench, baseline))
            bakes.append(timed_build(bench, recipe))
            shortcuts.append(timed_shortcut(bench, userland.image))
        bake, base, shortcut = (statistics.median(x) for x in (bakes, bases, shortcuts))
        rows.append(f"| {userland.column} ({userland.adapter} adapter) | {bake:.1f} s | {base:.1f} s | "
                    f"{bake / base:.1f}x | {shortcut:.2f} s |")
        print(f"{userland.column}: bake {['%.1f' % b for b in bakes]} baseline {['%.1f' % b for b in bases]} "
              f"shortcut {['%.2f' % s for s in shortcuts]}", file=sys.stderr)
    bench.run(["podman", "rmi", "--force", TAG], check=False)
    print(f"Cold bake (podman build --no-cache), median of {args.runs}, packages: {packages or 'none'}")
    print("| userland | bake | baseline (RUN true) | ratio | set-up image short-cut |")
    print("|---|---|---|---|---|")
    print("\n".join(rows))
    print("| alpine, arch, fedora | not run: no base image can be fetched here (apk, pacman, dnf) | | | |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
