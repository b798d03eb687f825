#!/usr/bin/env python3
"""Benchmark: build + lint time of the example profiles and of a generated set of 24 boxes.

Prints medians over repeated in-process runs, the share spent inside shellcheck, and the same
build as a whole CLI process (interpreter start-up included). Not a test: machines are noisy, so
read the ratios. Usage: python bench/build_benchmark.py [--runs N]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from generator import lint as lint_stage  # noqa: E402
from generator.pipeline import build  # noqa: E402

DISTROS = ["alpine", "arch", "fedora", "ubuntu"]


def generated_profiles(directory: Path, boxes: int = 24) -> list[Path]:
    paths = []
    for number in range(boxes // len(DISTROS)):
        path = directory / f"gen{number}.yaml"
        path.write_text(
            f"name: gen{number}\n"
            f"distros: [{', '.join(DISTROS)}]\n"
            "packages: [git, curl, jq]\n"
            "hooks:\n"
            "  pre_init:\n"
            f"    - echo 'pre-init of profile {number}' > /etc/dbx-pre-{number}\n"
            "  init:\n"
            "    - |\n"
            f"      printf '%s\\n' \"profile {number}: $(uname -r)\" > /etc/dbx-{number}\n"
            "      for tool in git curl jq; do command -v \"$tool\" >/dev/null || exit 1; done\n"
            "    - run: date > /var/tmp/last-start\n"
            "      when: start\n"
        )
        paths.append(path)
    return paths


class ShellcheckTimer:
    """Wraps the lint stage's subprocess.run to time the shellcheck process alone."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self._real_run = lint_stage.subprocess.run

    def __enter__(self) -> "ShellcheckTimer":
        def timed_run(*args, **kwargs):
            start = time.perf_counter()
            try:
                return self._real_run(*args, **kwargs)
            finally:
                self.seconds += time.perf_counter() - start

        lint_stage.subprocess.run = timed_run
        return self

    def __exit__(self, *exc: object) -> None:
        lint_stage.subprocess.run = self._real_run


def measure(paths: list[Path], runs: int) -> tuple[float, float, int]:
    totals, shellchecks = [], []
    boxes = 0
    build(paths)  # warm caches (templates, imports) once
    for _ in range(runs):
        with ShellcheckTimer() as timer:
            start = time.perf_counter()
            result = build(paths)
            totals.append(time.perf_counter() - start)
        shellchecks.append(timer.seconds)
        boxes = len(result.boxes)
    return statistics.median(totals), statistics.median(shellchecks), boxes


def measure_cli(paths: list[Path], runs: int) -> float:
    times = []
    with tempfile.TemporaryDirectory() as tmp:
        for run in range(runs):
            start = time.perf_counter()
            subprocess.run(
                [sys.executable, "-m", "generator", "build", *map(str, paths), "-o", f"{tmp}/out{run}"],
                cwd=REPO, check=True, capture_output=True,
            )
            times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        sets = {
            "example profiles": sorted((REPO / "profiles").glob("*.yaml")),
            "24 generated boxes": generated_profiles(Path(tmp)),
        }
        print(f"build + lint, median of {args.runs} in-process runs (seconds)")
        print(f"{'set':<22} {'boxes':>5} {'total':>7} {'shellcheck':>10} {'our python':>10} {'python share':>12}"
              f" {'cli process':>11}")
        for label, paths in sets.items():
            total, shellcheck, boxes = measure(paths, args.runs)
            ours = total - shellcheck
            cli = measure_cli(paths, max(3, args.runs // 3))
            print(f"{label:<22} {boxes:>5} {total:>7.3f} {shellcheck:>10.3f} {ours:>10.3f} {ours / total:>11.0%}"
                  f" {cli:>11.3f}")
        print("targets: 24 boxes built and linted under 1 s; our python under a quarter of that (0.25 s)")


if __name__ == "__main__":
    main()
