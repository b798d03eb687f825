"""Baked images through `dbxsmith create`, on real rootless podman (Debian bookworm and trixie).

A bake runs the adapter's recipe (dist/<box>.Containerfile) when it has something to do: packages to add,
or an image distrobox has not been set up on. An image already marked /.containersetupdone with no
packages to add is tagged as it is: no build, no network.
"""

from __future__ import annotations

import pytest
import yaml

from conftest import run_cli

from .bench import BENCH_IMAGE, DISTROBOX_VERSIONS, TRIXIE_IMAGE, Bench

UNMARKED_IMAGE = "localhost/dbxsmith-unmarked:trixie"


@pytest.fixture(scope="module")
def bench() -> Bench:
    bench = Bench(DISTROBOX_VERSIONS[-1])
    bench.check_ready()
    return bench


def _create(bench: Bench, name: str, image: str, packages: list[str]) -> tuple[str, str, str]:
    """Builds and creates one airgapped box; returns its create output, its baked tag and its dbxsmith."""
    work = bench.shared_dir(name)
    profile = {"name": name, "strategy": "airgapped", "distros": ["debian"], "images": {"debian": image},
               "packages": packages}
    (work / "p.yaml").write_text(yaml.safe_dump(profile))
    built = run_cli("build", "p.yaml", "-o", "dist", cwd=work)
    assert built.returncode == 0, built.stderr
    bench.give(work)
    baked = next(line.split("=", 1)[1] for line in (work / "dist" / "distrobox.ini").read_text().splitlines()
                 if line.startswith("image="))
    assert baked.startswith("localhost/dbxsmith-baked:")
    script = str(work / "dist" / "dbxsmith")
    bench.run(["podman", "rmi", baked], check=False)  # a bake left by another test (never one in use)
    created = bench.run([script, "create", f"{name}-debian"], cwd=work, check=False, timeout=900)
    output = (created.stdout + created.stderr).decode(errors="replace")
    assert created.returncode == 0, output
    return output, baked, script


def _image_id(bench: Bench, image: str) -> str:
    return bench.run(["podman", "image", "inspect", "--format", "{{.Id}}", image]).stdout.decode().strip()


def test_set_up_image_without_packages_is_tagged_not_baked(bench: Bench) -> None:
    output, baked, script = _create(bench, "bk-tagged", BENCH_IMAGE, [])
    try:
        assert "no bake" in output and "baking" not in output, output
        assert _image_id(bench, baked) == _image_id(bench, BENCH_IMAGE)
        verify = bench.run([script, "verify", "bk-tagged-debian"], check=False)
        assert verify.returncode == 0, verify.stdout.decode(errors="replace")
    finally:
        bench.run([script, "rm", "bk-tagged-debian"], check=False)
        bench.run(["podman", "rmi", baked], check=False)


@pytest.mark.parametrize("image", [BENCH_IMAGE, TRIXIE_IMAGE], ids=["bookworm", "trixie"])
def test_packages_are_baked_and_present_with_no_network(bench: Bench, image: str) -> None:
    name = f"bk-pkg-{image.rsplit(':', 1)[1]}"
    output, baked, script = _create(bench, name, image, ["jq"])
    try:
        assert "baking" in output and "no bake" not in output, output
        assert _image_id(bench, baked) != _image_id(bench, image)
        jq = bench.run([script, "enter", f"{name}-debian", "--", "sh", "-c", "printf '{\"a\":7}' | jq .a"],
                       check=False)
        assert jq.stdout.decode().strip() == "7", jq.stderr.decode(errors="replace")
    finally:
        bench.run([script, "rm", f"{name}-debian"], check=False)
        bench.run(["podman", "rmi", baked], check=False)


def test_image_without_the_set_up_mark_is_baked(bench: Bench) -> None:
    context = bench.shared_dir("unmarked")
    (context / "Containerfile").write_text(f"FROM {TRIXIE_IMAGE}\nRUN rm /.containersetupdone\n")
    bench.give(context)
    bench.run(["podman", "build", "--quiet", "--tag", UNMARKED_IMAGE, str(context)], cwd=context)
    output, baked, script = _create(bench, "bk-unmarked", UNMARKED_IMAGE, [])
    try:
        assert "baking" in output and "no bake" not in output, output
        marked = bench.run(["podman", "run", "--rm", baked, "test", "-e", "/.containersetupdone"], check=False)
        assert marked.returncode == 0, "the bake sets the mark distrobox-init skips its set-up on"
    finally:
        bench.run([script, "rm", "bk-unmarked-debian"], check=False)
        bench.run(["podman", "rmi", baked, UNMARKED_IMAGE], check=False)
