"""One error hierarchy for every stage; the CLI turns these into messages and exit codes.

Every user-facing error carries where it comes from (file, line, column, dotted key) so the
message reads `profiles/x.yaml:14:7: hooks.init[2]: what is wrong; what to do`.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Location:
    file: str
    line: int | None = None  # 1-based
    column: int | None = None  # 1-based

    def __str__(self) -> str:
        parts = [self.file]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(parts)


class DbxSmithError(Exception):
    """Base of every error the tool reports to a user (never with a traceback)."""

    exit_code = 2


class ProfileError(DbxSmithError):
    """Something a user wrote is wrong: names the place, the key and a way out."""

    def __init__(self, location: Location, key: str, message: str, hint: str | None = None):
        self.location = location
        self.key = key
        self.message = message
        self.hint = hint
        super().__init__(self.render())

    def render(self) -> str:
        text = f"{self.location}: {self.key + ': ' if self.key else ''}{self.message}"
        if self.hint:
            text += f" ({self.hint})"
        return text


class ProfileErrors(DbxSmithError):
    """Several independent profile errors, reported together so one run shows them all."""

    def __init__(self, errors: list[ProfileError]):
        self.errors = sorted(errors, key=_error_sort_key)
        super().__init__("\n".join(e.render() for e in self.errors))


def _error_sort_key(error: ProfileError) -> tuple[str, int, int, str]:
    loc = error.location
    return (loc.file, loc.line or 0, loc.column or 0, error.key)


class OutputError(DbxSmithError):
    """The output directory cannot be written safely (foreign files, hand edits, permissions)."""


class LintError(DbxSmithError):
    """shellcheck found errors in what would be emitted."""


class InternalError(DbxSmithError):
    """A bug in dbxsmith-gen itself; reported as such, with exit code 70."""

    exit_code = 70
