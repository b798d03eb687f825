"""Stage 4, plan: Profile x distro x strategy -> one BoxPlan per box (image, ini keys, hooks)."""

from __future__ import annotations

from dataclasses import dataclass

from .load import format_path
from .model import Profile
from .tables import DISTROS
from .transport import CompiledHook, hook_id

STAGES = ("pre_init", "init")


@dataclass(frozen=True)
class HookOrigin:
    """Where a compiled hook came from, so lint findings and failures point at the profile."""

    file: str
    line: int
    column: int  # 1-based column where the hook text starts on `line`
    key: str


@dataclass(frozen=True)
class BoxPlan:
    name: str
    profile: str
    source: str
    distro: str
    strategy: str
    image: str
    packages: tuple[str, ...]
    hooks: dict[str, tuple[CompiledHook, ...]]  # stage -> hooks in declared order
    origins: dict[str, HookOrigin]  # hook id -> origin


def plan(profiles: list[Profile]) -> list[BoxPlan]:
    boxes: list[BoxPlan] = []
    for profile in profiles:
        for distro in profile.distros:
            name = f"{profile.name}-{distro}"
            staged: dict[str, list[CompiledHook]] = {stage: [] for stage in STAGES}
            origins: dict[str, HookOrigin] = {}
            for hook in profile.hooks:
                key = format_path(hook.path)
                compiled = CompiledHook(
                    id=hook_id(hook.stage, hook.index, hook.run),
                    stage=hook.stage,
                    index=hook.index,
                    when=hook.when,
                    label=f"{profile.source}: {key}",
                    source=hook.run,
                )
                staged[hook.stage].append(compiled)
                origins[compiled.id] = HookOrigin(profile.source, hook.line, hook.column, key)
            boxes.append(
                BoxPlan(
                    name=name,
                    profile=profile.name,
                    source=profile.source,
                    distro=distro,
                    strategy=profile.strategy,
                    image=profile.images.get(distro, DISTROS[distro].default_image),
                    packages=profile.packages,
                    hooks={stage: tuple(hooks) for stage, hooks in staged.items()},
                    origins=origins,
                )
            )
    return sorted(boxes, key=lambda box: box.name)
