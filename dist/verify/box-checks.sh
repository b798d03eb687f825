#!/bin/sh
# box-checks.sh -- isolation checks that run INSIDE a box and print TAP.
#
# usage: sh -s -- CHECK[=ARG] ... < box-checks.sh
#
# Runs as the box user or as root, in minimal images: it needs only a POSIX sh and
# coreutils or busybox. bash, curl, nc, wget, python3 and perl are used when present.
#
# Checks (one TAP line each, in the order given):
#   outbound-works                      the package mirror resolves and accepts a TCP connection
#   loopback-only                       only `lo`, no default route, the mirror does not resolve
#   host-loopback-closed=PORT[,PORT...] 127.0.0.1, 10.0.2.2 (when routed) and the default gateway
#                                       refuse every PORT
#   host-loopback-open=PORT[,ADDR]      ADDR:PORT accepts a connection (a control for tests);
#                                       ADDR is 127.0.0.1 (default), 10.0.2.2 or `gateway`
#   sockets-closed=HOSTUID              no socket of the host session is reachable
#   identity=NAME,HOSTUID               the user is NAME, its uid is not HOSTUID, $HOME is the box's own
#   no-host-files=HOSTHOME,HOSTUID      no host filesystem is mounted and visible
#   env-clean                           no session or secret variables (names only, never values)
#   no-privilege[=weakened]             no capabilities, not root, no sudo, no su; `=weakened` marks
#                                       the result `# TODO` (profile opted into sudo)
#   distro-fixes=FIX[,FIX...]           the distro adapter's fixes are in place: `chpasswd` (the
#                                       wrapper is what a root PATH finds), `fix-shadow-permissions`
#                                       (/etc/shadow, /etc/gshadow readable by their owner)
#
# Output: `1..N`, then `ok K - DESCRIPTION` or `not ok K - DESCRIPTION: REASON`, maybe followed by
# ` # TODO REASON`. Exit status: 0 when every line is ok or TODO, 1 otherwise, 2 for a bad command line.
#
# Network probes only ever target 127.0.0.1, 10.0.2.2, the default gateway of /proc/net/route and the
# package mirror named by the box's package configuration. A probe expected to fail gives up within
# 2 seconds; nothing is retried and nothing sleeps.
set -u
# Words are split on purpose in many places (lines of config files, mountinfo fields): never globbed.
# The few intended globs turn it back on around themselves (see expand_glob).
set -f

KNOWN_CHECKS="outbound-works loopback-only host-loopback-closed host-loopback-open sockets-closed identity no-host-files env-clean no-privilege distro-fixes"
# Filesystem types that hold no host data (kernel pseudo filesystems, the container's own overlay, tmpfs,
# and podman's own volumes, which mount_table reports as podman-volume). A tmpfs that came from the host
# is reported as host-tmpfs and is not the box's.
BOX_OWN_FSTYPES=" podman-volume overlay tmpfs proc sysfs devpts mqueue cgroup cgroup2 devtmpfs securityfs pstore bpf debugfs tracefs fusectl configfs hugetlbfs binfmt_misc autofs nsfs ramfs efivarfs selinuxfs fuse.fuse-overlayfs "
NEGATIVE_PROBE_SECONDS=2
POSITIVE_PROBE_SECONDS=10
SLIRP_HOST_GATEWAY=10.0.2.2

warn() {
	printf 'box-checks: %s\n' "$*" >&2
}

usage_error() {
	warn "$*"
	warn "usage: sh -s -- CHECK[=ARG] ... < box-checks.sh   (checks: ${KNOWN_CHECKS})"
	exit 2
}

has() {
	command -v "$1" > /dev/null 2>&1
}

is_number() {
	case $1 in
		'' | *[!0-9]*) return 1 ;;
		*) ;;
	esac
	return 0
}

# One line of TAP text: newlines and `#` (TAP's directive marker) would break the line.
tap_text() {
	printf '%s' "$*" | tr '\n#' ' _'
}

################################################################################
# Time limits
################################################################################

# coreutils and busybox >= 1.30 take `timeout SECS`; older busybox takes `timeout -t SECS`.
timeout_flavour=""
detect_timeout() {
	if ! has timeout; then
		timeout_flavour=none
	elif timeout 2 true 2> /dev/null; then
		timeout_flavour=modern
	elif timeout -t 2 true 2> /dev/null; then
		timeout_flavour=old-busybox
	else
		timeout_flavour=none
	fi
}

# bounded SECONDS CMD [ARGS...]: run an external command, killed after SECONDS when `timeout` exists.
bounded() {
	bounded_seconds=$1
	shift
	[ -n "${timeout_flavour}" ] || detect_timeout
	case ${timeout_flavour} in
		modern) timeout "${bounded_seconds}" ${1+"$@"} ;;
		old-busybox) timeout -t "${bounded_seconds}" ${1+"$@"} ;;
		*) ${1+"$@"} ;;
	esac
}

################################################################################
# Addresses and routes (/proc/net/route holds addresses in host byte order)
################################################################################

byte_order=""
host_is_little_endian() {
	if [ -z "${byte_order}" ]; then
		case $(printf '\001\002' | od -An -tx2 2> /dev/null) in
			*0102*) byte_order=big ;;
			*) byte_order=little ;;
		esac
	fi
	[ "${byte_order}" = little ]
}

