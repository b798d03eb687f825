"""Stage 2, model: plain data -> typed Profile.

`PROFILE_SPEC` is the single source of truth for the profile format: parsing, defaults, the
error messages and the published JSON Schema (`dbxsmith-gen schema`) are all derived from it.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Any

from .errors import ProfileError, ProfileErrors
from .load import KeyPath, LoadedDocument
from .tables import COLORS, DISTROS, STRATEGIES

# Characters that distrobox 1.8.x (sourced as shell on the host) and the 2.0 ini parser read the same way.
INI_SAFE = re.compile(r"[A-Za-z0-9 _./:=,+@%-]*")


# ---------------------------------------------------------------------------------------------
# A tiny declarative schema: enough to parse profiles with precise errors and to emit JSON Schema.


@dataclass(frozen=True)
class Str:
    doc: str
    pattern: str | None = None
    pattern_hint: str | None = None
    choices: tuple[str, ...] | None = None
    allow_nul: bool = False

    def json_schema(self) -> dict[str, Any]:
        schema: dict[str, Any] = {"type": "string", "description": self.doc}
        if self.pattern:
            schema["pattern"] = f"^{self.pattern}$"
        if self.choices:
            schema["enum"] = list(self.choices)
        return schema


@dataclass(frozen=True)
class Int:
    doc: str
    minimum: int
    maximum: int

    def json_schema(self) -> dict[str, Any]:
        return {"type": "integer", "description": self.doc, "minimum": self.minimum, "maximum": self.maximum}


@dataclass(frozen=True)
class Bool:
    doc: str

    def json_schema(self) -> dict[str, Any]:
        return {"type": "boolean", "description": self.doc}


@dataclass(frozen=True)
class List:
    item: Any
    doc: str
    min_items: int = 0
    unique: bool = False

    def json_schema(self) -> dict[str, Any]:
        schema: dict[str, Any] = {"type": "array", "items": self.item.json_schema(), "description": self.doc}
        if self.min_items:
            schema["minItems"] = self.min_items
        if self.unique:
            schema["uniqueItems"] = True
        return schema


@dataclass(frozen=True)
class Map:
    keys: tuple[str, ...]
    value: Any
    doc: str

    def json_schema(self) -> dict[str, Any]:
        return {
            "type": "object",
            "description": self.doc,
            "propertyNames": {"enum": list(self.keys)},
            "additionalProperties": self.value.json_schema(),
        }


@dataclass(frozen=True)
class Field:
    spec: Any
    required: bool = False
    default: Any = None


@dataclass(frozen=True)
class Obj:
    fields: dict[str, Field]
    doc: str
    # When the value is a plain string, it is read as this field (hooks: "src" == {run: "src"}).
    shorthand: str | None = None

    def json_schema(self) -> dict[str, Any]:
        props = {name: f.spec.json_schema() for name, f in self.fields.items()}
        for name, f in self.fields.items():
            if f.default is not None:
                props[name]["default"] = f.default
        schema: dict[str, Any] = {
            "type": "object",
            "description": self.doc,
            "properties": props,
            "additionalProperties": False,
        }
        required = [name for name, f in self.fields.items() if f.required]
        if required:
            schema["required"] = required
        if self.shorthand:
            return {"description": self.doc, "oneOf": [self.fields[self.shorthand].spec.json_schema(), schema]}
        return schema


NAME_PATTERN = r"[a-z][a-z0-9-]{0,39}"
IMAGE_PATTERN = r"[A-Za-z0-9][A-Za-z0-9._/:@+-]*"
PACKAGE_PATTERN = r"[A-Za-z0-9][A-Za-z0-9._+:@-]*"
VOLUME_PATTERN = r"/[A-Za-z0-9_./@%+,=-]*:/[A-Za-z0-9_./@%+,=-]*(:[a-zA-Z,]+)?"
FLAG_PATTERN = r"--?[A-Za-z0-9][A-Za-z0-9-]*([= ][A-Za-z0-9_./:@%+,=-]+)?"

HOOK_SPEC = Obj(
    doc="A hook: POSIX sh source run as root inside the box by /bin/sh -e, or {run, when}.",
    shorthand="run",
    fields={
        "run": Field(Str("POSIX sh source, any text (multi-line, quotes, $, heredocs...)."), required=True),
        "when": Field(
            Str("create: once per box (default); start: on every start of the box.", choices=("create", "start")),
            default="create",
        ),
    },
)

PROFILE_SPEC = Obj(
    doc="A DbxSmith profile: one or more distrobox boxes sharing a strategy and set-up.",
    fields={
        "name": Field(
            Str(
                "Profile name; boxes are named <name>-<distro>.",
                pattern=NAME_PATTERN,
                pattern_hint="lower-case letters, digits and '-', starting with a letter, at most 40 characters",
            ),
            required=True,
        ),
        "strategy": Field(
            Str("Isolation strategy.", choices=tuple(STRATEGIES)),
            default="standard",
        ),
        "distros": Field(
            List(Str("Target distribution.", choices=tuple(DISTROS)), "One box per distribution.", 1, True),
            required=True,
        ),
        "images": Field(
            Map(
                tuple(DISTROS),
                Str(
                    "Container image reference.",
                    pattern=IMAGE_PATTERN,
                    pattern_hint="an image reference such as localhost/my-debian:bookworm",
                ),
                "Per-distro image override (defaults come from the distro table).",
            )
        ),
        "packages": Field(
            List(
                Str(
                    "Package name.",
                    pattern=PACKAGE_PATTERN,
                    pattern_hint="a package name such as git or python3-pip",
                ),
                "Extra packages installed by distrobox at first start.",
                unique=True,
            )
        ),
        "bake": Field(
            Bool("Build an image with distrobox's dependencies and the packages at create time (dist/<box>"
                 ".Containerfile), so the first start needs no network and is about 60 times faster. "
                 "Always on for airgapped strategies."),
            default=False,
        ),
        "identity": Field(
            Obj(
                doc="Ghost strategies only: the separate user the box is entered as.",
                fields={
                    "name": Field(
                        Str("User name inside the box.", pattern=r"[a-z_][a-z0-9_-]{0,31}",
                            pattern_hint="a user name such as ghost"),
                        default="ghost",
                    ),
                    "uid": Field(Int("User id inside the box; must differ from your uid on the host.",
                                     minimum=1000, maximum=60000), default=4242),
                    "sudo": Field(Bool("Give the ghost user passwordless sudo. This lets it undo the masks: "
                                       "verify then reports that guarantee as weakened."), default=False),
                },
            )
        ),
        "visual": Field(
            Obj(
                doc="How the box shows itself: prompt badge and colour, terminal title, hostname.",
                fields={
                    "color": Field(Str("Prompt colour (default per strategy).", choices=tuple(COLORS))),
                    "badge": Field(Str("Short badge in the prompt (default: the strategy's).",
                                       pattern=r"[A-Za-z0-9+_.:-]{1,16}",
                                       pattern_hint="1 to 16 letters, digits or + _ . : -")),
                    "title": Field(Str("Terminal title (default: '<box> [<badge>]').",
                                       pattern=r"[A-Za-z0-9+_.:@ ()\[\]-]{1,60}",
                                       pattern_hint="up to 60 letters, digits, spaces or + _ . : @ ( ) [ ] -")),
                    "hostname": Field(Str("Hostname inside the box (default: the box name).",
                                          pattern=r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?",
                                          pattern_hint="a hostname such as devbox")),
                },
            )
        ),
        "volumes": Field(
            List(
                Str("host-path:box-path[:options], passed to distrobox as volume=.", pattern=VOLUME_PATTERN,
                    pattern_hint="host-path:box-path[:options] without spaces"),
                "Extra host directories mounted into the box (not allowed for ghost strategies).",
                unique=True,
            )
        ),
        "flags": Field(
            List(
                Str("One raw podman create flag with its value.", pattern=FLAG_PATTERN,
                    pattern_hint="a podman flag such as --cap-add=NET_ADMIN"),
                "Raw podman flags (additional_flags=); flags that undo the strategy are rejected.",
            )
        ),
        "exports": Field(
            Obj(
                doc="Apps and binaries exported to the host after creation (not allowed for ghost strategies).",
                fields={
                    "apps": Field(List(Str("Application name.", pattern=PACKAGE_PATTERN,
                                           pattern_hint="an application name such as code"), "Apps.",
                                       unique=True)),
                    "bins": Field(List(Str("Absolute path of a binary in the box.", pattern=r"/[A-Za-z0-9_./+-]+",
                                           pattern_hint="an absolute path such as /usr/bin/rg"), "Binaries.",
                                       unique=True)),
                },
            )
        ),
        "hooks": Field(
            Obj(
                doc="Shell hooks run inside the box.",
                fields={
                    "pre_init": Field(List(HOOK_SPEC, "Run before distrobox's own set-up.")),
                    "init": Field(List(HOOK_SPEC, "Run after distrobox's set-up, once the user exists.")),
                },
            )
        ),
    },
)


def json_schema() -> dict[str, Any]:
    schema = PROFILE_SPEC.json_schema()
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://dbxsmith.dev/schema/profile-v1.json",
        "title": "DbxSmith profile",
        **schema,
    }


# ---------------------------------------------------------------------------------------------
# Typed result


@dataclass(frozen=True)
class Hook:
    stage: str  # "pre_init" | "init"
    index: int
    run: str
    when: str
    path: KeyPath  # where `run` lives, for errors and lint mapping
    line: int  # 1-based line of the first line of the source in the profile
    column: int  # 1-based column of the source's first character on that line


@dataclass(frozen=True)
class Identity:
    name: str
    uid: int
    sudo: bool


@dataclass(frozen=True)
class Visual:
    color: str | None
    badge: str | None
    title: str | None
    hostname: str | None


@dataclass(frozen=True)
class Profile:
    source: str
    name: str
    strategy: str
    distros: tuple[str, ...]
    images: dict[str, str]
    packages: tuple[str, ...]
    hooks: tuple[Hook, ...]
    document: LoadedDocument
    identity: Identity
    identity_given: bool
    volumes: tuple[str, ...]
    flags: tuple[str, ...]
    export_apps: tuple[str, ...]
    export_bins: tuple[str, ...]
    visual: Visual
    bake: bool


_TYPE_NAMES = {str: "a string", list: "a list", dict: "a mapping", bool: "true/false", int: "a number"}


def _type_name(value: Any) -> str:
    if value is None:
        return "nothing (null)"
    for kind, label in _TYPE_NAMES.items():
        if isinstance(value, kind):
            return label
    return type(value).__name__


class _Parser:
    def __init__(self, document: LoadedDocument):
        self.doc = document
        self.errors: list[ProfileError] = []

    def fail(self, path: KeyPath, message: str, hint: str | None = None, *, at_key: bool = False) -> None:
        self.errors.append(self.doc.error(path, message, hint, at_key=at_key))

    def parse(self, spec: Any, value: Any, path: KeyPath) -> Any:
        if isinstance(spec, Str):
            return self._str(spec, value, path)
        if isinstance(spec, List):
            return self._list(spec, value, path)
        if isinstance(spec, Map):
            return self._map(spec, value, path)
        if isinstance(spec, Obj):
            return self._obj(spec, value, path)
        if isinstance(spec, Int):
            if isinstance(value, bool) or not isinstance(value, int):
                self.fail(path, f"expected a whole number, got {_type_name(value)}")
                return None
            if not spec.minimum <= value <= spec.maximum:
                self.fail(path, f"{value} is out of range", f"use {spec.minimum} to {spec.maximum}")
                return None
            return value
        if isinstance(spec, Bool):
            if not isinstance(value, bool):
                self.fail(path, f"expected true or false, got {_type_name(value)}")
                return None
            return value
        raise TypeError(spec)

    def _str(self, spec: Str, value: Any, path: KeyPath) -> Any:
        if not isinstance(value, str):
            hint = "quote it" if isinstance(value, (bool, int, float)) else None
            self.fail(path, f"expected a string, got {_type_name(value)}", hint)
            return None
        if spec.choices is not None and value not in spec.choices:
            close = difflib.get_close_matches(value, spec.choices, n=1)
            hint = f"did you mean '{close[0]}'?" if close else None
            self.fail(path, f"'{value}' is not one of: {', '.join(spec.choices)}", hint)
            return None
        if spec.pattern is not None and not re.fullmatch(spec.pattern, value):
            self.fail(path, f"invalid value '{value}'", f"expected {spec.pattern_hint}")
            return None
        if "\x00" in value and not spec.allow_nul:
            self.fail(path, "contains a NUL character, which no shell can carry", "remove it")
            return None
        return value

    def _list(self, spec: List, value: Any, path: KeyPath) -> Any:
        if not isinstance(value, list):
            self.fail(path, f"expected a list, got {_type_name(value)}", "write it as [a, b] or one '- item' per line")
            return None
        if len(value) < spec.min_items:
            self.fail(path, f"needs at least {spec.min_items} item(s)")
            return None
        items = [self.parse(spec.item, item, path + (index,)) for index, item in enumerate(value)]
        if spec.unique:
            seen: set[Any] = set()
            for index, item in enumerate(items):
                if item is not None and item in seen:
                    self.fail(path + (index,), f"'{item}' is listed twice", "remove the duplicate")
                seen.add(item)
        return items

    def _map(self, spec: Map, value: Any, path: KeyPath) -> Any:
        if not isinstance(value, dict):
            self.fail(path, f"expected a mapping, got {_type_name(value)}")
            return None
        result = {}
        for key, item in value.items():
            if key not in spec.keys:
                self._unknown_key(path + (key,), spec.keys)
                continue
            result[key] = self.parse(spec.value, item, path + (key,))
        return result

    def _obj(self, spec: Obj, value: Any, path: KeyPath) -> Any:
        if spec.shorthand is not None and isinstance(value, str):
            value = {spec.shorthand: value}
            self.doc.value_marks.setdefault(path + (spec.shorthand,), self.doc.value_marks[path])
            if path in self.doc.block_scalars:
                self.doc.block_scalars.add(path + (spec.shorthand,))
        if not isinstance(value, dict):
            expected = "a string or a mapping" if spec.shorthand else "a mapping"
            self.fail(path, f"expected {expected}, got {_type_name(value)}")
            return None
        result: dict[str, Any] = {}
        for key, item in value.items():
            if key not in spec.fields:
                self._unknown_key(path + (key,), tuple(spec.fields))
        for name, field_spec in spec.fields.items():
            if name in value:
                result[name] = self.parse(field_spec.spec, value[name], path + (name,))
            elif field_spec.required:
                self.fail(path, f"missing required key '{name}'", f"add '{name}:'")
            else:
                result[name] = field_spec.default
        return result

    def _unknown_key(self, path: KeyPath, allowed: tuple[str, ...]) -> None:
        key = str(path[-1])
        close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
        hint = f"did you mean '{close[0]}'?" if close else f"allowed keys: {', '.join(allowed)}"
        self.fail(path, "unknown key", hint, at_key=True)


def parse_profile(document: LoadedDocument) -> Profile:
    parser = _Parser(document)
    if not isinstance(document.data, dict):
        raise ProfileErrors(
            [document.error((), f"a profile must be a mapping of keys, got {_type_name(document.data)}",
                            "start from profiles/devbox.yaml")]
        )
    data = parser.parse(PROFILE_SPEC, document.data, ())
    if parser.errors:
        raise ProfileErrors(parser.errors)

    hooks: list[Hook] = []
    for stage in ("pre_init", "init"):
        for index, item in enumerate((data.get("hooks") or {}).get(stage) or []):
            run_path: KeyPath = ("hooks", stage, index, "run")
            hooks.append(
                Hook(
                    stage=stage,
                    index=index,
                    run=item["run"],
                    when=item["when"],
                    path=("hooks", stage, index),
                    line=document.content_start_line(run_path),
                    column=document.content_start_column(run_path),
                )
            )
    return Profile(
        source=document.file,
        name=data["name"],
        strategy=data["strategy"],
        distros=tuple(data["distros"]),
        images=dict(sorted((data.get("images") or {}).items())),
        packages=tuple(data.get("packages") or ()),
        hooks=tuple(hooks),
        document=document,
        identity=Identity(**_defaults_of("identity", data.get("identity"))),
        identity_given=data.get("identity") is not None,
        volumes=tuple(data.get("volumes") or ()),
        flags=tuple(data.get("flags") or ()),
        export_apps=tuple((data.get("exports") or {}).get("apps") or ()),
        export_bins=tuple((data.get("exports") or {}).get("bins") or ()),
        visual=Visual(**_defaults_of("visual", data.get("visual"))),
        bake=bool(data.get("bake")) or STRATEGIES[data["strategy"]].airgapped,
    )


def _defaults_of(key: str, given: dict[str, Any] | None) -> dict[str, Any]:
    spec = PROFILE_SPEC.fields[key].spec
    return {name: (given or {}).get(name, field.default) for name, field in spec.fields.items()}
