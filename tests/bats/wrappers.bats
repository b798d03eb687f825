#!/usr/bin/env bats
# templates/wrappers/chpasswd and templates/wrappers/fix-shadow-permissions, run on this host under every
# POSIX shell. The host's own chpasswd, passwd and usermod must never run here (they would change this
# machine's accounts), so every test runs with a PATH made only of a sandbox: the wrapper (standing for
# /usr/local/bin), recording fakes of chpasswd, passwd and usermod (standing for /usr/sbin) and a few
# harmless host tools. The real shadow tools are used in tests/integration/test_wrappers.py, inside a
# throwaway container.

bats_require_minimum_version 1.5.0

load common

WRAPPER="$REPO_ROOT/templates/wrappers/chpasswd"
FIX="$REPO_ROOT/templates/wrappers/fix-shadow-permissions"
OLD_INIT="${DBXSMITH_BENCH_ROOT:-/opt/dbxsmith-bench}/distrobox-1.8.1.2/usr/bin/distrobox-init"
# md5sum of the string "password": the shape of distrobox 1.8.1.2's temporary password.
MD5HEX=5f4dcc3b5aa765d61d8327deb882cf99
# crypt("secret", "$6$dbxsmithsalt$"): a real SHA-512 crypt hash.
SHA512='$6$dbxsmithsalt$odYIeNOpYRoHXpMPjsZBCpekPTDMK3PvHBv5C66x59Nf/Pjo.mTSq0xWxiiPW7AbyBT.PccvgT67LpZW7EgX41'
YESCRYPT='$y$j9T$7.xovDjDtg8av1Jr9lHCY/$nQbYrbWxifIShJ1ujalgqpHlqQfFTQoH7fcN32G7j6D'

# need TOOL: false under CI=true when TOOL is missing (CI proves everything), else a skip.
need() {
	command -v "$1" > /dev/null && return 0
	[ "${CI:-}" != true ] || { echo "CI=true and $1 is missing"; return 1; }
	skip "$1 is not installed"
}

# The shells that run the wrapper (as /bin/sh would), one command line each, by absolute path: the tests
# run them with a PATH that holds only the sandbox.
shells() {
	local candidate path
	for candidate in dash bash posh mksh yash busybox; do
		path=$(command -v "$candidate") || continue
		[ "$candidate" = busybox ] && echo "$path sh" || echo "$path"
	done
}

all_shells_in_ci() {
	if [ "${CI:-}" = true ]; then
		[ "$(shells | wc -l)" -eq 6 ] || { echo "CI=true and a shell is missing: $(shells | tr '\n' ' ')"; return 1; }
	fi
}

