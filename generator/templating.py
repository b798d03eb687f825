"""The Jinja environment shared by every stage that renders text (StrictUndefined, one quoting filter)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import jinja2

from .quoting import comment_text, printf_text, shell_quote


def templates_dir() -> Path:
    here = Path(__file__).resolve().parent
    installed = here / "templates"  # wheel: templates/ is force-included into the package
    return installed if installed.is_dir() else here.parent / "templates"


@cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir())),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        autoescape=False,
        trim_blocks=False,
        lstrip_blocks=False,
    )
    env.filters["shq"] = shell_quote
    env.filters["comment"] = comment_text
    env.filters["printf_text"] = printf_text
    return env


def render(template: str, **context: object) -> str:
    return environment().get_template(template).render(**context)