# hex_to_ipv4 HEX8: a /proc/net/route address to dotted quad.
hex_to_ipv4() {
	h2i_rest=$1
	h2i_a=$(printf '%d' "0x${h2i_rest%??????}")
	h2i_rest=${h2i_rest#??}
	h2i_b=$(printf '%d' "0x${h2i_rest%????}")
	h2i_rest=${h2i_rest#??}
	h2i_c=$(printf '%d' "0x${h2i_rest%??}")
	h2i_d=$(printf '%d' "0x${h2i_rest#??}")
	if host_is_little_endian; then
		printf '%s.%s.%s.%s\n' "${h2i_d}" "${h2i_c}" "${h2i_b}" "${h2i_a}"
	else
		printf '%s.%s.%s.%s\n' "${h2i_a}" "${h2i_b}" "${h2i_c}" "${h2i_d}"
	fi
}

# ipv4_to_int A.B.C.D: the address as one integer (network order).
ipv4_to_int() {
	i2i_rest=$1
	i2i_a=${i2i_rest%%.*}
	i2i_rest=${i2i_rest#*.}
	i2i_b=${i2i_rest%%.*}
	i2i_rest=${i2i_rest#*.}
	i2i_c=${i2i_rest%%.*}
	i2i_d=${i2i_rest#*.}
	printf '%s\n' "$(((i2i_a << 24) + (i2i_b << 16) + (i2i_c << 8) + i2i_d))"
}

# The default gateway of /proc/net/route (IPv4), empty when there is none.
default_gateway() {
	[ -r /proc/net/route ] || return 0
	while read -r dg_iface dg_dest dg_gateway dg_flags _; do
		[ "${dg_iface}" = Iface ] && continue
		[ "${dg_dest}" = 00000000 ] || continue
		[ "$(($(printf '%d' "0x${dg_flags}") & 2))" -ne 0 ] || continue # RTF_GATEWAY
		[ "${dg_gateway}" = 00000000 ] && continue
		hex_to_ipv4 "${dg_gateway}"
		return 0
	done < /proc/net/route
}

# Whether a non-default IPv4 route covers ADDR (10.0.2.2 is only probed where slirp4netns routes it).
route_covers() {
	rcv_target=$(ipv4_to_int "$1")
	[ -r /proc/net/route ] || return 1
	while read -r rcv_iface rcv_dest _ _ _ _ _ rcv_mask _; do
		[ "${rcv_iface}" = Iface ] && continue
		[ "${rcv_mask}" = 00000000 ] && continue
		rcv_net=$(ipv4_to_int "$(hex_to_ipv4 "${rcv_dest}")")
		rcv_bits=$(ipv4_to_int "$(hex_to_ipv4 "${rcv_mask}")")
		if [ "$((rcv_target & rcv_bits))" -eq "$((rcv_net & rcv_bits))" ]; then
			return 0
		fi
	done < /proc/net/route
	return 1
}

################################################################################
# The package mirror (the one outside host a check may contact)
################################################################################

mirror_host=""
mirror_port=""

# mirror_from_url URL: sets mirror_host and mirror_port from an http(s) URL; fails for anything else.
mirror_from_url() {
	mfu_url=$1
	case ${mfu_url} in
		http://*) mfu_port=80 ;;
		https://*) mfu_port=443 ;;
		*) return 1 ;;
	esac
	mfu_authority=${mfu_url#*://}
	mfu_authority=${mfu_authority%%/*}
	mfu_authority=${mfu_authority%%\?*}
	mfu_authority=${mfu_authority##*@}
	case ${mfu_authority} in
		\[*\]:*)
			mfu_host=${mfu_authority%%]*}
			mfu_host=${mfu_host#?}
			mfu_port=${mfu_authority##*]:}
			;;
		\[*\])
			mfu_host=${mfu_authority%]}
			mfu_host=${mfu_host#?}
			;;
		*:*)
			mfu_host=${mfu_authority%%:*}
			mfu_port=${mfu_authority#*:}
			;;
		*) mfu_host=${mfu_authority} ;;
	esac
	case ${mfu_host} in
		'' | *[!A-Za-z0-9.:-]*) return 1 ;; # empty, or a $variable the package manager expands
		*) ;;
	esac
	is_number "${mfu_port}" || return 1
	mirror_host=${mfu_host}
	mirror_port=${mfu_port}
	return 0
}

# One-line formats: apt's `deb [options] URL suite...`, apk's `[@tag] URL`, `key = URL`.
mirror_from_apt_list() {
	mal_file=$1
	while IFS= read -r mal_line || [ -n "${mal_line}" ]; do
		# shellcheck disable=SC2086 # split the line into words on purpose
		set -- ${mal_line}
		[ $# -ge 2 ] || continue
		case $1 in deb | deb-src) ;; *) continue ;; esac
		mal_rest=${mal_line#*"$1"}
		case ${mal_rest} in *\[*\]*) mal_rest=${mal_rest#*]} ;; *) ;; esac
		# shellcheck disable=SC2086
		set -- ${mal_rest}
		[ $# -ge 1 ] && mirror_from_url "$1" && return 0
	done < "${mal_file}"
	return 1
}

mirror_from_deb822() {
	mdd_file=$1
	while IFS= read -r mdd_line || [ -n "${mdd_line}" ]; do
		case ${mdd_line} in
			[Uu][Rr][Ii][Ss]:*)
				# shellcheck disable=SC2086
				set -- ${mdd_line#*:}
				for mdd_url in ${1+"$@"}; do
					mirror_from_url "${mdd_url}" && return 0
				done
				;;
			*) ;;
		esac
	done < "${mdd_file}"
	return 1
}

mirror_from_apk() {
	mfa_file=$1
	while IFS= read -r mfa_line || [ -n "${mfa_line}" ]; do
		# shellcheck disable=SC2086
		set -- ${mfa_line}
		[ $# -ge 1 ] || continue
		case $1 in @*) shift ;; *) ;; esac
		[ $# -ge 1 ] && mirror_from_url "$1" && return 0
	done < "${mfa_file}"
	return 1
}

# mirror_from_key KEY FILE: the first uncommented `KEY=URL` / `KEY = URL` line (yum, pacman).
mirror_from_key() {
	mfk_key=$1
	while IFS= read -r mfk_line || [ -n "${mfk_line}" ]; do
		case ${mfk_line} in *=*) ;; *) continue ;; esac
		# shellcheck disable=SC2086
		set -- ${mfk_line%%=*}
		[ $# -eq 1 ] && [ "$1" = "${mfk_key}" ] || continue
		# shellcheck disable=SC2086
		set -- ${mfk_line#*=}
		[ $# -ge 1 ] && mirror_from_url "$1" && return 0
	done < "$2"
	return 1
}

# find_mirror: sets mirror_host and mirror_port from the first package source found.
find_mirror() {
	[ -z "${mirror_host}" ] || return 0
	for fm_file in $(expand_glob /etc/apt/sources.list '/etc/apt/sources.list.d/*.list'); do
		[ -f "${fm_file}" ] && [ -r "${fm_file}" ] && mirror_from_apt_list "${fm_file}" && return 0
	done
	for fm_file in $(expand_glob '/etc/apt/sources.list.d/*.sources'); do
		[ -f "${fm_file}" ] && [ -r "${fm_file}" ] && mirror_from_deb822 "${fm_file}" && return 0
	done
	if [ -r /etc/apk/repositories ]; then
		mirror_from_apk /etc/apk/repositories && return 0
	fi
	for fm_key in baseurl metalink mirrorlist; do
		for fm_file in $(expand_glob '/etc/yum.repos.d/*.repo'); do
			[ -f "${fm_file}" ] && [ -r "${fm_file}" ] && mirror_from_key "${fm_key}" "${fm_file}" && return 0
		done
	done
	if [ -r /etc/pacman.d/mirrorlist ]; then
		mirror_from_key Server /etc/pacman.d/mirrorlist && return 0
	fi
	return 1
}

################################################################################
# Name resolution and TCP probes
################################################################################

# resolve_host HOST SECONDS: prints one address and succeeds when HOST resolves.
resolve_host() {
	if has getent; then
		rh_out=$(bounded "$2" getent hosts "$1" 2> /dev/null) || return 1
		# shellcheck disable=SC2086
		set -- ${rh_out}
		[ $# -ge 1 ] || return 1
		printf '%s\n' "$1"
		return 0
	fi
	if has nslookup; then
		rh_out=$(bounded "$2" nslookup "$1" 2> /dev/null) || return 1
	elif has busybox; then
		rh_out=$(bounded "$2" busybox nslookup "$1" 2> /dev/null) || return 1
	else
		warn "neither getent nor nslookup: cannot resolve $1"
		return 1
	fi
	# Addresses follow the `Name:` line: `Address: IP` (busybox >= 1.28, bind) or `Address 1: IP`.
	rh_seen_name=0
	while IFS= read -r rh_line; do
		case ${rh_line} in
			Name:*) rh_seen_name=1 ;;
			Address*)
				[ "${rh_seen_name}" = 1 ] || continue
				# shellcheck disable=SC2086
				set -- ${rh_line#*:}
				[ $# -ge 1 ] || continue
				printf '%s\n' "$1"
				return 0
				;;
			*) ;;
		esac
	done << EOF
${rh_out}
EOF
	return 1
}

tcp_client=""

# The first TCP client of: bash /dev/tcp, busybox nc, nc, curl, wget, python3, perl.
pick_tcp_client() {
	[ -z "${tcp_client}" ] || return 0
	[ -n "${timeout_flavour}" ] || detect_timeout
	# bash's /dev/tcp has no time limit of its own, and a bash built without network
	# redirections reports a missing file instead of a refused connection.
	if has bash && [ "${timeout_flavour}" != none ]; then
		case $(bounded 2 bash -c 'exec 3<>/dev/tcp/127.0.0.1/0' 2>&1) in
			*"No such file"*) ;;
			*) tcp_client=bash && return 0 ;;
		esac
	fi
	for ptc_nc in "busybox nc" nc; do
		# shellcheck disable=SC2086 # "busybox nc" is two words
		has ${ptc_nc%% *} || continue
		# shellcheck disable=SC2086
		ptc_help=$(bounded 2 ${ptc_nc} -h 2>&1)
		case ${ptc_help} in
			*-z*) tcp_client="${ptc_nc} -z" && return 0 ;;
			*"-e PROG"* | *"-e prog"* | *"-e filename"*) tcp_client="${ptc_nc} -e" && return 0 ;;
			*) ;;
		esac
	done
	for ptc_tool in curl wget python3 perl; do
		has "${ptc_tool}" && tcp_client=${ptc_tool} && return 0
	done
	tcp_client=none
	return 0
}

# tcp_probe HOST PORT SECONDS: 0 when a TCP connection opens; 1 when it is refused, unreachable or
# times out; 2 without any TCP client; 3 when the client itself failed (tcp_error says how), so that
# a broken client never passes for a closed port.
tcp_error=""
tcp_probe() {
	pick_tcp_client
	tp_host=$1
	tp_port=$2
	tp_seconds=$3
	tp_outer=$((tp_seconds + 1)) # for clients with a time limit of their own
	tcp_error=""
	case ${tcp_client} in
		bash)
			# shellcheck disable=SC2016 # expanded by bash
			tp_out=$(bounded "${tp_seconds}" bash -c 'exec 3<>"/dev/tcp/$0/$1"' "${tp_host}" "${tp_port}" 2>&1)
			tp_status=$?
			;;
		*" -z")
			# shellcheck disable=SC2086 # "busybox nc" is two words
			tp_out=$(bounded "${tp_seconds}" ${tcp_client% -z} -z -w "${tp_seconds}" "${tp_host}" "${tp_port}" 2>&1)
			tp_status=$?
			;;
		*" -e")
			# busybox's small nc has no -z: it execs `true` once connected (-e must come last)
			# shellcheck disable=SC2086
			tp_out=$(bounded "${tp_seconds}" ${tcp_client% -e} -w "${tp_seconds}" "${tp_host}" "${tp_port}" -e true 2>&1)
			tp_status=$?
			;;
		curl)
			# time_connect stays 0 unless the TCP handshake completed, whatever the HTTP outcome
			tp_out=$(bounded "${tp_outer}" env LC_ALL=C curl -sS -o /dev/null -w '\ntime_connect=%{time_connect}\n' \
				--connect-timeout "${tp_seconds}" -m "${tp_seconds}" "http://${tp_host}:${tp_port}/" 2>&1)
			tp_status=$?
			case ${tp_out} in *time_connect=*[1-9]*) return 0 ;; *) ;; esac
			case ${tp_status} in 1 | 2 | 3 | 27 | 43 | 48 | 49) tp_status=3 ;; *) tp_status=1 ;; esac # usage errors
			;;
		wget)
			# GNU wget logs `connected.`; busybox wget the HTTP failure that follows a connection
			tp_out=$(bounded "${tp_outer}" env LC_ALL=C wget -O /dev/null -T "${tp_seconds}" -t 1 \
				"http://${tp_host}:${tp_port}/" 2>&1)
			tp_status=$?
			case ${tp_out} in
				*"connected."* | *"server returned error"* | *"error getting response"*) return 0 ;;
				*) ;;
			esac
			case ${tp_status} in 8) return 0 ;; 2) tp_status=3 ;; *) tp_status=1 ;; esac # 8: an HTTP error, 2: usage
			;;
		python3)
			tp_out=$(bounded "${tp_outer}" python3 -c 'import sys
try:
    import socket
    socket.create_connection((sys.argv[1], int(sys.argv[2])), float(sys.argv[3])).close()
except OSError:
    sys.exit(1)
except Exception as error:
    sys.exit("python3 probe failed: %r" % error)' "${tp_host}" "${tp_port}" "${tp_seconds}" 2>&1)
			tp_status=$?
			;;
		perl)
			# shellcheck disable=SC2016 # perl code
			tp_out=$(bounded "${tp_outer}" perl -e 'use IO::Socket::INET; exit(IO::Socket::INET->new(
				PeerAddr => $ARGV[0], PeerPort => $ARGV[1], Proto => "tcp", Timeout => $ARGV[2]) ? 0 : 1)' \
				"${tp_host}" "${tp_port}" "${tp_seconds}" 2>&1)
			tp_status=$?
			;;
		*) return 2 ;;
	esac
	case ${tp_status} in
		0) return 0 ;;
		1 | 3 | 124 | 137 | 143) ;; # 124 (coreutils), 137 and 143 (busybox): killed by timeout
		*) case ${tcp_client} in python3 | perl) tp_status=3 ;; *) ;; esac ;;
	esac
	case ${tp_out} in
		*[Uu]sage:* | *"nvalid option"* | *"nrecognized option"* | *"applet not found"* | *"ommand not found"* | \
			*"No such file or directory"* | *"Can't locate"* | *"probe failed"*) tp_status=3 ;;
		*) ;;
	esac
	if [ "${tp_status}" = 3 ]; then
		tcp_error="${tcp_client} failed: $(printf '%s' "${tp_out}" | head -n 1 | cut -c1-120)"
		return 3
	fi
	return 1
}

################################################################################
# Mounts (/proc/self/mountinfo: later lines are mounted later)
################################################################################

# mount_decode PATH: undo mountinfo's octal escapes (\040 space, \011 tab, \134 backslash...).
mount_decode() {
	md_in=$1
	md_out=""
	while :; do
		case ${md_in} in
			*\\[0-7][0-7][0-7]*)
				md_out=${md_out}${md_in%%\\*}
				md_in=${md_in#*\\}
				md_code=${md_in%"${md_in#???}"}
				md_in=${md_in#???}
				# shellcheck disable=SC2059 # the format is the octal escape itself
				md_out=${md_out}$(printf "\\${md_code}")
				;;
			*) break ;;
		esac
	done
	printf '%s\n' "${md_out}${md_in}"
}

# mount_table: `ID PARENT-ID MOUNTPOINT FSTYPE` for each line of /proc/self/mountinfo. A mount of a podman
# volume (its root is .../containers/storage/volumes/NAME/_data on the host) has the type podman-volume,
# whatever disk holds it: its files are the box's, such as the anonymous volume distrobox always puts
# at /var/log/journal (a host without /var/log/journal leaves it uncovered). A tmpfs whose propagation
# has a master (optional field master:N) outside /proc and /sys came from the host's mount table through
# distrobox's rslave binds: on a systemd host, /run/media, /run/udev, /run/systemd/journal, ... It has the
# type host-tmpfs. The box's own tmpfs mounts (podman's, dbxsmith's masks) have no master.
# The table is read until two reads in a row agree: a read that overlaps a mount change (another box
# of the same user starting propagates mounts into this one) may skip lines, and a skipped host mount
# would pass unseen.
mount_table() {
	mt_last=$(cat /proc/self/mountinfo)
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		mt_now=$(cat /proc/self/mountinfo)
		[ "${mt_now}" = "${mt_last}" ] && break
		mt_last=${mt_now}
	done
	printf '%s\n' "${mt_last}" |
		awk '{
			for (f = 7; f <= NF; f++) if ($f == "-") {
				fstype = $(f + 1)
				if ($4 ~ /\/containers\/storage\/volumes\/[^\/]+\/_data(\/|$)/) fstype = "podman-volume"
				if (fstype == "tmpfs" && $5 !~ /^\/(proc|sys)\//) {
					for (o = 7; o < f; o++) if ($o ~ /^master:/) fstype = "host-tmpfs"
				}
				print $1, $2, $5, fstype
				next
			}
		}'
}

# visible_mounts: `MOUNTPOINT FSTYPE` (mount point still escaped) of each mount that a path can reach.
# A mount is out of reach when another one is mounted over it (a child at its own mount point: only
# that child stays reachable), when a sibling (same parent) sits at a parent path or, listed later, at
# the same path, and when its parent is out of reach. The order of the lines alone is not enough: a
# host may list `/` after its own children.
visible_mounts() {
	# awk, not a shell loop: a ghost box has a few hundred mounts, and this is quadratic.
	mount_table | awk '
		{ id[NR] = $1; parent[NR] = $2; point[NR] = $3; fstype[NR] = $4; n = NR }
		END {
			for (i = 1; i <= n; i++) {
				for (j = 1; j <= n; j++) {
					if (i == j) continue
					if (parent[j] == id[i] && point[j] == point[i]) { shadowed[i] = 1; over[j] = 1; continue }
					if (parent[j] != parent[i]) continue
					prefix = point[j]; sub(/\/$/, "", prefix)
					if (substr(point[i], 1, length(prefix) + 1) == prefix "/" && point[i] != point[j]) { hidden[i] = 1; break }
					if (point[i] == point[j] && j > i) { hidden[i] = 1; break }
				}
			}
			for (k = 1; k <= n; k++) row_of[id[k]] = k
			changed = 1
			while (changed) {
				changed = 0
				for (i = 1; i <= n; i++) {
					if (hidden[i]) continue
					p = row_of[parent[i]]
					if (p == "") continue
					if (hidden[p] || (shadowed[p] && !over[i])) { hidden[i] = 1; changed = 1 }
				}
			}
			for (i = 1; i <= n; i++) if (!hidden[i] && !shadowed[i]) print point[i], fstype[i]
		}'
}

# mount_of PATH: `MOUNTPOINT FSTYPE` of the visible mount that holds PATH (its nearest existing
# ancestor, symlinks resolved).
mount_of() {
	mo_path=$1
	while [ ! -e "${mo_path}" ] && [ "${mo_path}" != / ]; do
		mo_path=$(dirname -- "${mo_path}")
	done
	mo_path=$(cd -P -- "${mo_path}" 2> /dev/null && pwd -P) || mo_path=$1
	mo_best=""
	mo_best_len=-1
	mo_visible=$(visible_mounts)
	while read -r mo_point mo_fstype; do
		[ -n "${mo_point}" ] || continue
		mo_decoded=$(mount_decode "${mo_point}")
		mo_prefix=${mo_decoded%/}
		case ${mo_path} in
			"${mo_decoded}" | "${mo_prefix}"/*) ;;
			*) continue ;;
		esac
		if [ "${#mo_decoded}" -gt "${mo_best_len}" ]; then
			mo_best="${mo_point} ${mo_fstype}"
			mo_best_len=${#mo_decoded}
		fi
	done << EOF
${mo_visible}
EOF
	printf '%s\n' "${mo_best}"
}

# Whether PATH lives in the box's own storage: the container's root overlay or a tmpfs.
on_box_storage() {
	# shellcheck disable=SC2046
	set -- $(mount_of "$1")
	[ $# -eq 2 ] || return 1
	case $2 in
		tmpfs) return 0 ;;
		overlay | fuse.fuse-overlayfs) [ "$1" = / ] && return 0 ;;
		*) ;;
	esac
	return 1
}

# Whether DIR holds nothing this user can list (absent, empty or unreadable).
nothing_listable() {
	[ -e "$1" ] || return 0
	nl_entries=$(ls -A -- "$1" 2> /dev/null) || return 0
	[ -z "${nl_entries}" ]
}

# expand_glob PATTERN...: the existing paths that match, one a line.
expand_glob() {
	set +f
	# shellcheck disable=SC2048 # the patterns are meant to be globbed
	for eg_path in $*; do
		[ -e "${eg_path}" ] && printf '%s\n' "${eg_path}"
	done
	set -f
}

# At most five lines of a list, on one line.
first_five() {
	printf '%s\n' "$1" | sed '/^$/d' | sort -u | head -n 5 | tr '\n' ' ' | sed 's/ $//'
}

################################################################################
# The checks: each sets check_desc and, when it fails, check_reason
################################################################################

# outbound-works
# The box can reach its package mirror: the mirror host of the package configuration resolves
# and accepts a TCP connection on its URL's port (80 for http, 443 for https).
check_outbound_works() {
	check_desc="outbound network reaches the package mirror"
	if ! find_mirror; then
		check_reason="no http(s) package mirror in the box's package configuration"
		return
	fi
	check_desc="${check_desc} ${mirror_host}:${mirror_port}"
	if ! resolve_host "${mirror_host}" "${POSITIVE_PROBE_SECONDS}" > /dev/null; then
		check_reason="${mirror_host} does not resolve"
		return
	fi
	tcp_probe "${mirror_host}" "${mirror_port}" "${POSITIVE_PROBE_SECONDS}"
	case $? in
		0) ;;
		2) check_reason="no TCP client in the box" ;;
		3) check_reason=${tcp_error} ;;
		*) check_reason="no TCP connection to ${mirror_host}:${mirror_port} (via ${tcp_client})" ;;
	esac
}

# loopback-only
# The box has no network but its loopback: /proc/net/dev lists only `lo` (/sys/class/net shows
# the host's interfaces), there is no IPv4 or IPv6 default route, and the mirror does not resolve.
check_loopback_only() {
	check_desc="only loopback networking"
	if [ ! -r /proc/net/dev ]; then
		check_reason="/proc/net/dev is not readable"
		return
	fi
	clo_problems=""
	clo_interfaces=""
	while IFS= read -r clo_line; do
		case ${clo_line} in *:*) ;; *) continue ;; esac
		clo_name=${clo_line%%:*}
		# shellcheck disable=SC2086
		set -- ${clo_name}
		case $1 in Inter-* | face* | lo) continue ;; *) ;; esac
		clo_interfaces="${clo_interfaces} $1"
	done < /proc/net/dev
	[ -z "${clo_interfaces}" ] || clo_problems="interfaces:${clo_interfaces}"
	if [ -r /proc/net/route ]; then
		while read -r clo_iface clo_dest _; do
			if [ "${clo_dest}" = 00000000 ]; then
				clo_problems="${clo_problems:+${clo_problems}; }IPv4 default route via ${clo_iface}"
				break
			fi
		done < /proc/net/route
	fi
	if [ -r /proc/net/ipv6_route ]; then
		while read -r clo_dest clo_len _ _ _ _ _ _ clo_flags clo_iface; do
			[ "${clo_dest}" = 00000000000000000000000000000000 ] && [ "${clo_len}" = 00 ] || continue
			# the kernel's own ::/0 `unreachable` entry on lo carries RTF_REJECT (0x200)
			[ "$(($(printf '%d' "0x${clo_flags}") & 512))" -ne 0 ] && continue
			clo_problems="${clo_problems:+${clo_problems}; }IPv6 default route via ${clo_iface}"
			break
		done < /proc/net/ipv6_route
	fi
	if find_mirror; then
		if clo_address=$(resolve_host "${mirror_host}" "${NEGATIVE_PROBE_SECONDS}"); then
			clo_problems="${clo_problems:+${clo_problems}; }${mirror_host} resolves to ${clo_address}"
		fi
	else
		check_desc="${check_desc} (no package mirror configured: name resolution not probed)"
	fi
	check_reason=${clo_problems}
}

# The host-loopback addresses of this namespace: 127.0.0.1, slirp4netns' 10.0.2.2 when a route
# leads there, and the default gateway (pasta and slirp4netns map it to the host).
host_loopback_addresses() {
	hla_list=127.0.0.1
	if route_covers "${SLIRP_HOST_GATEWAY}"; then
		hla_list="${hla_list} ${SLIRP_HOST_GATEWAY}"
	fi
	hla_gateway=$(default_gateway)
	case " ${hla_list} " in
		*" ${hla_gateway} "*) ;;
		*) [ -z "${hla_gateway}" ] || hla_list="${hla_list} ${hla_gateway}" ;;
	esac
	printf '%s\n' "${hla_list}"
}

# host-loopback-closed=PORT[,PORT...]
# Services listening on the host's loopback are out of reach: every PORT refuses a TCP
# connection (or times out within 2 s) on 127.0.0.1, 10.0.2.2 and the default gateway.
check_host_loopback_closed() {
	chlc_addresses=$(host_loopback_addresses)
	check_desc="host loopback ports $1 closed on $(printf '%s' "${chlc_addresses}" | tr ' ' ',')"
	chlc_open=""
	# shellcheck disable=SC2046 # one word per port
	set -- $(printf '%s' "$1" | tr ',' ' ')
	for chlc_port in ${1+"$@"}; do
		for chlc_address in ${chlc_addresses}; do
			tcp_probe "${chlc_address}" "${chlc_port}" "${NEGATIVE_PROBE_SECONDS}"
			case $? in
				0) chlc_open="${chlc_open} ${chlc_address}:${chlc_port}" ;;
				2)
					check_reason="no TCP client in the box"
					return
					;;
				3)
					check_reason=${tcp_error}
					return
					;;
				*) ;;
			esac
		done
	done
	[ -z "${chlc_open}" ] || check_reason="reachable:${chlc_open}"
}

# host-loopback-open=PORT[,ADDR]
# The control of host-loopback-closed: ADDR:PORT accepts a TCP connection. ADDR is 127.0.0.1
# (default), 10.0.2.2 (probed only where a route leads to slirp4netns' host gateway) or `gateway`
# (the default gateway).
check_host_loopback_open() {
	chlo_port=${1%%,*}
	chlo_address=127.0.0.1
	case $1 in *,*) chlo_address=${1#*,} ;; *) ;; esac
	if [ "${chlo_address}" = gateway ]; then
		chlo_address=$(default_gateway)
		if [ -z "${chlo_address}" ]; then
			check_desc="host loopback port ${chlo_port} open on the default gateway"
			check_reason="no default gateway"
			return
		fi
	fi
	check_desc="host loopback port ${chlo_port} open on ${chlo_address}"
	if [ "${chlo_address}" = "${SLIRP_HOST_GATEWAY}" ] && ! route_covers "${SLIRP_HOST_GATEWAY}"; then
		check_reason="no route to ${SLIRP_HOST_GATEWAY} here (not a slirp4netns namespace): not probed"
		return
	fi
	tcp_probe "${chlo_address}" "${chlo_port}" "${NEGATIVE_PROBE_SECONDS}"
	case $? in
		0) ;;
		2) check_reason="no TCP client in the box" ;;
		3) check_reason=${tcp_error} ;;
		*) check_reason="no TCP connection to ${chlo_address}:${chlo_port} (via ${tcp_client})" ;;
	esac
}

# sockets-closed=HOSTUID
# No socket of the host session is reachable: no socket file under the places distrobox shares
# (/run/user, /tmp, /run/host/..., D-Bus, docker, podman, $SSH_AUTH_SOCK), none at the well-known
# paths of the host user (checked directly: a directory may be traversable but not listable), and
# host-spawn (what distrobox-host-exec runs) cannot run a command on the host.
check_sockets_closed() {
	csc_uid=$1
	check_desc="no host socket reachable"
	csc_found=""
	for csc_root in /run/user /tmp /run/host/run /run/host/tmp /run/host/var/run /run/dbus /var/run/docker.sock \
		/run/podman "${SSH_AUTH_SOCK:-}"; do
		[ -n "${csc_root}" ] && [ -e "${csc_root}" ] || continue
		csc_found="${csc_found}
$(find -H "${csc_root}" -maxdepth 4 -type s 2> /dev/null)"
	done
	for csc_path in "/run/user/${csc_uid}/bus" "/run/user/${csc_uid}/podman/podman.sock" \
		"/run/user/${csc_uid}/gnupg/S.gpg-agent" "/run/user/${csc_uid}/gnupg/S.gpg-agent.ssh" \
		$(expand_glob '/tmp/.X11-unix/*' "/run/user/${csc_uid}/wayland-*"); do
		[ -S "${csc_path}" ] && csc_found="${csc_found}
${csc_path}"
	done
	if [ -n "$(printf '%s' "${csc_found}" | tr -d '\n')" ]; then
		check_reason="sockets: $(first_five "${csc_found}")"
	fi
	# distrobox-host-exec downloads host-spawn from GitHub when it is missing or old and stdout is
	# not a terminal, so it is never run here: host-spawn is, the way distrobox-host-exec runs it.
	if has host-spawn; then
		csc_runtime=/run/host${XDG_RUNTIME_DIR:-/run/user/$(id -ru)}
		csc_bus=${DBUS_SESSION_BUS_ADDRESS:-unix:path=/run/user/$(id -ru)/bus}
		if bounded "${NEGATIVE_PROBE_SECONDS}" env XDG_RUNTIME_DIR="${csc_runtime}" \
			DBUS_SESSION_BUS_ADDRESS="unix:path=/run/host/${csc_bus#*=}" host-spawn --no-pty true > /dev/null 2>&1; then
			check_reason="${check_reason:+${check_reason}; }host-spawn runs commands on the host"
		fi
	elif has distrobox-host-exec; then
		check_desc="${check_desc} (distrobox-host-exec without host-spawn: not run, it would download it)"
	fi
}

# identity=NAME,HOSTUID
# The box runs as its own user: `id -un` is NAME, the uid is not the host user's, and $HOME is in
# the box's own storage (the root overlay or a tmpfs), not on a host filesystem.
check_identity() {
	ci_name=${1%,*}
	ci_host_uid=${1##*,}
	check_desc="runs as ${ci_name}, not as host uid ${ci_host_uid}, with a box-own HOME"
	ci_problems=""
	ci_actual=$(id -un 2> /dev/null) || ci_actual="(no name for uid $(id -u))"
	[ "${ci_actual}" = "${ci_name}" ] || ci_problems="user is ${ci_actual}"
	if [ "$(id -u)" = "${ci_host_uid}" ]; then
		ci_problems="${ci_problems:+${ci_problems}; }uid is the host uid ${ci_host_uid}"
	fi
	if [ -z "${HOME:-}" ]; then
		ci_problems="${ci_problems:+${ci_problems}; }HOME is not set"
	elif ! on_box_storage "${HOME}"; then
		ci_problems="${ci_problems:+${ci_problems}; }HOME ${HOME} is on $(mount_of "${HOME}")"
	fi
	check_reason=${ci_problems}
}

# no-host-files=HOSTHOME,HOSTUID
# No host filesystem is visible: every visible mount of /proc/self/mountinfo is a pseudo
# filesystem, the root overlay or a tmpfs, except podman's generated per-container files. And,
# checked directly: HOSTHOME and /run/host hold nothing listable, /tmp is the box's own (tmpfs or
# the root overlay, never the host's /tmp), /run/user/HOSTUID is absent, empty or a tmpfs.
check_no_host_files() {
	cnhf_home=${1%,*}
	cnhf_uid=${1##*,}
	check_desc="no host files visible"
	if [ ! -r /proc/self/mountinfo ]; then
		check_reason="/proc/self/mountinfo is not readable"
		return
	fi
	cnhf_mounts=""
	cnhf_visible=$(visible_mounts)
	while read -r cnhf_point cnhf_fstype; do
		[ -n "${cnhf_point}" ] || continue
		case ${BOX_OWN_FSTYPES} in *" ${cnhf_fstype} "*) continue ;; *) ;; esac
		case ${cnhf_point} in
			/etc/hosts | /etc/hostname | /etc/resolv.conf | /run/.containerenv | /run/secrets*) continue ;;
			*) ;;
		esac
		cnhf_path=$(mount_decode "${cnhf_point}")
		case ${cnhf_point} in
			*\\012*) ;; # a newline in the name: count it even if the test below cannot see it
			*) [ -e "${cnhf_path}" ] || continue ;;
		esac
		# device nodes bound from a host whose /dev is a tmpfs (a host that is itself a container)
		if [ "${cnhf_fstype}" = host-tmpfs ]; then
			[ ! -c "${cnhf_path}" ] && [ ! -b "${cnhf_path}" ] || continue
		fi
		cnhf_mounts="${cnhf_mounts}
${cnhf_point}(${cnhf_fstype})"
	done << EOF
${cnhf_visible}
EOF
	cnhf_problems=""
	[ -z "$(printf '%s' "${cnhf_mounts}" | tr -d '\n')" ] || cnhf_problems="host mounts: $(first_five "${cnhf_mounts}")"
	for cnhf_dir in "${cnhf_home}" /run/host; do
		nothing_listable "${cnhf_dir}" ||
			cnhf_problems="${cnhf_problems:+${cnhf_problems}; }${cnhf_dir} is listable and not empty"
	done
	if ! on_box_storage /tmp; then
		cnhf_problems="${cnhf_problems:+${cnhf_problems}; }/tmp is on $(mount_of /tmp)"
	fi
	cnhf_runtime=/run/user/${cnhf_uid}
	if ! nothing_listable "${cnhf_runtime}"; then
		# shellcheck disable=SC2046
		set -- $(mount_of "${cnhf_runtime}")
		[ "${2:-}" = tmpfs ] ||
			cnhf_problems="${cnhf_problems:+${cnhf_problems}; }${cnhf_runtime} is not empty and on ${1:-?} ${2:-?}"
	fi
	check_reason=${cnhf_problems}
}

# The names of `env` lines (on stdin) that name a session or secret variable.
session_and_secret_names() {
	# awk picks the NAME= starts first: a shell in the C locale (yash) cannot `read` a line holding
	# bytes outside ASCII, and would skip the variables after it.
	awk '/^[^=]+=/ { sub(/=.*/, ""); gsub(/[^ -~]/, "?"); print $0 "=" }' | while IFS= read -r ssn_line; do
		case ${ssn_line} in *=*) ;; *) continue ;; esac
		ssn_name=${ssn_line%%=*}
		ssn_upper=$(printf '%s' "${ssn_name}" | tr '[:lower:]' '[:upper:]')
		case ${ssn_upper} in
			SSH_AUTH_SOCK | SSH_AGENT_PID | DISPLAY | WAYLAND_DISPLAY | DBUS_SESSION_BUS_ADDRESS | XAUTHORITY | GPG_AGENT_INFO) ;;
			*TOKEN* | *_SECRET* | *PASSWORD* | *_API_KEY*) ;;
			*) continue ;;
		esac
		case ${ssn_name} in
			[!A-Za-z_]* | *[!A-Za-z0-9_]*)
				# not a shell name (or a line of a multi-line value): name nothing of it
				printf '%s\n' "(a variable with a non-shell name)"
				continue
				;;
			*) ;;
		esac
		# a line of a multi-line value that looks like NAME=...: only report real variables
		ssn_set=""
		eval "ssn_set=\${${ssn_name}+set}"
		[ "${ssn_set}" = set ] && printf '%s\n' "${ssn_name}"
	done
}

