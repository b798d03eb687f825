#!/usr/bin/env python3
"""Benchmark: create + first enter of one box per strategy, against plain distrobox on the same image.

For each of the six strategies, one baked Debian box (`bake: true`, base localhost/dbxsmith-debian:bookworm)
is created with `dist/dbxsmith create BOX` (which includes the first start), entered once with
`dist/dbxsmith enter BOX -- true` and removed with `dist/dbxsmith rm BOX`. Interleaved with every one
of those, a plain `distrobox create --yes --no-entry --image <the same baked tag>` + `distrobox enter
-- true` + `distrobox rm --force` is the baseline, so both share the machine's noise. Everything runs
as the unprivileged bench user (tests/integration/bench.py, .ci/as-bench-user); run as root.

The bake is excluded from the timings: one warm-up create per strategy runs first, and the first of
them is reported as "first create incl. bake". When the baked tag already exists (other tests share
it), a cold `podman build --no-cache` of the same Containerfile into a throwaway bm- tag measures the
bake instead; the shared tag is never removed. Every box is named bm-...; all are removed at the end,
also on errors and Ctrl-C.

Not a test: machines are noisy, so read the ratios.
Usage: python bench/strategy_benchmark.py [--runs N] [--versions 1.8.2.5,1.8.1.2] [--no-cold-bake]
                                          [--shared-dist]
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "tests")]

from generator.tables import STRATEGIES  # noqa: E402
from integration.bench import AS_BENCH_USER, BENCH_IMAGE, DISTROBOX_VERSIONS, Bench  # noqa: E402

PREFIX = "bm-"
TARGET_RATIO = 1.3
TARGET_BOX_SECONDS = 2.0
TARGET_ROUND_SECONDS = 120.0


class Failed(Exception):
    """A command of the benchmark failed; its output is in the message."""


class Stop:
    """Ctrl-C or SIGTERM: the running command finishes (so no orphaned distrobox goes on creating a box
    after the clean-up), then the benchmark stops and removes its boxes. A second signal stops at once."""

    requested = False

    @classmethod
    def handler(cls, signum: int, frame: object) -> None:
        if cls.requested:
            raise KeyboardInterrupt
        cls.requested = True
        print("\nstopping after the current command (again to stop at once)", file=sys.stderr, flush=True)

    @classmethod
    def check(cls) -> None:
        if cls.requested:
            raise KeyboardInterrupt


def _tail(data: bytes, lines: int = 15) -> str:
    return "\n".join(data.decode(errors="replace").splitlines()[-lines:])


@dataclass
class Box:
    """The box of one strategy, the bench it runs on and the work directory holding its dist/."""

    bench: Bench
    work: Path
    name: str


@dataclass
class Samples:
    create: list[float] = field(default_factory=list)
    enter: list[float] = field(default_factory=list)
    rm: list[float] = field(default_factory=list)
    second_enter: list[float] = field(default_factory=list)  # plain boxes only: a second distrobox enter
    failures: int = 0

    @property
    def create_enter(self) -> list[float]:
        return [c + e for c, e in zip(self.create, self.enter)]

    @property
    def create_two_enters(self) -> list[float]:
        return [c + e + s for c, e, s in zip(self.create, self.enter, self.second_enter)]


class Run:
    """All boxes of one invocation, so that every one of them is removed at the end."""

    def __init__(self) -> None:
        self.created: dict[str, Bench] = {}  # box name -> the bench (user, version) it was created with
        self.baked_probes: list[tuple[Bench, str]] = []
        self.work_dirs: list[Path] = []

    def timed(self, bench: Bench, argv: list[str], *, cwd: Path, what: str) -> tuple[float, bytes]:
        Stop.check()
        start = time.perf_counter()
        result = bench.run(argv, cwd=cwd, check=False)
        seconds = time.perf_counter() - start
        Stop.check()
        if result.returncode != 0:
            raise Failed(f"{what}: exit {result.returncode}\n{_tail(result.stdout)}\n{_tail(result.stderr)}")
        return seconds, result.stdout

    def exists(self, bench: Bench, name: str) -> bool:
        return bench.run(["podman", "container", "exists", name], check=False).returncode == 0

    def force_remove(self, bench: Bench, name: str) -> None:
        """Removes one of our boxes whatever state it is in (never called for a name without bm-)."""
        assert name.startswith(PREFIX), name
        if self.exists(bench, name):
            bench.run(["podman", "stop", "--time", "2", name], check=False, timeout=120)
            bench.run(["distrobox", "rm", "--force", name], check=False, timeout=120)
        if self.exists(bench, name):
            bench.run(["podman", "rm", "--force", "--volumes", name], check=False, timeout=120)
        bench.run(["rm", "-f", f"{bench.user.pw_dir}/.local/share/applications/{name}.desktop"], check=False)

    def cleanup(self, *, interrupted: bool) -> list[str]:
        left = []
        # After a hard interrupt, a killed as-bench-user may leave a distrobox create running: look twice.
        for attempt in range(2 if interrupted else 1):
            if attempt:
                time.sleep(5)
            left = []
            for name, bench in self.created.items():
                try:
                    self.force_remove(bench, name)
                    if self.exists(bench, name):
                        left.append(name)
                except subprocess.TimeoutExpired:
                    left.append(name)
        for bench, tag in self.baked_probes:
            bench.run(["podman", "rmi", "--force", tag], check=False, timeout=300)
        if self.created:
            bench = next(iter(self.created.values()))
            bench.run(["rmdir", f"{bench.user.pw_dir}/.cache/distrobox"], check=False)
        for work in self.work_dirs:
            shutil.rmtree(work, ignore_errors=True)
        return left

    # One measurement: create (incl. first start), first enter, rm.

    def strategy_box(self, box: Box) -> tuple[float, float, float, bytes]:
        if self.exists(box.bench, box.name):  # left over from an interrupted earlier invocation
            self.force_remove(box.bench, box.name)
        self.created[box.name] = box.bench
        dist = str(box.work / "dist" / "dbxsmith")
        create, output = self.timed(box.bench, [dist, "create", box.name], cwd=box.work,
                                    what=f"create {box.name}")
        enter, _ = self.timed(box.bench, [dist, "enter", box.name, "--", "true"], cwd=box.work,
                              what=f"enter {box.name}")
        rm, _ = self.timed(box.bench, [dist, "rm", box.name], cwd=box.work, what=f"rm {box.name}")
        return create, enter, rm, output

    def plain_box(self, bench: Bench, empty: Path, name: str, image: str
                  ) -> tuple[float, float, float, float]:
        if self.exists(bench, name):
            self.force_remove(bench, name)
        self.created[name] = bench
        argv = ["distrobox", "create", "--yes", "--no-entry", "--name", name, "--image", image]
        create, _ = self.timed(bench, argv, cwd=empty, what=f"distrobox create {name}")
        enter, _ = self.timed(bench, ["distrobox", "enter", name, "--", "true"], cwd=empty,
                              what=f"distrobox enter {name}")
        # dbxsmith create already ran one enter (the first start), so its timed enter is the second.
        second, _ = self.timed(bench, ["distrobox", "enter", name, "--", "true"], cwd=empty,
                               what=f"second distrobox enter {name}")
        rm, _ = self.timed(bench, ["distrobox", "rm", "--force", name], cwd=empty,
                           what=f"distrobox rm {name}")
        return create, enter, second, rm


def check_ready(bench: Bench) -> None:
    problems = []
    if os.geteuid() != 0:
        problems.append("run as root (commands switch to the bench user)")
    else:
        try:
            _ = bench.user
        except KeyError:
            problems.append("the bench user is missing (run .ci/setup-bench)")
        if not (bench.distrobox_bin / "distrobox").exists():
            problems.append(f"distrobox {bench.version} is not installed at {bench.distrobox_bin}")
        elif bench.run(["podman", "image", "exists", BENCH_IMAGE], check=False).returncode != 0:
            problems.append(f"bench image {BENCH_IMAGE} is missing (run .ci/setup-bench)")
    if problems:
        sys.exit("strategy_benchmark: " + "; ".join(problems))


def _build(run: Run, bench: Bench, label: str, strategies: list[str]) -> tuple[dict[str, Box], set[str]]:
    """Builds one dist/ holding one baked debian box of each of `strategies`."""
    tag = bench.version.replace(".", "")
    work = bench.shared_dir(f"{PREFIX}{label}-{tag}")
    run.work_dirs.append(work)
    profiles, boxes = [], {}
    for strategy in strategies:
        name = f"{PREFIX}{tag}-{strategy}"
        path = work / f"{strategy}.yaml"
        path.write_text(yaml.safe_dump({"name": name, "strategy": strategy, "distros": ["debian"],
                                        "images": {"debian": BENCH_IMAGE}, "bake": True}))
        profiles.append(path.name)
        boxes[strategy] = Box(bench, work, f"{name}-debian")
    result = subprocess.run([sys.executable, "-m", "generator", "build", *profiles, "-o", "dist"], cwd=work,
                            capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(REPO)})
    if result.returncode != 0:
        raise Failed(f"dbxsmith-gen build: exit {result.returncode}\n{result.stderr}")
    (work / "empty").mkdir()
    bench.give(work)
    images = {line.split("=", 1)[1] for line in (work / "dist" / "distrobox.ini").read_text().splitlines()
              if line.startswith("image=")}
    return boxes, images


def build_dists(run: Run, bench: Bench, shared: bool) -> tuple[dict[str, Box], str]:
    """One baked debian box per strategy, each in its own dist/ (or all in one with `shared`).

    Returns {strategy: box} and the baked image tag, which is the same for all six (same recipe).
    """
    boxes: dict[str, Box] = {}
    images: set[str] = set()
    groups = [list(STRATEGIES)] if shared else [[strategy] for strategy in STRATEGIES]
    for group in groups:
        built, found = _build(run, bench, "all" if shared else group[0], group)
        boxes.update(built)
        images |= found
    if len(images) != 1 or not next(iter(images)).startswith("localhost/dbxsmith-baked:"):
        raise Failed(f"expected one shared baked image in distrobox.ini, found {sorted(images)}")
    return boxes, images.pop()


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


@dataclass
class Warmup:
    first: tuple[str, float]  # the first strategy created and its create + first enter, bake included
    baked_here: bool  # did that warm-up bake the image (False: the tag already existed)
    had_image: bool
    parse: dict[str, float]  # strategy -> distrobox assemble create --dry-run of its box
    create_dry_run: float  # plain distrobox create --dry-run, to read the column above against


def warm_up(run: Run, bench: Bench, boxes: dict[str, Box], empty: Path, baked: str) -> Warmup:
    """One create per strategy (the first bakes the image if the tag is missing) and one plain box."""
    had_image = bench.run(["podman", "image", "exists", baked], check=False).returncode == 0
    first: tuple[str, float] | None = None
    baked_here = False
    parse: dict[str, float] = {}
    for strategy, box in boxes.items():
        create, enter, _, output = run.strategy_box(box)
        first = first or (strategy, create + enter)
        baked_here = baked_here or b"baking" in output
        # distrobox assemble without a container: reading the ini (1.8.2.5 adds a distrobox create --dry-run).
        ini = str(box.work / "dist" / "distrobox.ini")
        argv = ["distrobox", "assemble", "create", "--dry-run", "--file", ini, "--name", box.name]
        parse[strategy] = median([run.timed(bench, argv, cwd=empty, what="assemble --dry-run")[0]
                                  for _ in range(3)])
    tag = bench.version.replace(".", "")
    run.plain_box(bench, empty, f"{PREFIX}plain-{tag}-warmup", baked)
    argv = ["distrobox", "create", "--dry-run", "--yes", "--no-entry", "--name", f"{PREFIX}dry-{tag}",
            "--image", baked]
    create_dry_run = median([run.timed(bench, argv, cwd=empty, what="create --dry-run")[0] for _ in range(3)])
    assert first is not None
    return Warmup(first, baked_here, had_image, parse, create_dry_run)


def cold_bake(run: Run, bench: Bench, box: Box, empty: Path) -> float:
    """podman build --no-cache of the box's Containerfile into a throwaway bm- tag (removed again)."""
    probe = f"localhost/{PREFIX}bake-probe:{bench.version.replace('.', '')}"
    run.baked_probes.append((bench, probe))
    containerfile = box.work / "dist" / f"{box.name}.Containerfile"
    argv = ["podman", "build", "--no-cache", "--tag", probe, "--file", str(containerfile), str(empty)]
    seconds, _ = run.timed(bench, argv, cwd=empty, what="cold bake probe")
    bench.run(["podman", "rmi", "--force", probe], check=False, timeout=300)
    run.baked_probes.remove((bench, probe))
    return seconds