setup() {
	SANDBOX=$BATS_TEST_TMPDIR
	LOCAL=$SANDBOX/local # the wrapper, as /usr/local/bin/chpasswd
	SBIN=$SANDBOX/sbin   # recording fakes of the real tools
	TOOLS=$SANDBOX/tools # harmless host tools only
	CALLS=$SANDBOX/calls # what the fakes saw
	export CALLS
	mkdir -p "$LOCAL" "$SBIN" "$TOOLS" "$CALLS"
	cp "$WRAPPER" "$LOCAL/chpasswd"
	chmod 755 "$LOCAL/chpasswd"
	local tool
	# yash 2.57+ runs its substitutive built-ins ([, test, echo, true, false, pwd, printf) only when
	# the same command is on PATH, so the restricted PATH carries them
	for tool in printf cat grep sed cut md5sum ls od [ test echo true false pwd; do
		ln -s "$(type -P "$tool")" "$TOOLS/$tool"
	done
	write_fakes
	SAFE_PATH=$LOCAL:$SBIN:$TOOLS
	DASH=$(command -v dash)
}

# Fakes that log every call as `NAME <arg><arg>...` (an empty argument shows as <>) and keep the
# arguments and stdin of each chpasswd call byte for byte in calls/N.args and calls/N.stdin.
write_fakes() {
	cat > "$SBIN/chpasswd" << 'EOF'
#!/bin/sh
n=$(( $(cat "$CALLS/count" 2> /dev/null || echo 0) + 1 ))
echo "$n" > "$CALLS/count"
printf 'chpasswd' >> "$CALLS/log"; printf '<%s>' "$@" >> "$CALLS/log"; echo >> "$CALLS/log"
printf '%s\n' "$@" > "$CALLS/$n.args"
cat > "$CALLS/$n.stdin"
# FAKE_STRICT=1: -e checks every value like shadow-utils 4.15+ (Fedora 40+), lib/chkhash.c is_valid_hash().
if [ "${FAKE_STRICT:-0}" = 1 ] && [ "$*" = -e ]; then
	number=0
	bad=0
	while IFS= read -r line || [ -n "$line" ]; do
		number=$((number + 1))
		value=${line#*:}
		value=${value#!}
		[ "$value" = '*' ] && continue
		if [ "${#value}" -ge 27 ] && printf '%s\n' "$value" | grep -Eq '^\$(y\$[./A-Za-z0-9]+\$[./A-Za-z0-9]{1,86}\$[./A-Za-z0-9]{43}|2[abxy]\$[0-9]{2}\$[./A-Za-z0-9]{53}|6\$(rounds=[1-9][0-9]{3,8}\$)?[^$:]{1,16}\$[./A-Za-z0-9]{86}|5\$(rounds=[1-9][0-9]{3,8}\$)?[^$:]{1,16}\$[./A-Za-z0-9]{43}|1\$[^$:]{1,8}\$[./A-Za-z0-9]{22})$'; then
			continue
		fi
		echo "chpasswd: (line $number, user ${line%%:*}) invalid password hash" >&2
		bad=1
	done < "$CALLS/$n.stdin"
	if [ "$bad" = 1 ]; then
		echo "chpasswd: error detected, changes ignored" >&2
		echo "rejected" >> "$CALLS/log"
		exit 1
	fi
fi
exit "${FAKE_CHPASSWD_STATUS:-0}"
EOF
	cat > "$SBIN/passwd" << 'EOF'
#!/bin/sh
printf 'passwd' >> "$CALLS/log"; printf '<%s>' "$@" >> "$CALLS/log"; echo >> "$CALLS/log"
case ${1:-} in
	--help) echo "Usage: passwd [options] [LOGIN]" ;;
	-d)
		# Debian's passwd -d says this on stdout.
		echo "passwd: password changed."
		exit "${FAKE_PASSWD_STATUS:-0}"
		;;
	*) cat > /dev/null ;;
esac
EOF
	cat > "$SBIN/usermod" << 'EOF'
#!/bin/sh
printf 'usermod' >> "$CALLS/log"; printf '<%s>' "$@" >> "$CALLS/log"; echo >> "$CALLS/log"
exit "${FAKE_USERMOD_STATUS:-0}"
EOF
	chmod 755 "$SBIN/chpasswd" "$SBIN/passwd" "$SBIN/usermod"
}

reset_calls() {
	rm -rf "$CALLS"
	mkdir -p "$CALLS"
	: > "$CALLS/log"
}

# wrapped SHELL ARGS...: the wrapper under SHELL, found the way distrobox-init finds it: first on PATH.
wrapped() {
	local shell=$1
	shift
	env PATH="$SAFE_PATH" $shell "$LOCAL/chpasswd" "$@"
}

# The rootless password block of distrobox 1.8.1.2's distrobox-init, verbatim from the installed release,
# with /etc/shadow and /etc/passwd.done moved into the sandbox.
old_password_block() {
	awk '/Ensuring user.s access/ { print prev; on = 1 } on { print } on && /^fi$/ { exit } { prev = $0 }' \
		"$OLD_INIT" | sed -e "s|/etc/passwd.done|$SANDBOX/passwd.done|g" -e "s|/etc/shadow|$SANDBOX/shadow|g"
}

mode_of() {
	stat -c %04a "$1"
}