# env-clean
# The environment carries no host session and no secret: none of the agent, display and D-Bus
# variables, and no name like *TOKEN*, *_SECRET*, *PASSWORD*, *_API_KEY*. Names only: never a value.
check_env_clean() {
	check_desc="no session or secret variables in the environment"
	cec_names=$(env | session_and_secret_names | sort -u | tr '\n' ' ')
	[ -z "${cec_names}" ] || check_reason="set: ${cec_names% }"
}

# no-privilege[=weakened]
# The box user cannot become root: no effective capabilities, uid not 0, `sudo -n true` and
# `su -c true root` fail. `weakened` (a profile with identity.sudo: true) reports the same result
# as a TAP TODO, so that it does not fail the run.
check_no_privilege() {
	check_desc="no privilege"
	cnp_problems=""
	cnp_caps=""
	if [ -r /proc/self/status ]; then
		while read -r cnp_key cnp_value _; do
			[ "${cnp_key}" = CapEff: ] && cnp_caps=${cnp_value}
		done < /proc/self/status
	fi
	case ${cnp_caps} in
		0000000000000000) ;;
		'') cnp_problems="CapEff unknown" ;;
		*) cnp_problems="CapEff ${cnp_caps}" ;;
	esac
	[ "$(id -u)" != 0 ] || cnp_problems="${cnp_problems:+${cnp_problems}; }uid 0"
	if has sudo && bounded "${NEGATIVE_PROBE_SECONDS}" sudo -n true > /dev/null 2>&1; then
		cnp_problems="${cnp_problems:+${cnp_problems}; }sudo -n true succeeds"
	fi
	if has su && bounded "${NEGATIVE_PROBE_SECONDS}" su -c true root > /dev/null 2>&1; then
		cnp_problems="${cnp_problems:+${cnp_problems}; }su -c true root succeeds"
	fi
	check_reason=${cnp_problems}
	[ "$1" != weakened ] || check_todo="weakened: identity.sudo is true"
}