@dataclass
class Rounds:
    boxes: dict[str, Samples]
    baseline: dict[str, Samples]  # the plain boxes, each paired with one measurement of the strategy
    create_enter: list[float] = field(default_factory=list)  # per round: six creates + first enters
    with_rm: list[float] = field(default_factory=list)  # per round: the same plus the six rm


def measure(run: Run, bench: Bench, boxes: dict[str, Box], empty: Path, baked: str, runs: int) -> Rounds:
    """Each strategy box paired with a plain box; which of the two goes first alternates."""
    result = Rounds({s: Samples() for s in boxes}, {s: Samples() for s in boxes})
    tag = bench.version.replace(".", "")
    counter = 0
    for number in range(runs):
        create_enter = with_rm = 0.0
        for strategy, box in boxes.items():
            counter += 1
            plain = f"{PREFIX}plain-{tag}-{counter}"
            for which in ("box", "plain") if (number + counter) % 2 else ("plain", "box"):
                target = result.boxes[strategy] if which == "box" else result.baseline[strategy]
                try:
                    if which == "box":
                        create, enter, rm, _ = run.strategy_box(box)
                        create_enter += create + enter
                        with_rm += create + enter + rm
                    else:
                        create, enter, second, rm = run.plain_box(bench, empty, plain, baked)
                        target.second_enter.append(second)
                except Failed as error:
                    print(f"  run {number + 1}: {strategy} ({which}) failed, sample dropped: {error}",
                          flush=True)
                    target.failures += 1
                    run.force_remove(bench, box.name if which == "box" else plain)
                    continue
                target.create.append(create)
                target.enter.append(enter)
                target.rm.append(rm)
        result.create_enter.append(create_enter)
        result.with_rm.append(with_rm)
        print(f"  run {number + 1}/{runs}: six strategies {create_enter:.1f} s create+enter,"
              f" {with_rm:.1f} s with rm (load average {os.getloadavg()[0]:.2f})", flush=True)
    return result


