"""The strategy x userland matrix on real rootless podman + distrobox.

    python -m tests.integration.matrix [--jobs N] [--version V] [--image COLUMN=IMAGE ...]
                                       [--column COLUMN ...] [--out DIR]

Columns are userlands (tests/integration/userlands.py): the four distributions' default images, Debian
bookworm and trixie, and Debian stand-ins for traits of the distributions we cannot fetch. Each cell
builds a one-box profile with the column's adapter, then `dbxsmith create`, the column's probe (stand-in
traits and fixes), `dbxsmith verify`, `dbxsmith rm --verify` (plain `rm` when cells run in parallel: the
leftover check cannot tell cells apart), stopping at the first failing step (fail fast per cell); cells
run in bounded parallel. A cell whose image is not in the local image store is reported as "not run:
image unavailable", never as passed. Writes matrix.tap, matrix.json and matrix.md to --out and prints the Markdown table.
Run as root with the bench installed (.ci/setup-bench).
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(REPO), str(REPO / "tests")]

from conftest import run_cli  # noqa: E402
from generator.tables import STRATEGIES  # noqa: E402
from integration.bench import Bench  # noqa: E402
from integration.userlands import Userland, ensure_image, userlands  # noqa: E402


@dataclass
class Cell:
    strategy: str
    column: str
    adapter: str
    image: str
    status: str = "not run"  # passed | failed | not run
    reason: str = ""
    seconds: dict[str, float] = field(default_factory=dict)
    evidence: str = ""  # a failed cell's box: the end of its log and its mount table

    @property
    def name(self) -> str:
        return f"{self.strategy} x {self.column}"


def run_cell(bench: Bench, cell: Cell, userland: Userland, available: bool, *, verify_removal: bool,
             keep_failed: bool = False) -> Cell:
    if not available:
        cell.reason = f"image unavailable ({cell.image})"
        return cell
    profile_name = f"mx-{cell.column}-{cell.strategy}"  # unique per cell: two columns may share an adapter
    work = bench.shared_dir(f"matrix-{cell.strategy}-{cell.column}")
    profile = {"name": profile_name, "strategy": cell.strategy, "distros": [cell.adapter],
               "images": {cell.adapter: cell.image}}
    (work / "p.yaml").write_text(yaml.safe_dump(profile))
    started = time.perf_counter()
    built = run_cli("build", "p.yaml", "-o", "dist", cwd=work)
    cell.seconds["build"] = round(time.perf_counter() - started, 2)
    if built.returncode != 0:
        cell.status, cell.reason = "failed", f"build: {built.stderr.strip()[-300:]}"
        return cell
    bench.give(work)
    box = f"{profile_name}-{cell.adapter}"
    script = str(work / "dist" / "dbxsmith")
    # rm --verify proves nothing was written on the host since the box was created, which only
    # means something when no other box of the same user runs at the same time: with --jobs 1.
    remove = [script, "rm", "--verify", box] if verify_removal else [script, "rm", box]
    steps = [("create", [script, "create", box])]
    if userland.probe:
        steps.append(("probe", [script, "enter", box, "--", "sh", "-c", userland.probe]))
    steps += [("verify", [script, "verify", box]), ("rm", remove)]
    try:
        for step, argv in steps:
            started = time.perf_counter()
            result = bench.run(argv, cwd=work, check=False, timeout=900)
            cell.seconds[step] = round(time.perf_counter() - started, 2)
            if result.returncode != 0:
                output = (result.stdout + result.stderr).decode(errors="replace")
                failing = [line for line in output.splitlines() if line.startswith("not ok")] or output.splitlines()
                cell.status, cell.reason = "failed", f"{step}: {' | '.join(failing[-3:])[:400]}"
                cell.evidence = _evidence(bench, box)
                return cell
        cell.status = "passed"
        return cell
    finally:
        if cell.status != "passed" and not keep_failed:
            bench.run([script, "rm", box], cwd=work, check=False)
        elif cell.status != "passed":
            cell.reason += f" (kept: {script} rm {box})"


def _evidence(bench: Bench, box: str) -> str:
    """What a failure leaves to look at once the box is gone: the end of `podman logs` and, if the box
    still runs, its mount table (intermittent failures cannot be re-run at will)."""
    logs = bench.run(["podman", "logs", "--tail", "30", box], check=False)
    mounts = bench.run(["podman", "exec", "--user", "root", box, "cat", "/proc/self/mountinfo"], check=False)
    # The log comes first and is kept (30 lines, cut only past 8,000 characters); a box's mount table can
    # run to thousands of lines (it sees every other box of the same user through /run/host): it is cut.
    table = (mounts.stdout + mounts.stderr).decode(errors="replace")
    return ("--- podman logs (last 30 lines)\n" + (logs.stdout + logs.stderr).decode(errors="replace")[-8000:]
            + "--- /proc/self/mountinfo\n" + table[:12000] + ("...(cut)\n" if len(table) > 12000 else ""))


def write_reports(cells: list[Cell], columns: list[Userland], out: Path, wall: float, jobs: int,
                  version: str) -> str:
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
         "columns": [asdict(u) for u in columns], "cells": [asdict(c) for c in cells]}, indent=2) + "\n")
    removal = "rm --verify" if jobs == 1 else "plain rm (rm --verify needs --jobs 1)"
    lines = [f"distrobox {version}, {jobs} parallel job(s), wall time {wall:.1f} s: "
             f"{summary['passed']} passed, {summary['failed']} failed, {summary['not run']} not run; "
             f"removal: {removal}", "",
             "| strategy | " + " | ".join(u.column for u in columns) + " |",
             "|" + "---|" * (len(columns) + 1)]
    by_key = {(c.strategy, c.column): c for c in cells}
    for strategy in STRATEGIES:
        row = []
        for userland in columns:
            cell = by_key[(strategy, userland.column)]
            if cell.status == "passed":
                row.append(f"passed ({sum(cell.seconds.values()):.1f} s)")
            elif cell.status == "failed":
                row.append(f"FAILED at {cell.reason.split(':', 1)[0]}")
            elif cell.reason.startswith("image unavailable"):
                row.append("not run: image unavailable")
            else:
                row.append(f"not run: {cell.reason}")
        lines.append(f"| {strategy} | " + " | ".join(row) + " |")
    standins = [u for u in columns if u.is_standin]
    if standins:
        lines += ["", "Stand-ins (Debian trixie with one distribution's traits, compiled with its adapter):"]
        lines += [f"- {u.column}: {u.adapter} adapter; {u.emulates}" for u in standins]
    markdown = "\n".join(lines) + "\n"
    (out / "matrix.md").write_text(markdown)
    return markdown


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=2, help="cells run at once (default 2: one per core)")
    parser.add_argument("--version", default="1.8.2.5", help="distrobox version of the bench")
    parser.add_argument("--image", action="append", default=[], metavar="COLUMN=IMAGE",
                        help="replace a column's image (default: each distro's default image, the bench's "
                             "Debian images, stand-ins built from Debian trixie)")
    parser.add_argument("--column", action="append", default=[], metavar="COLUMN",
                        help="run only these columns (default: all)")
    parser.add_argument("--keep-failed", action="store_true", help="leave failed cells' boxes for inspection")
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "results" / "matrix")
    args = parser.parse_args(argv)
    bench = Bench(args.version)
    bench.check_ready()
    user = bench.user
    columns = userlands(user.pw_uid, user.pw_gid, user.pw_name)
    known = {u.column for u in columns}
    for item in args.image:
        column, _, image = item.partition("=")
        if column not in known:
            parser.error(f"--image: no column {column!r} (columns: {', '.join(sorted(known))})")
        columns = [replace(u, image=image, base="") if u.column == column else u for u in columns]
    for column in args.column:
        if column not in known:
            parser.error(f"--column: no column {column!r} (columns: {', '.join(sorted(known))})")
    if args.column:
        columns = [u for u in columns if u.column in args.column]
    available = {u.column: ensure_image(bench, u) for u in columns}
    by_column = {u.column: u for u in columns}
    cells = [Cell(s, u.column, u.adapter, u.image) for s in STRATEGIES for u in columns]
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        cells = list(pool.map(lambda cell: run_cell(bench, cell, by_column[cell.column], available[cell.column],
                                                     verify_removal=args.jobs == 1,
                                                     keep_failed=args.keep_failed), cells))
    markdown = write_reports(cells, columns, args.out, time.perf_counter() - started, args.jobs, args.version)
    print(markdown)
    return 1 if any(c.status == "failed" for c in cells) else 0


if __name__ == "__main__":
    sys.exit(main())