# distro-fixes=FIX[,FIX...]
# What the adapter's pre-init hook installs is still in place (checked as any user: nothing is run).
# chpasswd: the first chpasswd on the PATH distrobox-init runs with is DbxSmith's wrapper, so its
# `chpasswd -e` calls reach the wrapper. fix-shadow-permissions: /etc/shadow and /etc/gshadow (where
# present) give their owner read access; mode 000 makes pam_unix fail sudo on Fedora and Arch.
check_distro_fixes() {
	check_desc="distro fixes in place: $(printf '%s' "$1" | tr ',' ' ')"
	cdf_problems=""
	cdf_saved_ifs=${IFS}
	IFS=,
	for cdf_fix in $1; do
		IFS=${cdf_saved_ifs}
		case ${cdf_fix} in
			chpasswd)
				cdf_found=$(PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin command -v chpasswd 2> /dev/null || :)
				if [ -z "${cdf_found}" ]; then
					cdf_problems="${cdf_problems:+${cdf_problems}; }no chpasswd"
				elif ! grep -q dbxsmith-chpasswd-wrapper "${cdf_found}" 2> /dev/null; then
					cdf_problems="${cdf_problems:+${cdf_problems}; }chpasswd is ${cdf_found}, not the wrapper"
				fi
				;;
			fix-shadow-permissions)
				for cdf_file in /etc/shadow /etc/gshadow; do
					[ -e "${cdf_file}" ] || continue
					case $(stat -c %A "${cdf_file}" 2> /dev/null) in
						?r*) ;;
						'') cdf_problems="${cdf_problems:+${cdf_problems}; }cannot stat ${cdf_file}" ;;
						*) cdf_problems="${cdf_problems:+${cdf_problems}; }${cdf_file} is $(stat -c %A "${cdf_file}")" ;;
					esac
				done
				;;
			*) cdf_problems="${cdf_problems:+${cdf_problems}; }unknown fix ${cdf_fix}" ;;
		esac
	done
	IFS=${cdf_saved_ifs}
	check_reason=${cdf_problems}
}

