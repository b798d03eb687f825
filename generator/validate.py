"""Stage 3, validate: rules across fields and across profiles that the schema alone cannot state."""

from __future__ import annotations

from .errors import ProfileError, ProfileErrors
from .model import Profile
from .tables import STRATEGIES, Strategy

# Raw podman flags that would silently undo what a strategy promises, by what they undo.
NETWORK_FLAGS = ("--network", "--net", "--dns", "--add-host", "--publish", "-p")
HOST_ACCESS_FLAGS = ("--volume", "-v", "--mount", "--pid", "--ipc", "--uts", "--userns", "--uidmap", "--gidmap",
                     "--env", "-e", "--env-file", "--env-host", "--device", "--group-add", "--user", "-u",
                     "--security-opt", "--cap-add", "--hostuser")


def _flag_name(flag: str) -> str:
    return flag.split("=", 1)[0].split(" ", 1)[0]


def _strategy_contradictions(profile: Profile, strategy: Strategy) -> list[ProfileError]:
    doc = profile.document
    errors: list[ProfileError] = []
    for index, flag in enumerate(profile.flags):
        name = _flag_name(flag)
        if strategy.own_netns and name in NETWORK_FLAGS:
            errors.append(doc.error(("flags", index), f"{name} undoes the network isolation of '{strategy.name}'",
                                    "remove the flag, or choose strategy standard or ghost"))
        elif strategy.ghost and name in HOST_ACCESS_FLAGS:
            errors.append(doc.error(("flags", index), f"{name} would reopen the host to a '{strategy.name}' box",
                                    "remove the flag, or choose a non-ghost strategy"))
    if strategy.ghost:
        for index, _volume in enumerate(profile.volumes):
            errors.append(doc.error(("volumes", index), f"host volumes contradict strategy '{strategy.name}'",
                                    "a ghost box sees no host file: remove the volume or choose another strategy"))
        for kind, items in (("apps", profile.export_apps), ("bins", profile.export_bins)):
            for index, _item in enumerate(items):
                errors.append(doc.error(("exports", kind, index), f"exports contradict strategy '{strategy.name}'",
                                        "exporting writes into the host home; remove it or choose another strategy"))
    elif profile.identity_given:
        errors.append(doc.error(("identity",), f"identity only applies to ghost strategies, not '{strategy.name}'",
                                "remove identity, or choose ghost, ghost-isolated-net or ghost-airgapped", at_key=True))
    return errors


def validate(profiles: list[Profile]) -> None:
    errors: list[ProfileError] = []
    for profile in profiles:
        strategy = STRATEGIES[profile.strategy]
        errors += _strategy_contradictions(profile, strategy)
        for distro in profile.images:
            if distro not in profile.distros:
                errors.append(
                    profile.document.error(
                        ("images", distro),
                        f"image given for '{distro}', which is not in distros",
                        f"add {distro} to distros or remove this image",
                        at_key=True,
                    )
                )

    first_seen: dict[str, tuple[Profile, int]] = {}
    for profile in profiles:
        for index, distro in enumerate(profile.distros):
            box = f"{profile.name}-{distro}"
            if box in first_seen:
                other, other_index = first_seen[box]
                where = other.document.location(("distros", other_index))
                errors.append(
                    profile.document.error(
                        ("distros", index),
                        f"box name '{box}' is already produced by {where}",
                        "give one of the profiles another name",
                    )
                )
            else:
                first_seen[box] = (profile, index)
    if errors:
        raise ProfileErrors(errors)
