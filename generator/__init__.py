"""DbxSmith: compile YAML box profiles into a linted distrobox.ini and POSIX host scripts."""

__version__ = "0.1.0"