################################################################################
# Command line and TAP
################################################################################

# validate_check CHECK[=ARG]: exits 2 for an unknown check or a malformed argument.
validate_check() {
	vc_name=${1%%=*}
	vc_arg=""
	case $1 in *=*) vc_arg=${1#*=} ;; *) ;; esac
	case ${vc_name} in
		outbound-works | loopback-only | env-clean)
			[ -z "${vc_arg}" ] || usage_error "${vc_name} takes no argument"
			;;
		host-loopback-closed)
			case ${vc_arg} in
				'' | ,* | *, | *,,* | *[!0-9,]*) usage_error "${vc_name}=PORT[,PORT...] needs port numbers" ;;
				*) ;;
			esac
			;;
		host-loopback-open)
			is_number "${vc_arg%%,*}" || usage_error "${vc_name}=PORT[,ADDR] needs a port number"
			case ${vc_arg} in
				*,*)
					case ${vc_arg#*,} in
						127.0.0.1 | "${SLIRP_HOST_GATEWAY}" | gateway) ;;
						*) usage_error "${vc_name}: ADDR is 127.0.0.1, ${SLIRP_HOST_GATEWAY} or gateway" ;;
					esac
					;;
				*) ;;
			esac
			;;
		sockets-closed)
			is_number "${vc_arg}" || usage_error "${vc_name}=HOSTUID needs a uid"
			;;
		identity | no-host-files)
			case ${vc_arg} in
				?*,*) is_number "${vc_arg##*,}" || usage_error "${vc_name}: the last field must be a uid" ;;
				*) usage_error "${vc_name} needs an argument: ${vc_name}=NAME,HOSTUID" ;;
			esac
			;;
		no-privilege)
			case $1 in
				no-privilege | no-privilege=weakened) ;;
				*) usage_error "no-privilege takes no argument or =weakened" ;;
			esac
			;;
		distro-fixes)
			case ${vc_arg} in
				'' | ,* | *, | *,,* | *[!a-z,-]*) usage_error "${vc_name}=FIX[,FIX...] needs fix names" ;;
				*) ;;
			esac
			;;
		*) usage_error "unknown check '${vc_name}'" ;;
	esac
}

