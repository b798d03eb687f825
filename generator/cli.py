"""The command line: wires the stages together and chooses exit codes (0 ok, 1 differs, 2 user error)."""

from __future__ import annotations

import json
import sys
import traceback
from pathlib import Path

import click

from . import __version__
from .errors import DbxSmithError, InternalError
from .model import json_schema
from .explain import explain
from .pipeline import build, check_profiles
from .plan import plan
from .write import differences, write_tree

PROFILES = click.argument(
    "profiles", nargs=-1, required=True, type=click.Path(path_type=Path, dir_okay=False)
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="dbxsmith-gen")
def cli() -> None:
    """Compile DbxSmith YAML profiles into a self-contained distrobox.ini and POSIX host scripts."""


@cli.command("build")
@PROFILES
@click.option("-o", "--output", type=click.Path(path_type=Path, file_okay=False), default=Path("dist"),
              show_default=True, help="Directory to (re)generate.")
@click.option("--check", is_flag=True, help="Write nothing; exit 1 if OUTPUT differs from what would be built.")
@click.option("--force", is_flag=True, help="Replace generated files even if they were edited by hand.")
def build_command(profiles: tuple[Path, ...], output: Path, check: bool, force: bool) -> None:
    """Build PROFILES into OUTPUT (default dist/)."""
    result = build(list(profiles))
    for finding in result.warnings:
        click.echo(f"warning: {finding.render()}", err=True)
    for note in result.notes:
        click.echo(f"warning: {note}", err=True)
    if check:
        diff = differences(output, result.tree)
        if diff:
            for line in diff:
                click.echo(f"{output}: {line}", err=True)
            click.echo(f"{output} is stale: rebuild with: dbxsmith-gen build {' '.join(map(str, profiles))} -o {output}",
                       err=True)
            sys.exit(1)
        click.echo(f"{output} is up to date ({len(result.boxes)} boxes)")
        return
    written = write_tree(output, result.tree, force=force)
    click.echo(f"built {len(result.boxes)} boxes into {output} ({written.files} files): "
               + ", ".join(box.name for box in result.boxes))


@cli.command("validate")
@PROFILES
def validate_command(profiles: tuple[Path, ...]) -> None:
    """Check PROFILES without writing anything."""
    checked = check_profiles(list(profiles))
    for profile in checked:
        click.echo(f"{profile.source}: ok ({len(profile.distros)} boxes, strategy {profile.strategy})")


@cli.command("explain")
@PROFILES
def explain_command(profiles: tuple[Path, ...]) -> None:
    """Show, per box, what is shared with the host and what is closed."""
    click.echo(explain(plan(check_profiles(list(profiles)))), nl=False)


@cli.command("schema")
def schema_command() -> None:
    """Print the JSON Schema of the profile format."""
    click.echo(json.dumps(json_schema(), indent=2, sort_keys=True))


def main() -> None:
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(2)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except InternalError as exc:
        click.echo(f"dbxsmith-gen: internal error (a bug in dbxsmith-gen {__version__}; please report it):\n{exc}", err=True)
        sys.exit(exc.exit_code)
    except DbxSmithError as exc:
        click.echo(str(exc), err=True)
        sys.exit(exc.exit_code)
    except Exception:  # noqa: BLE001 - anything else is our bug, and says so
        click.echo(f"dbxsmith-gen: internal error (a bug in dbxsmith-gen {__version__}; please report it):", err=True)
        traceback.print_exc()
        sys.exit(70)
