"""The one way a value enters generated shell: POSIX single quoting."""

from __future__ import annotations

import re

_PLAIN = re.compile(r"[A-Za-z0-9_./:=,+@%-]+")


def shell_quote(value: object, always: bool = False) -> str:
    """Quote `value` so any POSIX shell reads it back as exactly one word, never expanding it.

    `always` quotes plain words too (shellcheck reads `x=a-b` as arithmetic when `a` is a variable).
    """
    text = str(value)
    if "\x00" in text:
        raise ValueError("a NUL byte cannot be represented in shell")
    if _PLAIN.fullmatch(text) and not always:
        return text
    return "'" + text.replace("'", "'\\''") + "'"


_PRINTABLE_ASCII = re.compile(r"[ -~]")


def comment_text(value: object, keep: re.Pattern[str] = _PRINTABLE_ASCII, replacement: str = "?") -> str:
    """Text for a `#` comment line: every character `keep` does not match becomes `replacement`.

    By default control characters (a newline would end the comment and turn the rest into code) and
    non-ASCII (yash in the C locale refuses to read such a script) go. distrobox.ini comments pass their
    own, narrower alphabet and `_`, because 1.8.1.2 glob-expands every ini line (`?` is a glob).
    """
    return "".join(ch if keep.fullmatch(ch) else replacement for ch in str(value))


def printf_text(value: object) -> str:
    """`value` as a printf format that prints it unchanged, in ASCII only: non-ASCII bytes become octal
    escapes, so the script stays readable for a shell in the C locale; so does a leading `-`, which
    printf would take for an option. Quote the result with shq."""
    out = []
    for position, byte in enumerate(str(value).encode("utf-8")):
        char = chr(byte)
        if position == 0 and char == "-":
            out.append("\\055")  # a leading `-` would make printf read its format as an option
        elif char == "%":
            out.append("%%")
        elif char == "\\":
            out.append("\\\\")
        elif " " <= char <= "~":
            out.append(char)
        else:
            out.append(f"\\{byte:03o}")
    return "".join(out)
