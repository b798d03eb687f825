"""Stage 5, render: BoxPlans -> an in-memory tree {relative path: Artifact}. Nothing touches disk here."""

from __future__ import annotations

from dataclasses import dataclass

from . import __version__
from .errors import Location, ProfileError
from .model import INI_SAFE
from .plan import STAGES, BoxPlan, HookOrigin
from .quoting import comment_text
from .tables import DISTROS, STRATEGIES, guarantees
from .templating import render, templates_dir
from .transport import MAX_STAGE_VALUE, ini_value, runner_script

INI_KEY_OF_STAGE = {"pre_init": "pre_init_hooks", "init": "init_hooks"}


@dataclass(frozen=True)
class Artifact:
    content: bytes
    executable: bool = False
    # "generated": our own shell, any lint finding is a bug; "hook": a user's hook, mapped to `origin`;
    # "static": shipped verbatim with dbxsmith-gen, linted by its test suite instead of every build.
    shell: str | None = None
    origin: HookOrigin | None = None


Tree = dict[str, Artifact]


def render_tree(boxes: list[BoxPlan], sources: list[str]) -> Tree:
    tree: Tree = {}
    source_list = ", ".join(sources)
    ini_boxes = []
    for box in boxes:
        ini: list[tuple[str, str]] = [("image", box.image), *box.ini]
        for stage in STAGES:
            hooks = list(box.hooks[stage])
            if not hooks:
                continue
            runner = runner_script(box.profile, stage, box.source, hooks)
            value = ini_value(runner)
            if len(value) > MAX_STAGE_VALUE:
                biggest = max(hooks, key=lambda hook: len(hook.source))
                origin = box.origins[biggest.id]
                raise ProfileError(
                    _location(origin),
                    origin.key,
                    f"the {stage} hooks of {box.name} compile to {len(value)} bytes, over distrobox's limit of "
                    f"{MAX_STAGE_VALUE}",
                    "move large content into a file the hook downloads or copies, or split it across boxes",
                )
            ini.append((INI_KEY_OF_STAGE[stage], value))
            tree[f"hooks/{box.name}/{stage}.runner.sh"] = Artifact(runner.encode("utf-8"), shell="generated")
            for hook in hooks:
                origin = box.origins[hook.id]
                tree[f"hooks/{box.name}/{hook.id}.sh"] = Artifact(
                    hook.source.encode("utf-8"),
                    shell="generated" if origin.internal else "hook",
                    origin=origin,
                )
        if box.bake is not None:
            tree[f"{box.name}.Containerfile"] = Artifact(box.bake.encode("utf-8"))
        for key, value in ini:
            if "\n" in value or not value:
                raise AssertionError(f"ini value for {key} must be one non-empty line")
        ini_boxes.append({"name": box.name, "ini": ini})

    tree["distrobox.ini"] = Artifact(
        render("host/distrobox.ini.j2", version=__version__, sources=comment_text(source_list, keep=INI_SAFE, replacement="_"), boxes=ini_boxes).encode()
    )
    host_boxes = [
        {
            "name": box.name,
            "strategy": box.strategy,
            "ghost": STRATEGIES[box.strategy].ghost,
            "clean_env": STRATEGIES[box.strategy].cleans_environment,
            "identity": box.identity.name,
            "baked_image": box.image if box.bake is not None else None,
            # Without packages a bake only repeats distrobox's own set-up, which an image marked
            # /.containersetupdone already has: `create` then tags that image instead of building.
            "set_up_base": box.base_image if box.bake is not None and not box.packages else None,
            "box_checks": _box_checks(box),
            "hook_labels": [
                (hook.id, hook.label) for stage in STAGES for hook in box.hooks[stage]
            ],
        }
        for box in boxes
    ]
    # Copied verbatim from the package, whatever the profiles: linted by our test suite
    # (tests/test_emitted_shell.py), not again in every build.
    tree["verify/box-checks.sh"] = Artifact(
        (templates_dir() / "verify" / "box-checks.sh").read_bytes(), executable=True, shell="static"
    )
    tree["lib/dbxsmith.sh"] = Artifact((templates_dir() / "host" / "dbxsmith-lib.sh").read_bytes(), shell="static")
    tree["dbxsmith"] = Artifact(
        render(
            "host/dbxsmith.sh.j2",
            version=__version__,
            sources=source_list,
            boxes=host_boxes,
            box_names=[box.name for box in boxes],
        ).encode("utf-8"),
        executable=True,
        shell="generated",
    )
    return dict(sorted(tree.items()))


def _location(origin: HookOrigin) -> Location:
    return Location(origin.file, origin.line, origin.column)


def _box_checks(box: BoxPlan) -> list[str]:
    """The in-box checks verify runs for `box`: the strategy's guarantee table, then the distro's fixes."""
    checks = []
    for guarantee in guarantees(STRATEGIES[box.strategy]):
        if guarantee.where != "box":
            continue
        if guarantee.id == "no-privilege" and box.identity.sudo:
            checks.append("no-privilege-weakened")
        else:
            checks.append(guarantee.id)
    fixes = DISTROS[box.distro].fixes
    if fixes:
        checks.append(f"distro-fixes={','.join(fixes)}")
    return checks
