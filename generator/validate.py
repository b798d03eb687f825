"""Stage 3, validate: rules across fields and across profiles that the schema alone cannot state."""

from __future__ import annotations

from .errors import ProfileError, ProfileErrors
from .model import Profile
from .tables import STRATEGIES


def validate(profiles: list[Profile]) -> None:
    errors: list[ProfileError] = []
    for profile in profiles:
        strategy = STRATEGIES[profile.strategy]
        if not strategy.implemented:
            errors.append(
                profile.document.error(
                    ("strategy",),
                    f"strategy '{strategy.name}' is not implemented yet",
                    "use 'standard' for now; the other strategies land with the strategies issue",
                )
            )
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
