"""Stage 4, plan: Profile x distro x strategy -> one BoxPlan per box (image, ini keys, hooks)."""

from __future__ import annotations

from dataclasses import dataclass

from .load import format_path
from .model import Identity, Profile
from .tables import COLORS, DISTROS, STRATEGIES, Distro, Strategy
from .templating import render, templates_dir
from .transport import CompiledHook, content_digest, hook_id

STAGES = ("pre_init", "init")


@dataclass(frozen=True)
class HookOrigin:
    """Where a compiled hook came from, so lint findings and failures point at the profile."""

    file: str
    line: int
    column: int  # 1-based column where the hook text starts on `line`
    key: str
    internal: bool = False  # one of dbxsmith's own hooks: a lint finding there is our bug


@dataclass(frozen=True)
class BoxPlan:
    name: str
    profile: str
    source: str
    distro: str
    strategy: str
    image: str
    base_image: str  # the profile's image for this distro (the baked image's FROM, when baked)
    packages: tuple[str, ...]
    ini: tuple[tuple[str, str], ...]  # distrobox.ini keys besides image and hooks, in order
    identity: Identity
    bake: str | None  # the Containerfile to bake this box's image from, if it is baked
    hooks: dict[str, tuple[CompiledHook, ...]]  # stage -> hooks in declared order
    origins: dict[str, HookOrigin]  # hook id -> origin


def _internal_hooks(strategy: Strategy, distro: Distro) -> list[tuple[str, str, str]]:
    """dbxsmith's own hooks (stage, template, label), run on every start before the profile's hooks."""
    hooks = []
    if distro.fixes:
        hooks.append(("pre_init", "install-fixes.sh.j2", f"{distro.name} fixes"))
    if strategy.closes_host_sockets:
        hooks.append(("init", "close-host-sockets.sh.j2", "close host sockets"))
    if strategy.ghost:
        hooks.append(("init", "hide-host-files.sh.j2", "hide host files"))
        hooks.append(("init", "ghost-identity.sh.j2", "ghost identity"))
    hooks.append(("init", "visual-profile.sh.j2", "visual profile"))
    return hooks


def _wrappers(distro: Distro) -> list[tuple[str, str]]:
    """The fixes' scripts (templates/wrappers/NAME), each ending in a newline."""
    scripts = []
    for name in distro.fixes:
        content = (templates_dir() / "wrappers" / name).read_text(encoding="utf-8")
        scripts.append((name, content if content.endswith("\n") else content + "\n"))
    return scripts


def _visual(profile: Profile, strategy: Strategy, box: str) -> dict[str, str | int | None]:
    badge = profile.visual.badge or strategy.badge
    color = profile.visual.color or strategy.color
    return {
        "badge": badge,
        "color": color,
        "color_code": COLORS[color],
        "title": profile.visual.title,  # None: "<box> [<badge>]", worked out in the box
        "hostname": profile.visual.hostname or box,
    }


def plan(profiles: list[Profile]) -> list[BoxPlan]:
    boxes: list[BoxPlan] = []
    for profile in profiles:
        strategy = STRATEGIES[profile.strategy]
        for distro in profile.distros:
            name = f"{profile.name}-{distro}"
            staged: dict[str, list[CompiledHook]] = {stage: [] for stage in STAGES}
            origins: dict[str, HookOrigin] = {}
            visual = _visual(profile, strategy, name)
            base_image = profile.images.get(distro, DISTROS[distro].default_image)
            bake = render("host/Containerfile.j2", image=base_image,
                          install=DISTROS[distro].bake_command(profile.packages)) if profile.bake else None
            for index, (stage, template, label) in enumerate(_internal_hooks(strategy, DISTROS[distro])):
                source = render(f"hooks/{template}", box=name, strategy=strategy.name, identity=profile.identity,
                                distro=distro, fixes=DISTROS[distro].fixes, wrappers=_wrappers(DISTROS[distro]),
                                **visual)
                compiled = CompiledHook(
                    id=f"dbxsmith-{template.split('.')[0]}-{content_digest(source)}",
                    stage=stage,
                    index=index,
                    when="start",
                    label=f"dbxsmith: {label}",
                    source=source,
                )
                staged[stage].append(compiled)
                origins[compiled.id] = HookOrigin(f"templates/hooks/{template}", 1, 1, "", internal=True)
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
                    image=base_image if bake is None else baked_image_name(bake),
                    base_image=base_image,
                    packages=profile.packages,
                    ini=tuple(_ini_keys(profile, strategy, DISTROS[distro], str(visual["hostname"]),
                                        baked=bake is not None)),
                    bake=bake,
                    identity=profile.identity,
                    hooks={stage: tuple(hooks) for stage, hooks in staged.items()},
                    origins=origins,
                )
            )
    return sorted(boxes, key=lambda box: box.name)


def baked_image_name(containerfile: str) -> str:
    """Named by content, so boxes with the same recipe share one baked image."""
    return f"localhost/dbxsmith-baked:{content_digest(containerfile)}"


def _ini_keys(profile: Profile, strategy: Strategy, distro: Distro, hostname: str, *,
              baked: bool) -> list[tuple[str, str]]:
    keys: list[tuple[str, str]] = [("entry", "false"), ("hostname", hostname), *strategy.ini()]
    if profile.packages and not baked:
        keys.append(("additional_packages", " ".join(distro.package(name) for name in profile.packages)))
    keys += [("volume", volume) for volume in profile.volumes]
    keys += [("additional_flags", flag) for flag in profile.flags]
    if profile.export_apps:
        keys.append(("exported_apps", " ".join(profile.export_apps)))
    if profile.export_bins:
        keys.append(("exported_bins", " ".join(profile.export_bins)))
    return keys
