# dbxsmith library: the commands of dist/dbxsmith, which sources this file after defining the data
# of its boxes (BOXES, box_strategy, ghost_user, cleans_environment, baked_image, box_checks,
# hook_origin) and script_dir, ini_file, container_manager, enter_timeout.
# Shipped verbatim by dbxsmith-gen; linted by its test suite together with a generated dbxsmith.
# shellcheck shell=sh disable=SC2154 # the variables above come from the dbxsmith that sources this file

# Prints an error to stderr and exits with the given status.
die() {
	status=$1
	shift
	printf 'dbxsmith: %s\n' "$*" >&2
	exit "$status"
}

usage() {
	cat <<'USAGE'
Usage: dbxsmith COMMAND [ARGS]

Commands:
  create [--replace] [BOX...]   create the boxes (all by default) and run their first start
  enter BOX [-- CMD [ARG...]]   enter BOX as your user; with CMD, run it there (stdin, stdout
                                and the exit status pass through)
  rm [--verify] [BOX...]        remove the boxes (all by default) and what distrobox left behind;
                                --verify then proves nothing is left on the host (TAP)
  verify [BOX...]               check every guarantee of each box's strategy (TAP, exit 1 on a
                                violation)
  list                          show every box of this file, its strategy and its state
  help                          show this text

Boxes:
USAGE
	for box in $BOXES; do
		printf '  %s\n' "$box"
	done
}

# Succeeds when $1 is one of the boxes generated into this directory.
is_known_box() {
	for known in $BOXES; do
		[ "$known" = "$1" ] && return 0
	done
	return 1
}

require_known_boxes() {
	for box in ${1+"$@"}; do
		is_known_box "$box" || die 2 "unknown box '$box' (boxes here: $BOXES)"
	done
}

require_tools() {
	for tool in "$container_manager" distrobox; do
		command -v "$tool" > /dev/null 2>&1 || die 2 "$tool is not installed or not on PATH"
	done
}

# image_is_set_up IMAGE: IMAGE is in local storage and carries /.containersetupdone, the mark on which
# distrobox-init skips its package set-up. Checked in a throw-away container with no network (no pull).
image_is_set_up() {
	"$container_manager" image exists "$1" > /dev/null 2>&1 &&
		"$container_manager" run --rm --network none --entrypoint /bin/sh "$1" -c 'test -e /.containersetupdone' \
			< /dev/null > /dev/null 2>&1
}

box_exists() {
	"$container_manager" container exists "$1" > /dev/null 2>&1
}

# Explains a failed first start of box $1: which hook failed, if one did, the end of what the start
# printed (file $2, if given), and where to look.
report_failed_start() {
	box=$1
	start_log=${2:-}
	failed=$("$container_manager" logs "$box" 2>&1 | sed -n 's/^Error: dbxsmith-hook-failed \([A-Za-z0-9-]*\) \([0-9]*\).*/\1 \2/p' | tail -n 1)
	if [ -n "$failed" ]; then
		failed_id=${failed% *}
		failed_status=${failed#* }
		# hook_origin prints straight to stderr: a command substitution would cut a label at its first
		# non-ASCII byte in some shells (yash in the C locale).
		{
			printf 'dbxsmith: %s: ' "$box"
			hook_origin "$box" "$failed_id"
			printf ' failed with exit %s\n' "$failed_status"
		} >&2
	else
		printf 'dbxsmith: %s: the first start failed\n' "$box" >&2
		if [ -n "$start_log" ] && [ -s "$start_log" ]; then
			tail -n 10 "$start_log" | sed 's/^/dbxsmith:   | /' >&2
		fi
	fi
	printf 'dbxsmith: see: %s logs %s; remove it with: %s rm %s\n' "$container_manager" "$box" "$0" "$box" >&2
}

# Runs distrobox enter for box $2 with the rest as its arguments, under a time limit of $1 seconds
# (0: none). Boxes that must not see the caller's environment get only what distrobox needs.
distrobox_enter() {
	limit=$1
	box=$2
	shift 2
	if cleans_environment "$box"; then
		# The caller's directory may sit under a mask (/tmp, /run/host): start in the home instead.
		set -- env -i HOME="$HOME" USER="${USER:-}" LOGNAME="${LOGNAME:-}" PATH="$PATH" TERM="${TERM:-dumb}" \
			XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-}" distrobox enter --no-workdir "$box" ${1+"$@"}
	else
		set -- distrobox enter "$box" ${1+"$@"}
	fi
	if [ "$limit" -gt 0 ] && command -v timeout > /dev/null 2>&1; then
		set -- timeout "$limit" ${1+"$@"}
	fi
	${1+"$@"}
}

