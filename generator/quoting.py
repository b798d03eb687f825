"""The one way a value enters generated shell: POSIX single quoting."""

from __future__ import annotations

import re

_PLAIN = re.compile(r"[A-Za-z0-9_./:=,+@%-]+")


def shell_quote(value: object) -> str:
    """Quote `value` so any POSIX shell reads it back as exactly one word, never expanding it."""
    text = str(value)
    if "\x00" in text:
        raise ValueError("a NUL byte cannot be represented in shell")
    if _PLAIN.fullmatch(text):
        return text
    return "'" + text.replace("'", "'\\''") + "'"