# run_check NUMBER CHECK[=ARG]: prints one TAP line; fails when the line is `not ok` without TODO.
run_check() {
	rc_number=$1
	rc_name=${2%%=*}
	rc_arg=""
	case $2 in *=*) rc_arg=${2#*=} ;; *) ;; esac
	check_desc=${rc_name}
	check_reason=""
	check_todo=""
	case ${rc_name} in
		outbound-works) check_outbound_works ;;
		loopback-only) check_loopback_only ;;
		host-loopback-closed) check_host_loopback_closed "${rc_arg}" ;;
		host-loopback-open) check_host_loopback_open "${rc_arg}" ;;
		sockets-closed) check_sockets_closed "${rc_arg}" ;;
		identity) check_identity "${rc_arg}" ;;
		no-host-files) check_no_host_files "${rc_arg}" ;;
		env-clean) check_env_clean ;;
		no-privilege) check_no_privilege "${rc_arg}" ;;
		distro-fixes) check_distro_fixes "${rc_arg}" ;;
		*) check_reason="unknown check" ;; # validate_check stops before this
	esac
	rc_suffix=""
	[ -z "${check_todo}" ] || rc_suffix=" # TODO $(tap_text "${check_todo}")"
	if [ -z "${check_reason}" ]; then
		printf 'ok %s - %s%s\n' "${rc_number}" "$(tap_text "${check_desc}")" "${rc_suffix}"
		return 0
	fi
	printf 'not ok %s - %s: %s%s\n' "${rc_number}" "$(tap_text "${check_desc}")" "$(tap_text "${check_reason}")" "${rc_suffix}"
	[ -n "${check_todo}" ]
}

main() {
	[ $# -ge 1 ] || usage_error "no check given"
	for main_check in ${1+"$@"}; do
		validate_check "${main_check}"
	done
	printf '1..%s\n' "$#"
	main_status=0
	main_number=0
	for main_check in ${1+"$@"}; do
		main_number=$((main_number + 1))
		run_check "${main_number}" "${main_check}" || main_status=1
	done
	return "${main_status}"
}

# stdin is this script itself under `sh -s`: no command may read it.
main ${1+"$@"} < /dev/null