@test "both scripts are POSIX sh: shellcheck --shell=sh (extra checks on), dash -n, posh -n, yash -n" {
	local shellcheck="$REPO_ROOT/.venv/bin/shellcheck"
	[ -x "$shellcheck" ] || { need shellcheck && shellcheck=shellcheck; }
	need dash && need posh && need yash
	"$shellcheck" --shell=sh \
		--enable=add-default-case,avoid-nullary-conditions,check-unassigned-uppercase,deprecate-which,quote-safe-variables \
		"$WRAPPER" "$FIX"
	for script in "$WRAPPER" "$FIX"; do
		dash -n "$script"
		posh -n "$script"
		yash -o posixlycorrect -n "$script"
		[ -x "$script" ]
		[ "$(head -n 1 "$script")" = "#!/bin/sh" ]
	done
}

@test "chpasswd: any arguments but a lone -e reach the real chpasswd unchanged, with stdin byte for byte and its exit status, in every shell" {
	all_shells_in_ci
	# Plain passwords, an MD5 hex, CR, backslashes, blanks, a line without ':' and a last line without newline.
	printf 'alice:plain pass\\word \nbob:%s\r\n  carol:x:y\nno colon here\nlast:%s' "$MD5HEX" "$MD5HEX" > "$SANDBOX/input"
	local shell args arg_lists
	while IFS= read -r shell; do
		# Every argument list under dash; in the other shells the two that matter for the shell itself:
		# none at all (a bare "$@" under set -u) and -e with something more.
		arg_lists=("" "-e -R /nonexistent")
		[ "$shell" != "$DASH" ] || arg_lists+=("-c SHA512 -s 5000" "-m" "--encrypted --root=/nonexistent" \
			"-e --" "-e -e" "-h" "--crypt-method=YESCRYPT" "-P /nonexistent -e")
		for args in "${arg_lists[@]}"; do
			reset_calls
			# shellcheck disable=SC2086 # the argument list is split on purpose
			run --separate-stderr env FAKE_CHPASSWD_STATUS=3 PATH="$SAFE_PATH" $shell "$LOCAL/chpasswd" $args < "$SANDBOX/input"
			[ "$status" -eq 3 ] || { echo "$shell [$args]: exit $status $stderr"; false; }
			[ "$(cat "$CALLS/count")" = 1 ] || { echo "$shell [$args]: $(cat "$CALLS/log")"; false; }
			# shellcheck disable=SC2086
			diff <(printf '%s\n' $args) "$CALLS/1.args"
			cmp "$SANDBOX/input" "$CALLS/1.stdin"
			[ "$(grep -c -v '^chpasswd' "$CALLS/log")" -eq 0 ]
			[ -z "$output" ] && [ -z "$stderr" ]
		done
		# The exit status is the real tool's, whatever it is.
		for code in 0 1 127; do
			reset_calls
			run "-$code" env FAKE_CHPASSWD_STATUS=$code PATH="$SAFE_PATH" $shell "$LOCAL/chpasswd" -c SHA512 < "$SANDBOX/input"
			[ "$status" -eq "$code" ] || { echo "$shell: exit $status, want $code"; false; }
		done
	done < <(shells)
}

@test "chpasswd -e: crypt(3) forms and malformed lines reach the real chpasswd in one run, byte for byte, with its status" {
	all_shells_in_ci
	{
		printf 'a:%s\n' "$SHA512" "$YESCRYPT" '!' '!!' '*' '!*' '*LK*' "!$SHA512" "!$MD5HEX" \
			'$2b$10$abcdefghijklmnopqrstuuABCDEFGHIJKLMNOPQRSTUVWXYZ01234' '$1$saltsalt$abcdefghijklmnopqrstuv' \
			'$5$rounds=5000$salt$abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQ' 'abJnggxhB/yWI'
		# Lines only the real tool can judge: no ':', an empty user, a user that looks like an option.
		printf 'no colon\n:%s\n-x:%s\n' "$MD5HEX" "$MD5HEX"
		printf 'last:%s' "$YESCRYPT"
	} > "$SANDBOX/input"
	local shell flag
	while IFS= read -r shell; do
		for flag in -e --encrypted; do
			reset_calls
			run --separate-stderr env FAKE_CHPASSWD_STATUS=5 PATH="$SAFE_PATH" $shell "$LOCAL/chpasswd" "$flag" < "$SANDBOX/input"
			[ "$status" -eq 5 ] || { echo "$shell $flag: exit $status $stderr"; false; }
			[ "$(cat "$CALLS/log")" = "chpasswd<$flag>" ]
			cmp "$SANDBOX/input" "$CALLS/1.stdin"
			[ -z "$output" ] && [ -z "$stderr" ]
		done
		# Empty input still reaches the real tool once, as without the wrapper.
		reset_calls
		run env PATH="$SAFE_PATH" $shell "$LOCAL/chpasswd" -e < /dev/null
		[ "$status" -eq 0 ]
		[ "$(cat "$CALLS/log")" = "chpasswd<-e>" ]
		[ ! -s "$CALLS/1.stdin" ]
	done < <(shells)
}

