#!/bin/bash
# The one test command (README, .ci/run): installs everything on a fresh Debian 12/13 machine,
# then runs the whole suite: unit, golden, property, shell, bats and real-container tests.
# Run as root: it installs packages, a test user and a local Debian image (see .ci/setup-bench).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" != 0 ]; then
	echo "tests/run-all.sh: run as root (it installs podman, distrobox and a test user)" >&2
	exit 2
fi

.ci/setup-bench

if ! python3 -m venv --help > /dev/null 2>&1 || ! python3 -c 'import ensurepip' 2> /dev/null; then
	apt-get install -y -q python3-venv python3-pip > /dev/null
fi
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/pip install -q --disable-pip-version-check -e '.[test]'

exec .venv/bin/pytest -p no:cacheprovider "$@" tests