def report(rounds: Rounds, warm: Warmup, cold: float | None, overhead: float) -> None:
    print()
    header = (f"{'strategy':<19} {'create':>6} {'enter':>5} {'create+enter':>12} {'baseline':>8} {'ratio':>5}"
              f" {'<=1.3x':>6} {'<2 s':>4} {'base+enter':>10} {'ratio2':>6} {'asm dry':>7} {'rm':>5}"
              f" {'plain rm':>8}")
    rule = "-" * len(header)
    print(header, rule, sep="\n")
    medians, ratios, pooled = [], [], []
    for strategy, ours in rounds.boxes.items():
        base = rounds.baseline[strategy]
        ours_m, base_m = median(ours.create_enter), median(base.create_enter)
        ratio = ours_m / base_m
        fair = median(base.create_two_enters)
        medians.append(ours_m)
        ratios.append(ratio)
        pooled += base.create_enter
        failed = ""
        if ours.failures + base.failures:
            failed = f"  ({ours.failures} box, {base.failures} plain samples failed)"
        print(f"{strategy:<19} {median(ours.create):>6.2f} {median(ours.enter):>5.2f} {ours_m:>12.2f}"
              f" {base_m:>8.2f} {ratio:>5.2f} {verdict(ratio <= TARGET_RATIO):>6}"
              f" {verdict(ours_m < TARGET_BOX_SECONDS):>4} {fair:>10.2f} {ours_m / fair:>6.2f}"
              f" {warm.parse[strategy]:>7.2f}"
              f" {median(ours.rm):>5.2f} {median(base.rm):>8.2f}{failed}")
    print(rule)
    base_all = median(pooled)
    print(f"{'baseline, pooled':<19} {'':>6} {'':>5} {'':>12} {base_all:>8.2f}   n={len(pooled)};"
          f" plain distrobox itself < 2 s: {verdict(base_all < TARGET_BOX_SECONDS)}")
    print(f"sum of the six medians (create+enter): {sum(medians):.1f} s")
    worst = max(rounds.with_rm)
    round_ok = worst < TARGET_ROUND_SECONDS
    print(f"six-strategy round (bake and the paired plain boxes not counted): create+enter median"
          f" {median(rounds.create_enter):.1f} s;"
          f" with rm median {median(rounds.with_rm):.1f} s, worst {worst:.1f} s")
    fast = sum(m < TARGET_BOX_SECONDS for m in medians)
    print(f"targets: ratio <= {TARGET_RATIO}: {sum(r <= TARGET_RATIO for r in ratios)}/6 PASS;"
          f" median < {TARGET_BOX_SECONDS:.0f} s per box: {fast}/6 PASS;"
          f" six-strategy round < {TARGET_ROUND_SECONDS:.0f} s (worst round, with rm): {verdict(round_ok)}")
    strategy, seconds = warm.first
    note = "incl. bake" if warm.baked_here else "no bake: the shared tag already existed"
    line = f"first create ({strategy}, create+enter, {note}): {seconds:.1f} s"
    if cold is not None:
        line += f"; cold bake alone (podman build --no-cache into a throwaway tag): {cold:.1f} s"
    print(line)
    print(f"every figure includes as-bench-user + runuser per command (median {overhead:.3f} s);"
          f" load average now {os.getloadavg()[0]:.2f}")
    print("seconds, medians. create: dbxsmith create BOX (incl. the first start); enter: the first\n"
          "  dbxsmith enter BOX -- true; baseline: distrobox create --no-entry + distrobox enter -- true\n"
          "  on the same image, paired run by run; base+enter: the baseline plus a second distrobox enter\n"
          "  (dbxsmith create has already entered once), ratio2 = create+enter / base+enter, for\n"
          "  information; asm dry: distrobox assemble create --dry-run of the box, no container\n"
          "  (1.8.1.2's only reads the ini and prints; 1.8.2.5's also runs distrobox create --dry-run,\n"
          f"  which alone takes {warm.create_dry_run:.2f} s here); rm: dbxsmith rm BOX;"
          " plain rm: distrobox rm --force", flush=True)


