#!/usr/bin/env python3
"""Benchmark: matrix wall time with and without parallelism, in one invocation.

Runs `python -m tests.integration.matrix` on every cell this machine can run, first with --jobs 1
(cells one after another, each removed with rm --verify), then with --jobs N (default 2, one per core;
plain rm), and prints both wall times, the speed-up, and the median cell time per column. Both runs must
pass: a failed cell makes this exit 1. Reports land in bench/results/matrix-jobs1 and -jobsN.

Run as root with the bench installed (.ci/setup-bench). Usage:
    python bench/matrix_benchmark.py [--jobs N] [--version V]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "tests")]

from integration import matrix  # noqa: E402


def run(jobs: int, version: str) -> dict:
    out = REPO / "bench" / "results" / f"matrix-jobs{jobs}"
    status = matrix.main(["--jobs", str(jobs), "--version", version, "--out", str(out)])
    report = json.loads((out / "matrix.json").read_text())
    report["exit"] = status
    return report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--version", default="1.8.2.5")
    args = parser.parse_args()
    serial = run(1, args.version)
    parallel = run(args.jobs, args.version)
    print(f"Matrix wall time, distrobox {args.version}, "
          f"{serial['summary']['passed']} cells run, {serial['summary']['not run']} not run (image unavailable)")
    print("| jobs | wall | passed | failed | removal |\n|---|---|---|---|---|")
    for report, removal in ((serial, "rm --verify"), (parallel, "rm")):
        print(f"| {report['jobs']} | {report['wall_seconds']:.1f} s | {report['summary']['passed']} | "
              f"{report['summary']['failed']} | {removal} |")
    print(f"speed-up with {args.jobs} jobs: {serial['wall_seconds'] / parallel['wall_seconds']:.2f}x")
    step_medians = []
    for report in (serial, parallel):
        steps = {}
        for cell in report["cells"]:
            if cell["status"] == "passed":
                for step, seconds in cell["seconds"].items():
                    steps.setdefault(step, []).append(seconds)
        step_medians.append({step: statistics.median(times) for step, times in steps.items()})
    print("median seconds per step, jobs 1 / jobs " + str(args.jobs) + " (the jobs-1 rm is rm --verify): "
          + ", ".join(f"{step} {step_medians[0][step]:.2f} / {step_medians[1].get(step, 0):.2f}"
                      for step in step_medians[0]))
    print("\nMedian seconds per passed cell (create + probe + verify + rm), jobs 1 / jobs "
          f"{args.jobs}:")
    for column in [c["column"] for c in serial["columns"]]:
        medians = []
        for report in (serial, parallel):
            times = [sum(c["seconds"].values()) for c in report["cells"]
                     if c["column"] == column and c["status"] == "passed"]
            medians.append(f"{statistics.median(times):.1f}" if times else "-")
        print(f"  {column}: {medians[0]} / {medians[1]}")
    return 1 if serial["exit"] or parallel["exit"] else 0


if __name__ == "__main__":
    sys.exit(main())