# Starts box $1 without distrobox enter (which writes into the host home) and waits until
# distrobox's set-up in the box has finished, failed, or the time limit has passed.
start_and_wait() {
	box=$1
	state=$("$container_manager" inspect --type container --format '{{.State.Status}}' "$box") || return 1
	[ "$state" = running ] && return 0
	done_before=$("$container_manager" logs "$box" 2>&1 | grep -c '^container_setup_done') || :
	"$container_manager" start "$box" > /dev/null || return 1
	waited=0
	while [ "$waited" -lt "$((enter_timeout * 5))" ]; do
		done_now=$("$container_manager" logs "$box" 2>&1 | grep -c '^container_setup_done') || :
		[ "$done_now" -gt "$done_before" ] && return 0
		state=$("$container_manager" inspect --type container --format '{{.State.Status}}' "$box")
		[ "$state" = running ] || return 1
		sleep 0.2
		waited=$((waited + 1))
	done
	return 1
}

# The first start after creation: runs distrobox's set-up and every hook in the box.
first_start() {
	if ghost_user "$1" > /dev/null; then
		start_and_wait "$1"
	else
		distrobox_enter "$enter_timeout" "$1" -- true
	fi
}

# Enters ghost box $1 as its own user with a fresh environment: no distrobox enter, which
# would forward the caller's environment and write into the host home.
ghost_enter() {
	box=$1
	shift
	user=$(ghost_user "$box")
	start_and_wait "$box" || {
		report_failed_start "$box"
		exit 1
	}
	tty_flag=
	[ -t 0 ] && [ -t 1 ] && tty_flag=--tty
	[ "$#" -gt 0 ] || set -- /bin/sh -l
	# shellcheck disable=SC2086,SC2248 # $tty_flag is empty or the single word --tty
	exec "$container_manager" exec --interactive $tty_flag --user "$user" --workdir "/home/$user" \
		--env "HOME=/home/$user" --env "USER=$user" --env "LOGNAME=$user" --env SHELL=/bin/sh \
		--env "TERM=${TERM:-dumb}" "$box" ${1+"$@"}
}

cmd_create() {
	replace=
	if [ "${1:-}" = --replace ]; then
		replace=--replace
		shift
	fi
	# shellcheck disable=SC2086,SC2248 # box names are [a-z0-9-]: splitting is wanted, globbing cannot happen
	[ "$#" -gt 0 ] || set -- $BOXES
	require_known_boxes ${1+"$@"}
	require_tools
	# distrobox 1.8.1.2 glob-expands ini lines against the working directory: run it from an empty one.
	work_dir=$(mktemp -d "${TMPDIR:-/tmp}/dbxsmith.XXXXXX") || die 1 "cannot create a temporary directory"
	failures=0
	for box in ${1+"$@"}; do
		if [ -z "$replace" ] && box_exists "$box"; then
			printf 'dbxsmith: %s exists; kept as it is (create --replace %s rebuilds it)\n' "$box" "$box" >&2
			continue
		fi
		if image=$(baked_image "$box") && ! "$container_manager" image exists "$image"; then
			if base=$(set_up_base_image "$box") && image_is_set_up "$base"; then
				printf 'dbxsmith: %s: %s is already set up for distrobox (/.containersetupdone) and no packages are added: tagging it %s, no bake\n' \
					"$box" "$base" "$image"
				if ! "$container_manager" tag "$base" "$image"; then
					printf 'dbxsmith: %s: tagging %s as %s failed\n' "$box" "$base" "$image" >&2
					failures=$((failures + 1))
					continue
				fi
			else
				printf 'dbxsmith: %s: baking %s from %s.Containerfile\n' "$box" "$image" "$box"
				if ! "$container_manager" build --tag "$image" --file "$script_dir/$box.Containerfile" "$work_dir" \
					< /dev/null > "$work_dir/bake.log" 2>&1; then
					tail -n 20 "$work_dir/bake.log" >&2
					printf 'dbxsmith: %s: baking %s failed\n' "$box" "$image" >&2
					failures=$((failures + 1))
					continue
				fi
			fi
		fi
		# shellcheck disable=SC2086,SC2248 # $replace is empty or the single word --replace
		# TMPDIR: distrobox 1.8.2.5's assemble leaves an expanded copy of the ini in $TMPDIR on every run.
		if ! (cd "$work_dir" && TMPDIR="$work_dir" distrobox assemble create $replace --file "$ini_file" \
			--name "$box" < /dev/null); then
			printf 'dbxsmith: %s: distrobox assemble failed\n' "$box" >&2
			failures=$((failures + 1))
			continue
		fi
		box_exists "$box" || {
			printf 'dbxsmith: %s: distrobox assemble did not create it\n' "$box" >&2
			failures=$((failures + 1))
			continue
		}
		if ! (cd "$work_dir" && first_start "$box" < /dev/null > "$work_dir/enter.log" 2>&1); then
			report_failed_start "$box" "$work_dir/enter.log"
			failures=$((failures + 1))
			continue
		fi
		printf 'dbxsmith: %s is ready\n' "$box"
	done
	rm -rf "$work_dir"
	[ "$failures" -eq 0 ] || exit 1
}

