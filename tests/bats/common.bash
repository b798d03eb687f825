# Shared set-up: build the fixture profiles with the real generator into a per-file temp dir.
REPO_ROOT="$(cd "$BATS_TEST_DIRNAME/../.." && pwd)"

build_fixtures() {
	local python="${DBXSMITH_PYTHON:-$REPO_ROOT/.venv/bin/python}"
	[ -x "$python" ] || python=python3
	(cd "$BATS_TEST_DIRNAME/fixtures" && PYTHONPATH="$REPO_ROOT" "$python" -m generator build harmless.yaml failing.yaml -o "$BATS_FILE_TMPDIR/dist") >&2
}
