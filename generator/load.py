"""Stage 1, load: YAML text -> plain data plus a map from key path to file:line:col.

PyYAML's composer gives every node a start mark; we build the plain data ourselves from the
node tree so that every later error can point at the exact key or value that caused it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .errors import Location, ProfileError

KeyPath = tuple[str | int, ...]


def format_path(path: KeyPath) -> str:
    """('hooks', 'init', 2) -> 'hooks.init[2]'."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else part
    return text


@dataclass
class LoadedDocument:
    file: str
    data: Any
    text: str
    value_marks: dict[KeyPath, tuple[int, int]] = field(default_factory=dict)  # 0-based line, col
    key_marks: dict[KeyPath, tuple[int, int]] = field(default_factory=dict)
    block_scalars: set[KeyPath] = field(default_factory=set)  # values written as | or > blocks

    def location(self, path: KeyPath, *, at_key: bool = False) -> Location:
        marks = self.key_marks if at_key else self.value_marks
        probe = path
        while probe not in marks and probe:
            probe = probe[:-1]
        if probe not in marks:
            return Location(self.file, 1, 1)
        line, col = marks[probe]
        return Location(self.file, line + 1, col + 1)

    def error(self, path: KeyPath, message: str, hint: str | None = None, *, at_key: bool = False) -> ProfileError:
        return ProfileError(self.location(path, at_key=at_key), format_path(path), message, hint)

    def content_start_line(self, path: KeyPath) -> int:
        """1-based line where the text of the scalar at `path` starts (block scalars start one line below)."""
        line, _ = self.value_marks[path]
        return line + 1 + (1 if path in self.block_scalars else 0)

    def content_start_column(self, path: KeyPath) -> int:
        """1-based column where the text of the scalar at `path` starts."""
        line, col = self.value_marks[path]
        if path in self.block_scalars:
            lines = self.text.splitlines()
            content = lines[line + 1] if line + 1 < len(lines) else ""
            return len(content) - len(content.lstrip(" ")) + 1
        quoted = line < len(self.text.splitlines()) and self.text.splitlines()[line][col : col + 1] in ("'", '"')
        return col + 1 + (1 if quoted else 0)


def load_profile(path: Path, display_name: str | None = None) -> LoadedDocument:
    name = display_name or path.as_posix()
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ProfileError(Location(name), "", f"cannot read profile: {exc.strerror}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ProfileError(Location(name, line), "", "file is not valid UTF-8", "save it as UTF-8") from None
    return load_text(text, name)


def load_text(text: str, name: str) -> LoadedDocument:
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "invalid YAML"
        loc = Location(name, mark.line + 1, mark.column + 1) if mark else Location(name)
        raise ProfileError(loc, "", f"YAML syntax error: {problem}", "fix the YAML syntax at this position") from None
    except yaml.YAMLError as exc:
        raise ProfileError(Location(name), "", f"YAML error: {exc}") from None
    finally:
        loader.dispose()
    if node is None:
        raise ProfileError(Location(name, 1, 1), "", "profile is empty", "start from profiles/devbox.yaml")
    document = LoadedDocument(file=name, data=None, text=text)
    document.data = _build(node, (), document, loader)
    return document


def _build(node: yaml.Node, path: KeyPath, doc: LoadedDocument, loader: yaml.SafeLoader) -> Any:
    doc.value_marks[path] = (node.start_mark.line, node.start_mark.column)
    if isinstance(node, yaml.MappingNode):
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise ProfileError(
                    Location(doc.file, key_node.start_mark.line + 1, key_node.start_mark.column + 1),
                    format_path(path),
                    "YAML merge keys (<<) are not supported",
                    "write the keys out",
                )
            if not isinstance(key_node, yaml.ScalarNode):
                raise ProfileError(
                    Location(doc.file, key_node.start_mark.line + 1, key_node.start_mark.column + 1),
                    format_path(path),
                    "keys must be plain words",
                )
            key = key_node.value
            child = path + (key,)
            if key in result:
                first = doc.key_marks[child]
                raise ProfileError(
                    Location(doc.file, key_node.start_mark.line + 1, key_node.start_mark.column + 1),
                    format_path(child),
                    f"duplicate key (first set on line {first[0] + 1})",
                    "keep one of them",
                )
            doc.key_marks[child] = (key_node.start_mark.line, key_node.start_mark.column)
            result[key] = _build(value_node, child, doc, loader)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_build(item, path + (index,), doc, loader) for index, item in enumerate(node.value)]
    if isinstance(node, yaml.ScalarNode) and node.style in ("|", ">"):
        doc.block_scalars.add(path)
    try:
        return loader.construct_object(node, deep=True)
    except yaml.YAMLError as exc:
        raise doc.error(path, f"cannot read value: {getattr(exc, 'problem', exc)}") from None