cmd_enter() {
	[ "$#" -ge 1 ] || die 2 "enter needs a box name (boxes here: $BOXES)"
	box=$1
	shift
	require_known_boxes "$box"
	require_tools
	box_exists "$box" || die 1 "$box does not exist; create it with: $0 create $box"
	if [ "$#" -gt 0 ]; then
		[ "$1" = -- ] && shift
		[ "$#" -gt 0 ] || die 2 "nothing to run after --"
	fi
	if ghost_user "$box" > /dev/null; then
		ghost_enter "$box" ${1+"$@"}
	fi
	if [ "$#" -gt 0 ]; then
		distrobox_enter 0 "$box" -- ${1+"$@"}
		exit
	fi
	distrobox_enter 0 "$box"
}

# Prints up to five TCP ports the host listens on at loopback or all addresses, comma-separated;
# DBXSMITH_VERIFY_PORTS (comma-separated) chooses them instead.
host_listen_ports() {
	if [ -n "${DBXSMITH_VERIFY_PORTS:-}" ]; then
		printf '%s\n' "$DBXSMITH_VERIFY_PORTS"
		return 0
	fi
	cat /proc/net/tcp /proc/net/tcp6 2> /dev/null | awk '
		$4 == "0A" {
			split($2, local, ":")
			if (local[1] ~ /^(0100007F|00000000|0{24}01000000|0{32})$/ && !seen[local[2]]++ && count++ < 5)
				printf "%s%d", (count > 1 ? "," : ""), ("0x" local[2]) + 0
		}' 2> /dev/null
}

# Prints the network namespace of process $1, as readlink shows it.
netns_of() {
	readlink "/proc/$1/ns/net" 2> /dev/null
}

# TAP output shared by verify and rm --verify: one line per check, numbered across all boxes.
tap_number=0
tap_failures=0
tap() {
	tap_number=$((tap_number + 1))
	case $1 in
	ok) printf 'ok %s - %s\n' "$tap_number" "$2" ;;
	*)
		printf 'not ok %s - %s\n' "$tap_number" "$2"
		case $2 in
		*"# TODO"*) ;;
		*) tap_failures=$((tap_failures + 1)) ;;
		esac
		;;
	esac
}

# Host-side checks of box $1: does its network namespace match what its strategy promises?
verify_on_host() {
	box=$1
	box_pid=$("$container_manager" inspect --type container --format '{{.State.Pid}}' "$box")
	box_netns=$(netns_of "$box_pid")
	host_netns=$(netns_of $$)
	case $(box_strategy "$box") in
	standard | ghost) wants_own_netns=no ;;
	*) wants_own_netns=yes ;;
	esac
	if [ -z "$box_netns" ] || [ -z "$host_netns" ]; then
		tap "not ok" "network namespace of $box: cannot read /proc/$box_pid/ns/net"
	elif [ "$wants_own_netns" = yes ] && [ "$box_netns" != "$host_netns" ]; then
		tap ok "own network namespace ($box_netns)"
	elif [ "$wants_own_netns" = no ] && [ "$box_netns" = "$host_netns" ]; then
		tap ok "shares the host network namespace ($box_netns)"
	elif [ "$wants_own_netns" = yes ]; then
		tap "not ok" "own network namespace: the box uses the host's ($host_netns)"
	else
		tap "not ok" "shares the host network namespace: the box has its own ($box_netns)"
	fi
}

