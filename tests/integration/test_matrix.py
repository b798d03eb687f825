"""The matrix runner reports every cell honestly: passed, failed (fail fast) or not run."""

from __future__ import annotations

import json
from pathlib import Path

from generator.tables import STRATEGIES

from .bench import BENCH_IMAGE, DISTROBOX_VERSIONS, Bench
from .matrix import main

BROKEN_IMAGE = "localhost/dbxsmith-broken:no-base64"


def test_matrix_runs_what_it_can_and_reports_the_rest(tmp_path: Path) -> None:
    bench = Bench(DISTROBOX_VERSIONS[-1])
    bench.check_ready()
    # A failsafe cell: an image without base64, on which every box must fail at create.
    context = bench.shared_dir("broken-image")
    (context / "Containerfile").write_text(f"FROM {BENCH_IMAGE}\nRUN rm -f /usr/bin/base64\n")
    bench.give(context)
    bench.run(["podman", "build", "--tag", BROKEN_IMAGE, str(context)], cwd=context)
    try:
        status = main(["--jobs", "2", "--out", str(tmp_path), "--image", f"alpine={BROKEN_IMAGE}",
                       "--image", "arch=localhost/dbxsmith-absent:latest"])
    finally:
        bench.run(["podman", "rmi", "--force", BROKEN_IMAGE], check=False)
    report = json.loads((tmp_path / "matrix.json").read_text())
    cells = {(c["strategy"], c["column"]): c for c in report["cells"]}
    columns = {c["column"]: c for c in report["columns"]}
    assert len(cells) == len(STRATEGIES) * len(columns)
    for strategy in STRATEGIES:
        for column in ("debian", "debian-trixie"):
            cell = cells[(strategy, column)]
            assert cell["status"] == "passed", f"{cell['reason']}\n{cell['evidence']}"
        for column in ("alpine-like", "ubuntu-like", "fedora-like", "arch-like"):
            cell = cells[(strategy, column)]
            assert cell["status"] == "passed" and "probe" in cell["seconds"], f"{cell['reason']}\n{cell['evidence']}"
        assert cells[(strategy, "alpine")]["status"] == "failed", cells[(strategy, "alpine")]
        assert cells[(strategy, "alpine")]["reason"].startswith("create")
        assert "verify" not in cells[(strategy, "alpine")]["seconds"], "fail fast: no step after the failure"
        assert cells[(strategy, "arch")]["status"] == "not run"
        assert "image unavailable" in cells[(strategy, "arch")]["reason"]
    assert status == 1, "a failed cell fails the run"
    tap = (tmp_path / "matrix.tap").read_text()
    not_run = [c for c in cells.values() if c["status"] == "not run"]
    missing = {column for column in ("fedora", "ubuntu")
               if bench.run(["podman", "image", "exists", columns[column]["image"]], check=False).returncode}
    assert {c["column"] for c in not_run} == missing | {"arch"}, "only cells without an image are not run"
    assert tap.count("# SKIP not run: image unavailable") == len(not_run)
    assert "not ok" in tap
    markdown = (tmp_path / "matrix.md").read_text()
    assert "| ghost | FAILED at create |" in markdown and "not run: image unavailable" in markdown
    assert "fedora-like: fedora adapter; Fedora: bash as /bin/sh" in markdown


def test_matrix_on_the_older_distrobox(tmp_path: Path) -> None:
    """Debian trixie, the fedora-like stand-in (1.8.1.2's distrobox-init needs the fedora fixes most: it
    leaves /etc/shadow at mode 000 and calls `chpasswd -e`) and the alpine-like one under distrobox 1.8.1.2."""
    bench = Bench(DISTROBOX_VERSIONS[0])
    bench.check_ready()
    status = main(["--jobs", "2", "--version", bench.version, "--out", str(tmp_path),
                   "--column", "debian-trixie", "--column", "fedora-like", "--column", "alpine-like"])
    report = json.loads((tmp_path / "matrix.json").read_text())
    assert report["distrobox"] == "1.8.1.2"
    assert len(report["cells"]) == 3 * len(STRATEGIES)
    failed = [c for c in report["cells"] if c["status"] != "passed"]
    assert not failed, "\n\n".join(f"{c['strategy']} x {c['column']}: {c['reason']}\n{c['evidence']}" for c in failed)
    assert status == 0
