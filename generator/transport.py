"""Hook transport: compile hook sources into one ini value per stage that survives distrobox.

distrobox 1.8.x sources ini values as shell on the host, then `eval`s them twice more, and the
2.0 parser treats `#`/`;` as comments. So the value carries only `[A-Za-z0-9+/=]` base64 text
inside a fixed pipeline made of characters every layer reads the same way. The decoded runner
(templates/hooks/runner.sh.j2) restores each hook byte for byte inside the box.
"""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass

from . import __version__
from .templating import render

# What an ini value may contain: the safe alphabet plus the pipeline operators we use ourselves.
INI_VALUE_ALPHABET = re.compile(r"[A-Za-z0-9 _./:=,+@%|>&-]*")
BASE64_LINE = 76
# One argument of podman and of the entrypoint may not exceed MAX_ARG_STRLEN (131072 bytes);
# distrobox puts ": ;  " in front of ours.
MAX_STAGE_VALUE = 130_000


@dataclass(frozen=True)
class CompiledHook:
    id: str
    stage: str
    index: int
    when: str
    label: str  # "profiles/x.yaml: hooks.init[1]"
    source: str

    @property
    def payload(self) -> str:
        encoded = base64.b64encode(self.source.encode("utf-8")).decode("ascii")
        return "\n".join(encoded[i : i + BASE64_LINE] for i in range(0, len(encoded), BASE64_LINE))


def content_digest(source: str) -> str:
    return hashlib.sha256(source.encode("utf-8")).hexdigest()[:12]


def hook_id(stage: str, index: int, source: str) -> str:
    return f"{stage.replace('_', '-')}-{index}-{content_digest(source)}"


def runner_script(profile: str, stage: str, source_profile: str, hooks: list[CompiledHook]) -> str:
    # Nothing box-specific goes in: every box of a profile gets the same runner, linted once.
    return render(
        "hooks/runner.sh.j2", profile=profile, stage=stage, source=source_profile, hooks=hooks, version=__version__
    )


def ini_value(runner: str) -> str:
    """The single-line value of `init_hooks=` / `pre_init_hooks=` that runs `runner` in the box."""
    encoded = base64.b64encode(runner.encode("utf-8")).decode("ascii")
    value = f"command -v base64 >/dev/null && echo {encoded} | base64 -d | sh"
    assert INI_VALUE_ALPHABET.fullmatch(value), "transport produced an unsafe character"
    return value


def decode_ini_value(value: str) -> str:
    """Inverse of ini_value, for tests and `dbxsmith-gen` audits."""
    match = re.fullmatch(r"command -v base64 >/dev/null && echo ([A-Za-z0-9+/=]+) \| base64 -d \| sh", value)
    if not match:
        raise ValueError("not a dbxsmith hook value")
    return base64.b64decode(match.group(1)).decode("utf-8")