@test "chpasswd -e with distrobox 1.8.1.2's MD5 hex: passwd -d instead, nothing on stdout, one note without the value" {
	all_shells_in_ci
	local shell input
	while IFS= read -r shell; do
		for input in "dbxwr:$MD5HEX" "dbxwr:$MD5HEX"$'\n'; do
			for flag in -e --encrypted; do
				[ "$flag" = -e ] || [ "$shell" = "$DASH" ] || continue
				reset_calls
				run --separate-stderr env PATH="$SAFE_PATH" $shell "$LOCAL/chpasswd" "$flag" < <(printf '%s' "$input")
				[ "$status" -eq 0 ] || { echo "$shell: exit $status $stderr"; false; }
				[ "$(cat "$CALLS/log")" = "passwd<-d><dbxwr>" ] || { echo "$shell: $(cat "$CALLS/log")"; false; }
				[ -z "$output" ]
				[ "${#stderr_lines[@]}" -eq 2 ] # the note, then what passwd said on stdout
				[[ "${stderr_lines[0]}" == "chpasswd (dbxsmith wrapper): line 1, user dbxwr: not a crypt(3) hash"* ]]
				[ "${stderr_lines[1]}" = "passwd: password changed." ]
				[[ "$stderr" != *"$MD5HEX"* ]]
			done
		done
	done < <(shells)
}

@test "chpasswd -e with an empty value (distrobox's printf '%s:' USER): passwd -d, which shadow 4.15+ cannot refuse" {
	all_shells_in_ci
	local shell
	while IFS= read -r shell; do
		reset_calls
		run --separate-stderr env PATH="$SAFE_PATH" $shell "$LOCAL/chpasswd" -e < <(printf 'root:')
		[ "$status" -eq 0 ]
		[ "$(cat "$CALLS/log")" = "passwd<-d><root>" ]
		[ -z "$output" ]
	done < <(shells)
}

@test "chpasswd -e with mixed lines keeps their order: what precedes a rewrite is flushed first" {
	printf 'a:%s\nb:%s\nc:!\nd:\ne:%s\n' "$SHA512" "$MD5HEX" "$YESCRYPT" > "$SANDBOX/input"
	run --separate-stderr wrapped "$DASH" -e < "$SANDBOX/input"
	[ "$status" -eq 0 ]
	[ "$(cat "$CALLS/log")" = "$(printf '%s\n' 'chpasswd<-e>' 'passwd<-d><b>' 'chpasswd<-e>' 'passwd<-d><d>' 'chpasswd<-e>')" ]
	[ "$(cat "$CALLS/1.stdin")" = "a:$SHA512" ]
	[ "$(cat "$CALLS/2.stdin")" = "c:!" ]
	[ "$(cat "$CALLS/3.stdin")" = "e:$YESCRYPT" ]
	[ -z "$output" ]
	[ "${#stderr_lines[@]}" -eq 4 ]
}

