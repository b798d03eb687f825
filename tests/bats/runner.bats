#!/usr/bin/env bats
# The hook runner, as distrobox-init runs it (set -eu; eval of the ini value), under each POSIX shell.

load common

setup_file() {
	build_fixtures
}

setup() {
	export DBXSMITH_TEST_OUT="$BATS_TEST_TMPDIR/out"
	export DBXSMITH_STATE_DIR="$BATS_TEST_TMPDIR/state"
	mkdir -p "$DBXSMITH_TEST_OUT"
}

ini_value() {
	sed -n "/^\[$1\]/,/^\[/p" "$BATS_FILE_TMPDIR/dist/distrobox.ini" | sed -n "s/^$2=//p"
}

start_box() {
	# $1: shell, $2: box; evaluates the init hooks the way distrobox-init does.
	"$1" -c 'set -o errexit -o nounset; eval ${1}' init "$(ini_value "$2" init_hooks)"
}

shells() {
	for candidate in dash bash posh mksh yash busybox; do
		command -v "$candidate" > /dev/null && echo "$candidate"
	done
}

@test "once-per-box hooks run once, start hooks every start, in every shell" {
	if [ "${CI:-}" = true ]; then
		[ "$(shells | wc -l)" -eq 6 ] || { echo "CI=true and a shell is missing: $(shells)"; false; }
	fi
	for shell in $(shells); do
		rm -rf "$DBXSMITH_STATE_DIR" "$DBXSMITH_TEST_OUT/log"
		[ "$shell" = busybox ] && shell_cmd="busybox sh" || shell_cmd=$shell
		for _ in 1 2 3; do
			run $shell_cmd -c 'set -o errexit -o nounset; eval ${1}' init "$(ini_value harmless-debian init_hooks)"
			[ "$status" -eq 0 ] || { echo "$shell: $output"; false; }
		done
		run cat "$DBXSMITH_TEST_OUT/log"
		[ "$output" = "$(printf 'once\nevery\nafter-exit\nevery\nevery')" ] || { echo "$shell: $output"; false; }
	done
}

@test "an exit in one hook ends only that hook" {
	start_box dash harmless-alpine
	grep -qx after-exit "$DBXSMITH_TEST_OUT/log"
	! grep -q unreachable "$DBXSMITH_TEST_OUT/log"
}

@test "a failing hook stops the start with its status and names itself" {
	run start_box dash failing-debian
	[ "$status" -eq 4 ]
	[[ "$output" == *"Error: dbxsmith-hook-failed init-1-"*" 4"* ]]
	[ "$(cat "$DBXSMITH_TEST_OUT/log")" = "$(printf 'first\nsecond')" ]
}

@test "a failed once-per-box hook is retried on the next start" {
	run start_box dash failing-debian
	[ "$status" -eq 4 ]
	run start_box dash failing-debian
	[ "$status" -eq 4 ]
	# first ran once (it succeeded), second ran on both starts.
	[ "$(grep -c first "$DBXSMITH_TEST_OUT/log")" -eq 1 ]
	[ "$(grep -c second "$DBXSMITH_TEST_OUT/log")" -eq 2 ]
}

@test "failsafe: a truncated runner runs nothing" {
	value=$(ini_value harmless-debian init_hooks)
	encoded=${value#*echo }
	encoded=${encoded%% *}
	printf '%s' "$encoded" | base64 -d | head -c 2000 > "$BATS_TEST_TMPDIR/truncated.sh"
	run dash "$BATS_TEST_TMPDIR/truncated.sh"
	[ ! -e "$DBXSMITH_TEST_OUT/log" ]
}
