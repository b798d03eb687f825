"""The strategy x distribution matrix on real rootless podman + distrobox.

    python -m tests.integration.matrix [--jobs N] [--version V] [--image DISTRO=IMAGE ...] [--out DIR]

Each cell builds a one-box profile, then `dbxsmith create`, `dbxsmith verify`, `dbxsmith rm --verify`
(plain `rm` when cells run in parallel: the leftover check cannot tell cells apart), stopping at the
first failing step (fail fast per cell); cells run in bounded parallel. A cell whose
image is not in the local image store is reported as "not run: image unavailable", never as passed.
Writes matrix.tap, matrix.json and matrix.md to --out and prints the Markdown table.
Run as root with the bench installed (.ci/setup-bench).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(REPO), str(REPO / "tests")]

from conftest import run_cli  # noqa: E402
from generator.tables import DISTROS, STRATEGIES  # noqa: E402
from integration.bench import BENCH_IMAGE, Bench  # noqa: E402

MATRIX_DISTROS = ("alpine", "arch", "fedora", "ubuntu", "debian")


@dataclass
class Cell:
    strategy: str
    distro: str
    image: str
    status: str = "not run"  # passed | failed | not run
    reason: str = ""
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return f"{self.strategy} x {self.distro}"


def run_cell(bench: Bench, cell: Cell, *, verify_removal: bool) -> Cell:
    if bench.run(["podman", "image", "exists", cell.image], check=False).returncode != 0:
        cell.reason = f"image unavailable ({cell.image})"
        return cell
    profile_name = f"mx-{cell.strategy}"
    work = bench.shared_dir(f"matrix-{cell.strategy}-{cell.distro}")
    profile = {"name": profile_name, "strategy": cell.strategy, "distros": [cell.distro],
               "images": {cell.distro: cell.image}}
    (work / "p.yaml").write_text(yaml.safe_dump(profile))
    started = time.perf_counter()
    built = run_cli("build", "p.yaml", "-o", "dist", cwd=work)
    cell.seconds["build"] = round(time.perf_counter() - started, 2)
    if built.returncode != 0:
        cell.status, cell.reason = "failed", f"build: {built.stderr.strip()[-300:]}"
        return cell
    bench.give(work)
    box = f"{profile_name}-{cell.distro}"
    script = str(work / "dist" / "dbxsmith")
    try:
        # rm --verify proves nothing was written on the host since the box was created, which only
        # means something when no other box of the same user runs at the same time: with --jobs 1.
        remove = [script, "rm", "--verify", box] if verify_removal else [script, "rm", box]
        for step, argv in (("create", [script, "create", box]), ("verify", [script, "verify", box]),
                           ("rm", remove)):
            started = time.perf_counter()
            result = bench.run(argv, cwd=work, check=False, timeout=900)
            cell.seconds[step] = round(time.perf_counter() - started, 2)
            if result.returncode != 0:
                output = (result.stdout + result.stderr).decode(errors="replace")
                failing = [line for line in output.splitlines() if line.startswith("not ok")] or output.splitlines()
                cell.status, cell.reason = "failed", f"{step}: {' | '.join(failing[-3:])[:400]}"
                return cell
        cell.status = "passed"
        return cell
    finally:
        if cell.status != "passed":
            bench.run([script, "rm", box], cwd=work, check=False)


def write_reports(cells: list[Cell], out: Path, wall: float, jobs: int, version: str) -> str:
    out.mkdir(parents=True, exist_ok=True)
    tap = [f"1..{len(cells)}"]
    for number, cell in enumerate(cells, 1):
        if cell.status == "passed":
            tap.append(f"ok {number} - {cell.name} ({sum(cell.seconds.values()):.1f} s)")
        elif cell.status == "failed":
            tap.append(f"not ok {number} - {cell.name}: {cell.reason}")
        else:
            tap.append(f"ok {number} - {cell.name} # SKIP not run: {cell.reason}")
    (out / "matrix.tap").write_text("\n".join(tap) + "\n")
    summary = {s: sum(c.status == s for c in cells) for s in ("passed", "failed", "not run")}
    (out / "matrix.json").write_text(json.dumps(
        {"distrobox": version, "jobs": jobs, "wall_seconds": round(wall, 1), "summary": summary,
         "cells": [asdict(c) for c in cells]}, indent=2) + "\n")
    header = "| strategy | " + " | ".join(MATRIX_DISTROS) + " |"
    removal = "rm --verify" if jobs == 1 else "plain rm (rm --verify needs --jobs 1)"
    lines = [f"distrobox {version}, {jobs} parallel job(s), wall time {wall:.1f} s: "
             f"{summary['passed']} passed, {summary['failed']} failed, {summary['not run']} not run; "
             f"removal: {removal}", "",
             header, "|" + "---|" * (len(MATRIX_DISTROS) + 1)]
    by_key = {(c.strategy, c.distro): c for c in cells}
    for strategy in STRATEGIES:
        row = []
        for distro in MATRIX_DISTROS:
            cell = by_key[(strategy, distro)]
            if cell.status == "passed":
                row.append(f"passed ({sum(cell.seconds.values()):.1f} s)")
            elif cell.status == "failed":
                row.append(f"FAILED at {cell.reason.split(':', 1)[0]}")
            else:
                row.append("not run: image unavailable")
        lines.append(f"| {strategy} | " + " | ".join(row) + " |")
    markdown = "\n".join(lines) + "\n"
    (out / "matrix.md").write_text(markdown)
    return markdown


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=2, help="cells run at once (default 2: one per core)")
    parser.add_argument("--version", default="1.8.2.5", help="distrobox version of the bench")
    parser.add_argument("--image", action="append", default=[], metavar="DISTRO=IMAGE",
                        help=f"image per distro (default: debian={BENCH_IMAGE}, others their default image)")
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "results" / "matrix")
    args = parser.parse_args(argv)
    images = {d: DISTROS[d].default_image for d in MATRIX_DISTROS} | {"debian": BENCH_IMAGE}
    for item in args.image:
        distro, _, image = item.partition("=")
        images[distro] = image
    bench = Bench(args.version)
    bench.check_ready()
    cells = [Cell(s, d, images[d]) for s in STRATEGIES for d in MATRIX_DISTROS]
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        cells = list(pool.map(lambda cell: run_cell(bench, cell, verify_removal=args.jobs == 1), cells))
    markdown = write_reports(cells, args.out, time.perf_counter() - started, args.jobs, args.version)
    print(markdown)
    return 1 if any(c.status == "failed" for c in cells) else 0


if __name__ == "__main__":
    sys.exit(main())