@test "chpasswd -e: passwd -d failing or missing falls back to usermod -p ''; when both fail, exit 1 and go on" {
	printf 'b:%s\nc:%s\n' "$MD5HEX" "$SHA512" > "$SANDBOX/input"
	run --separate-stderr env FAKE_PASSWD_STATUS=1 PATH="$SAFE_PATH" "$DASH" "$LOCAL/chpasswd" -e < "$SANDBOX/input"
	[ "$status" -eq 0 ]
	[ "$(cat "$CALLS/log")" = "$(printf '%s\n' 'passwd<-d><b>' 'usermod<-p><><b>' 'chpasswd<-e>')" ]

	reset_calls
	run --separate-stderr env FAKE_PASSWD_STATUS=1 FAKE_USERMOD_STATUS=6 PATH="$SAFE_PATH" "$DASH" "$LOCAL/chpasswd" -e < "$SANDBOX/input"
	[ "$status" -eq 1 ]
	[ "$(cat "$CALLS/log")" = "$(printf '%s\n' 'passwd<-d><b>' 'usermod<-p><><b>' 'chpasswd<-e>')" ]
	[[ "$stderr" == *"user b: neither passwd -d nor usermod -p '' could remove the password"* ]]
	[ -z "$output" ]

	reset_calls
	rm "$SBIN/passwd"
	run --separate-stderr env PATH="$SAFE_PATH" "$DASH" "$LOCAL/chpasswd" -e < "$SANDBOX/input"
	[ "$status" -eq 0 ]
	[ "$(cat "$CALLS/log")" = "$(printf '%s\n' 'usermod<-p><><b>' 'chpasswd<-e>')" ]
}

@test "chpasswd -e: the first failure decides the status (the real tool's, or 1 for a rewrite)" {
	printf 'a:%s\nb:%s\nc:%s\n' "$SHA512" "$MD5HEX" "$YESCRYPT" > "$SANDBOX/input"
	run env FAKE_CHPASSWD_STATUS=4 FAKE_PASSWD_STATUS=1 FAKE_USERMOD_STATUS=1 PATH="$SAFE_PATH" "$DASH" "$LOCAL/chpasswd" -e < "$SANDBOX/input"
	[ "$status" -eq 4 ]
	[ "$(grep -c . "$CALLS/log")" -eq 4 ] # chpasswd, passwd, usermod, chpasswd: a failure stops nothing
	reset_calls
	printf 'b:%s\nc:%s\n' "$MD5HEX" "$YESCRYPT" > "$SANDBOX/input"
	run env FAKE_CHPASSWD_STATUS=4 FAKE_PASSWD_STATUS=1 FAKE_USERMOD_STATUS=1 PATH="$SAFE_PATH" "$DASH" "$LOCAL/chpasswd" -e < "$SANDBOX/input"
	[ "$status" -eq 1 ]
}

@test "chpasswd: finds the real tool past its own directory, relative PATH entries and other copies of itself; 127 without one" {
	mkdir -p "$SANDBOX/copy" "$SANDBOX/rel"
	cp "$WRAPPER" "$SANDBOX/copy/chpasswd"
	ln -s "$LOCAL" "$SANDBOX/local-link"
	# A chpasswd in a relative PATH entry must never run.
	printf '#!/bin/sh\necho relative >> "$CALLS/log"\n' > "$SANDBOX/rel/chpasswd"
	chmod 755 "$SANDBOX/copy/chpasswd" "$SANDBOX/rel/chpasswd"
	local shell
	while IFS= read -r shell; do
		reset_calls
		(cd "$SANDBOX" && env PATH="$LOCAL:rel:$SANDBOX/local-link:$SANDBOX/copy:$SBIN:$TOOLS" $shell "$LOCAL/chpasswd" -m < /dev/null)
		[ "$(cat "$CALLS/log")" = "chpasswd<-m>" ] || { echo "$shell: $(cat "$CALLS/log")"; false; }
		# The copy found first on PATH behaves the same: it skips the first wrapper by its mark.
		reset_calls
		(cd "$SANDBOX" && env PATH="$SANDBOX/copy:rel:$LOCAL:$SBIN:$TOOLS" $shell "$SANDBOX/copy/chpasswd" -e < <(printf 'a:*\n'))
		[ "$(cat "$CALLS/log")" = "chpasswd<-e>" ] || { echo "$shell: $(cat "$CALLS/log")"; false; }
	done < <(shells)

	reset_calls
	run -127 --separate-stderr env PATH="$LOCAL:$SANDBOX/copy:$TOOLS" "$DASH" "$LOCAL/chpasswd" -m < /dev/null
	[ "$status" -eq 127 ]
	[[ "$stderr" == "chpasswd (dbxsmith wrapper): no real chpasswd on PATH"* ]]
	run -127 --separate-stderr env PATH="$LOCAL:$SANDBOX/copy:$TOOLS" "$DASH" "$LOCAL/chpasswd" -e < <(printf 'a:*\n')
	[ "$status" -eq 127 ]
	# Nothing to hand on: no real chpasswd is needed.
	run --separate-stderr env PATH="$LOCAL:$SBIN:$TOOLS" "$DASH" -c 'rm "$1"; exec "$2" -e' sh "$SBIN/chpasswd" "$LOCAL/chpasswd" < <(printf 'a:%s' "$MD5HEX")
	[ "$status" -eq 0 ]
	[ "$(cat "$CALLS/log")" = "passwd<-d><a>" ]
}