# In-box checks of box $1, run through `dbxsmith enter` so they see what its user sees.
verify_in_box() {
	box=$1
	checks=$(box_checks "$box")
	set --
	while IFS= read -r check; do
		set -- ${1+"$@"} "$check"
	done << CHECKS
$checks
CHECKS
	results=$("$script_dir/${0##*/}" enter "$box" -- sh -s -- ${1+"$@"} < "$script_dir/verify/box-checks.sh" 2>&1)
	# A here-document, not a pipe: the loop runs in this shell, so tap keeps counting across boxes.
	in_box_lines=0
	while IFS= read -r line; do
		case $line in
		"ok "*)
			in_box_lines=$((in_box_lines + 1))
			description=${line#ok }
			description=${description#* - }
			tap ok "$description"
			;;
		"not ok "*)
			in_box_lines=$((in_box_lines + 1))
			description=${line#not ok }
			description=${description#* - }
			tap "not ok" "$description"
			;;
		*) ;;
		esac
	done << RESULTS
$results
RESULTS
	if [ "$in_box_lines" -lt "$#" ]; then
		tap "not ok" "checks inside $box did not all run: $(printf '%s' "$results" | tail -n 3 | tr '\n' ' ')"
	fi
}

cmd_verify() {
	# shellcheck disable=SC2086,SC2248 # box names are [a-z0-9-]: splitting is wanted, globbing cannot happen
	[ "$#" -gt 0 ] || set -- $BOXES
	require_known_boxes ${1+"$@"}
	require_tools
	for box in ${1+"$@"}; do
		printf '# %s (strategy %s)\n' "$box" "$(box_strategy "$box")"
		if ! box_exists "$box"; then
			tap "not ok" "$box exists (create it with: $0 create $box)"
			continue
		fi
		if ! "$script_dir/${0##*/}" enter "$box" -- true < /dev/null > /dev/null 2>&1; then
			tap "not ok" "$box starts"
			continue
		fi
		verify_on_host "$box"
		verify_in_box "$box"
	done
	printf '1..%s\n' "$tap_number"
	[ "$tap_failures" -eq 0 ] || exit 1
}

# Prints files changed since the reference file $1 under $2, outside podman's own storage.
files_newer_than() {
	find "$2" -xdev \( -path "$HOME/.local/share/containers" -o -path "$HOME/.config/containers" \
		-o -path "$HOME/.cache/containers" -o -path "${XDG_RUNTIME_DIR:-/nonexistent}/containers" \
		-o -path "${XDG_RUNTIME_DIR:-/nonexistent}/libpod" -o -path "${XDG_RUNTIME_DIR:-/nonexistent}/podman" \
		-o -path "${XDG_RUNTIME_DIR:-/nonexistent}/netns" -o -path "${XDG_RUNTIME_DIR:-/nonexistent}/runc" \
		-o -path "${XDG_RUNTIME_DIR:-/nonexistent}/crun" -o -path "${XDG_RUNTIME_DIR:-/nonexistent}/systemd" \
		-o -path "$1" -o -path "${1%/*}" \) -prune -o -newer "$1" ! -user 0 -print 2> /dev/null | head -n 5
}

# After box $1 (created at epoch $2, with volumes $3) was removed: is anything of it left?
verify_nothing_left() {
	box=$1
	reference=$2
	volumes=$3
	if box_exists "$box"; then
		tap "not ok" "container $box removed"
	else
		tap ok "container $box removed"
	fi
	left=
	for volume in $volumes; do
		"$container_manager" volume exists "$volume" 2> /dev/null && left="$left $volume"
	done
	if [ -n "$left" ]; then tap "not ok" "volumes of $box removed: left$left"; else tap ok "volumes of $box removed"; fi
	if "$container_manager" network exists "$box" 2> /dev/null; then
		tap "not ok" "no network named $box"
	else
		tap ok "no network named $box"
	fi
	data_home=${XDG_DATA_HOME:-$HOME/.local/share}
	if [ -e "$data_home/applications/$box.desktop" ]; then
		tap "not ok" "no desktop entry for $box"
	else
		tap ok "no desktop entry for $box"
	fi
	icons=$(files_newer_than "$reference" "$data_home/icons")
	if [ -n "$icons" ]; then tap "not ok" "no icon left: $icons"; else tap ok "no icon left"; fi
	cache=$(files_newer_than "$reference" "${XDG_CACHE_HOME:-$HOME/.cache}/distrobox")
	if [ -n "$cache" ]; then tap "not ok" "no distrobox cache left: $cache"; else tap ok "no distrobox cache left"; fi
	for place in "$HOME" "${TMPDIR:-/tmp}" "${XDG_RUNTIME_DIR:-}"; do
		[ -n "$place" ] && [ -d "$place" ] || continue
		newer=$(files_newer_than "$reference" "$place" | tr '\n' ' ')
		if [ -n "$newer" ]; then
			tap "not ok" "nothing written to $place since $box was created: $newer"
		else
			tap ok "nothing written to $place since $box was created"
		fi
	done
}

cmd_rm() {
	verify_after=
	if [ "${1:-}" = --verify ]; then
		verify_after=yes
		shift
	fi
	# shellcheck disable=SC2086,SC2248 # box names are [a-z0-9-]: splitting is wanted, globbing cannot happen
	[ "$#" -gt 0 ] || set -- $BOXES
	require_known_boxes ${1+"$@"}
	require_tools
	failures=0
	reference_dir=
	if [ -n "$verify_after" ]; then
		reference_dir=$(mktemp -d "${TMPDIR:-/tmp}/dbxsmith-rm.XXXXXX") || die 1 "cannot create a temporary directory"
	fi
	for box in ${1+"$@"}; do
		if [ -n "$verify_after" ] && box_exists "$box"; then
			# Nanoseconds: a whole-second reference would count files from the second before creation.
			created=$("$container_manager" inspect --type container --format '{{.Created.UnixNano}}' "$box")
			seconds=${created%?????????}
			touch -d "@$seconds.${created#"$seconds"}" "$reference_dir/$box"
			"$container_manager" inspect --type container \
				--format '{{range .Mounts}}{{if eq .Type "volume"}}{{.Name}} {{end}}{{end}}' \
				"$box" > "$reference_dir/$box.volumes"
		fi
		if box_exists "$box"; then
			# A ghost box has its own PID namespace with a shell as PID 1, which ignores SIGTERM: podman
			# would wait 10 s before its SIGKILL. Other boxes stop on SIGTERM at once.
			if ghost_user "$box" > /dev/null; then
				"$container_manager" kill "$box" > /dev/null 2>&1 || :
			else
				"$container_manager" stop --time 2 "$box" > /dev/null 2>&1 || :
			fi
			# distrobox rm runs `podman rm --volumes`, so anonymous volumes go with the container.
			if ! distrobox rm --force "$box" < /dev/null > /dev/null 2>&1; then
				printf 'dbxsmith: %s: distrobox rm failed\n' "$box" >&2
				failures=$((failures + 1))
				continue
			fi
			printf '%sdbxsmith: %s removed\n' "${verify_after:+# }" "$box"
		else
			printf '%sdbxsmith: %s does not exist, nothing to remove\n' "${verify_after:+# }" "$box"
		fi
		# Boxes are created with entry=false; this removes an entry someone exported by hand.
		rm -f "${XDG_DATA_HOME:-$HOME/.local/share}/applications/$box.desktop"
	done
	# distrobox enter leaves an empty cache directory behind. Ghost boxes are never entered with
	# distrobox: removing only those must not touch the host home at all.
	for box in ${1+"$@"}; do
		if ! ghost_user "$box" > /dev/null; then
			rmdir "${XDG_CACHE_HOME:-$HOME/.cache}/distrobox" 2> /dev/null || :
			break
		fi
	done
	if [ -n "$verify_after" ]; then
		for box in ${1+"$@"}; do
			[ -e "$reference_dir/$box" ] || continue
			printf '# %s (strategy %s): what rm left behind\n' "$box" "$(box_strategy "$box")"
			if ghost_user "$box" > /dev/null; then
				verify_nothing_left "$box" "$reference_dir/$box" "$(cat "$reference_dir/$box.volumes")"
			else
				tap ok "nothing left on the host # SKIP not promised by strategy $(box_strategy "$box")"
			fi
		done
		rm -rf "$reference_dir"
		printf '1..%s\n' "$tap_number"
		[ "$tap_failures" -eq 0 ] || failures=$((failures + 1))
	fi
	[ "$failures" -eq 0 ] || exit 1
}

cmd_list() {
	require_tools
	printf '%-32s %-20s %s\n' BOX STRATEGY STATE
	for box in $BOXES; do
		if box_exists "$box"; then
			state=$("$container_manager" inspect --type container --format '{{.State.Status}}' "$box" 2> /dev/null) || state=unknown
		else
			state=absent
		fi
		printf '%-32s %-20s %s\n' "$box" "$(box_strategy "$box")" "$state"
	done
}

main() {
	[ "$#" -gt 0 ] || {
		usage >&2
		exit 2
	}
	command=$1
	shift
	case $command in
	create) cmd_create ${1+"$@"} ;;
	enter) cmd_enter ${1+"$@"} ;;
	rm) cmd_rm ${1+"$@"} ;;
	verify) cmd_verify ${1+"$@"} ;;
	list) cmd_list ;;
	help | -h | --help) usage ;;
	version | --version) printf 'dbxsmith (generated by dbxsmith-gen %s)\n' "$DBXSMITH_VERSION" ;;
	*) die 2 "unknown command '$command' (try: $0 help)" ;;
	esac
}

