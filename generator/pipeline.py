"""The pipeline, wired in one place: load -> model -> validate -> plan -> render -> lint."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .errors import ProfileError, ProfileErrors
from .lint import Finding, lint
from .load import load_profile
from .model import Profile, parse_profile
from .plan import BoxPlan, plan
from .render import Tree, render_tree
from .tables import STRATEGIES
from .validate import validate


@dataclass(frozen=True)
class BuildResult:
    profiles: list[Profile]
    boxes: list[BoxPlan]
    tree: Tree
    warnings: list[Finding]
    notes: list[str]  # build-time warnings about the profiles themselves


def load_profiles(paths: list[Path]) -> list[Profile]:
    profiles: list[Profile] = []
    errors: list[ProfileError] = []
    for path in paths:
        try:
            profiles.append(parse_profile(load_profile(path, display_name=display_path(path))))
        except ProfileError as error:
            errors.append(error)
        except ProfileErrors as many:
            errors.extend(many.errors)
    if errors:
        raise ProfileErrors(errors)
    return profiles


def display_path(path: Path) -> str:
    """The profile's path as a user would type it: relative to the working directory when below it."""
    try:
        return path.absolute().relative_to(Path.cwd().absolute()).as_posix()
    except ValueError:
        return path.as_posix()


def check_profiles(paths: list[Path]) -> list[Profile]:
    profiles = load_profiles(paths)
    validate(profiles)
    return profiles


def build(paths: list[Path], *, run_lint: bool = True) -> BuildResult:
    profiles = check_profiles(paths)
    boxes = plan(profiles)
    tree = render_tree(boxes, [profile.source for profile in profiles])
    warnings = lint(tree) if run_lint else []
    notes = [
        f"{profile.document.location(('identity', 'sudo'))}: identity.sudo: the ghost user can become root "
        "and lift the masks; verify reports that guarantee as weakened"
        for profile in profiles
        if profile.identity.sudo and STRATEGIES[profile.strategy].ghost
    ]
    return BuildResult(profiles, boxes, tree, warnings, notes)