@test "failsafe: distrobox 1.8.1.2's own password block aborts under a chpasswd that checks hashes (shadow 4.15+), and completes through the wrapper" {
	[ -f "$OLD_INIT" ] || need "$OLD_INIT"
	old_password_block > "$SANDBOX/block.sh"
	# The block is the one this wrapper is for, and nothing in it can reach the host's /etc any more.
	grep -qF 'printf "%s:%s" "${container_user_name}" "${temporary_password}" | chpasswd -e || chpasswd_failed=1' "$SANDBOX/block.sh"
	grep -qxF $'\t\tprintf "%s:" "root" | chpasswd -e' "$SANDBOX/block.sh"
	! grep -q '/etc/' "$SANDBOX/block.sh"
	local run_block='set -o errexit -o nounset; container_user_name=dbxwr; rootful=0; . "$1"'

	# The strict fake is right about what it gets: a real hash passes, the MD5 hex and the empty value do not.
	run env FAKE_STRICT=1 PATH="$SBIN:$TOOLS" "$SBIN/chpasswd" -e < <(printf 'a:%s\nb:*\nc:!%s\n' "$SHA512" "$YESCRYPT")
	[ "$status" -eq 0 ]
	run env FAKE_STRICT=1 PATH="$SBIN:$TOOLS" "$SBIN/chpasswd" -e < <(printf 'a:%s' "$MD5HEX")
	[ "$status" -eq 1 ]
	[[ "$output" == *"(line 1, user a) invalid password hash"* ]]
	run env FAKE_STRICT=1 PATH="$SBIN:$TOOLS" "$SBIN/chpasswd" -e < <(printf 'root:')
	[ "$status" -eq 1 ]

	# Without the wrapper: distrobox-init stops at root's empty password (set -o errexit, no `||`).
	reset_calls
	run env FAKE_STRICT=1 PATH="$SBIN:$TOOLS" "$DASH" -c "$run_block" sh "$SANDBOX/block.sh"
	[ "$status" -eq 1 ]
	[ "$(tail -n 2 "$CALLS/log")" = "$(printf '%s\n' 'chpasswd<-e>' 'rejected')" ]
	[ "$(cat "$CALLS/$(cat "$CALLS/count").stdin")" = "root:" ]
	[[ "$output" == *"There was a problem setting up the user"* ]]

	# Through the wrapper: it completes, and every account ends passwordless by passwd -d.
	reset_calls
	rm -f "$SANDBOX/shadow"
	run env FAKE_STRICT=1 PATH="$SAFE_PATH" "$DASH" -c "$run_block" sh "$SANDBOX/block.sh"
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	[ "$(cat "$CALLS/log")" = "$(printf '%s\n' 'passwd<-d><dbxwr>' 'passwd<-d><dbxwr>' 'passwd<--help>' 'passwd<root>' 'passwd<-d><root>')" ]
	[ ! -e "$SANDBOX/shadow" ] # the manual fallback did not run
	[[ "$output" != *"problem setting up the user"* ]]
}