def benchmark_version(run: Run, version: str, runs: int, *, cold_bake_probe: bool, shared: bool) -> None:
    bench = Bench(version)
    check_ready(bench)
    started = time.perf_counter()
    boxes, baked = build_dists(run, bench, shared)
    empty = boxes["standard"].work / "empty"
    layout = "all six boxes in one dist/" if shared else "one dist/ per box"
    print(f"\n== distrobox {version}: six strategies ({layout}), baked debian image {baked},"
          f" median of {runs} runs ==", flush=True)
    overhead = median([run.timed(bench, ["true"], cwd=empty, what="true")[0] for _ in range(5)])
    warm = warm_up(run, bench, boxes, empty, baked)
    cold = cold_bake(run, bench, boxes["standard"], empty) if warm.had_image and cold_bake_probe else None
    rounds = measure(run, bench, boxes, empty, baked, runs)
    report(rounds, warm, cold, overhead)
    print(f"distrobox {version} took {time.perf_counter() - started:.0f} s", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--versions", default=",".join(reversed(DISTROBOX_VERSIONS)),
                        help="comma-separated distrobox releases (default: %(default)s)")
    parser.add_argument("--no-cold-bake", action="store_true",
                        help="skip the podman build --no-cache probe when the baked tag already exists")
    parser.add_argument("--shared-dist", action="store_true",
                        help="build the six boxes into one dist/ (distrobox assemble then parses all six)")
    args = parser.parse_args()
    versions = [v for v in args.versions.split(",") if v]
    unknown = [v for v in versions if v not in DISTROBOX_VERSIONS]
    if unknown or args.runs < 1:
        parser.error(f"--versions takes {', '.join(DISTROBOX_VERSIONS)}; --runs at least 1")
    if not AS_BENCH_USER.exists():
        sys.exit(f"strategy_benchmark: {AS_BENCH_USER} is missing")

    signal.signal(signal.SIGINT, Stop.handler)
    signal.signal(signal.SIGTERM, Stop.handler)
    run = Run()
    started = time.perf_counter()
    status = 0
    try:
        print(f"strategy benchmark: {args.runs} runs per strategy, load average {os.getloadavg()[0]:.2f}",
              flush=True)
        for version in versions:
            benchmark_version(run, version, args.runs, cold_bake_probe=not args.no_cold_bake,
                              shared=args.shared_dist)
    except KeyboardInterrupt:
        print("\ninterrupted: removing the bm- boxes", file=sys.stderr)
        status = 130
    except Failed as error:
        print(f"strategy_benchmark: {error}", file=sys.stderr)
        status = 1
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        left = run.cleanup(interrupted=status == 130)
        if left:
            print(f"strategy_benchmark: could not remove {' '.join(left)}", file=sys.stderr)
            status = status or 1
    print(f"total runtime {time.perf_counter() - started:.0f} s")
    sys.exit(status)


if __name__ == "__main__":
    main()