@test "fix-shadow-permissions: mode 000 becomes 0400, a second run changes nothing, in every shell" {
	all_shells_in_ci
	local shell
	while IFS= read -r shell; do
		rm -rf "$SANDBOX/root"
		mkdir -p "$SANDBOX/root/etc"
		echo 'root:*:1::::::' > "$SANDBOX/root/etc/shadow"
		echo 'root:*::' > "$SANDBOX/root/etc/gshadow"
		chmod 000 "$SANDBOX/root/etc/shadow" "$SANDBOX/root/etc/gshadow"
		run --separate-stderr $shell "$FIX" "$SANDBOX/root/"
		[ "$status" -eq 0 ] || { echo "$shell: $stderr"; false; }
		[ "$(mode_of "$SANDBOX/root/etc/shadow")" = 0400 ]
		[ "$(mode_of "$SANDBOX/root/etc/gshadow")" = 0400 ]
		[ -z "$output" ]
		[ "$stderr" = "$(printf 'fix-shadow-permissions: %s: mode 000 -> 0400\n' "$SANDBOX/root/etc/shadow" "$SANDBOX/root/etc/gshadow")" ]
		run --separate-stderr $shell "$FIX" "$SANDBOX/root"
		[ "$status" -eq 0 ]
		[ -z "$output" ] && [ -z "$stderr" ]
		[ "$(mode_of "$SANDBOX/root/etc/shadow")" = 0400 ]
		[ "$(mode_of "$SANDBOX/root/etc/gshadow")" = 0400 ]
	done < <(shells)
}

@test "fix-shadow-permissions: other modes, missing files and symlinks are left alone" {
	mkdir -p "$SANDBOX/root/etc" "$SANDBOX/elsewhere"
	: > "$SANDBOX/root/etc/shadow"
	chmod 640 "$SANDBOX/root/etc/shadow"
	run --separate-stderr "$DASH" "$FIX" "$SANDBOX/root"
	[ "$status" -eq 0 ] && [ -z "$stderr" ]
	[ "$(mode_of "$SANDBOX/root/etc/shadow")" = 0640 ]
	[ ! -e "$SANDBOX/root/etc/gshadow" ]
	for mode in 0600 0400 0004 0000; do
		chmod "$mode" "$SANDBOX/root/etc/shadow"
		run "$DASH" "$FIX" "$SANDBOX/root"
		[ "$status" -eq 0 ]
		if [ "$mode" = 0000 ]; then want=0400; else want=$mode; fi
		[ "$(mode_of "$SANDBOX/root/etc/shadow")" = "$want" ] || { echo "$mode -> $(mode_of "$SANDBOX/root/etc/shadow")"; false; }
	done
	: > "$SANDBOX/elsewhere/gshadow"
	chmod 000 "$SANDBOX/elsewhere/gshadow"
	ln -s "$SANDBOX/elsewhere/gshadow" "$SANDBOX/root/etc/gshadow"
	run "$DASH" "$FIX" "$SANDBOX/root"
	[ "$status" -eq 0 ]
	[ "$(mode_of "$SANDBOX/elsewhere/gshadow")" = 0000 ]
}

@test "failsafe: fix-shadow-permissions reports a chmod that fails, and a bad command line" {
	mkdir -p "$SANDBOX/root/etc" "$SANDBOX/nochmod"
	: > "$SANDBOX/root/etc/shadow"
	chmod 000 "$SANDBOX/root/etc/shadow"
	# A chmod that refuses, as it does for a non-root caller or on a read-only /etc.
	printf '#!/bin/sh\necho "chmod: changing permissions of $2: Operation not permitted" >&2\nexit 1\n' > "$SANDBOX/nochmod/chmod"
	chmod 755 "$SANDBOX/nochmod/chmod"
	run --separate-stderr env PATH="$SANDBOX/nochmod:$TOOLS" "$DASH" "$FIX" "$SANDBOX/root"
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"$SANDBOX/root/etc/shadow: could not set mode 0400"* ]]
	[ "$(mode_of "$SANDBOX/root/etc/shadow")" = 0000 ]
	run --separate-stderr "$DASH" "$FIX" "$SANDBOX/root" extra
	[ "$status" -eq 2 ]
	run --separate-stderr "$DASH" "$FIX" "$SANDBOX/no-such-dir"
	[ "$status" -eq 2 ]
	[ "$(mode_of "$SANDBOX/root/etc/shadow")" = 0000 ]
}
