# dbxsmith internal hook: the fixes fedora boxes need, installed before distrobox's own set-up.
#   chpasswd: see templates/wrappers/chpasswd
#   fix-shadow-permissions: see templates/wrappers/fix-shadow-permissions
# Path-shadowing wrappers go to /usr/local/bin, which comes before /usr/sbin on distrobox-init's PATH;
# they hand everything they do not need to fix to the real tool. Runs on every start.
set -eu
mkdir -p /usr/local/bin
cat > /usr/local/bin/chpasswd << 'DBXSMITH_WRAPPER_END'
#!/bin/sh
# chpasswd -- DbxSmith's path-shadowing wrapper around shadow's chpasswd (dbxsmith-chpasswd-wrapper).
#
# Installed inside a box as /usr/local/bin/chpasswd, ahead of /usr/sbin on root's PATH.
#
# Why it exists: distrobox 1.8.1.2's distrobox-init runs, under `set -o errexit`,
#     printf "%s:%s" "${container_user_name}" "${temporary_password}" | chpasswd -e || chpasswd_failed=1
#     printf "%s:" "${container_user_name}" | chpasswd -e || chpasswd_failed=1
#     printf "%s:" "root" | chpasswd -e                       (rootless boxes; no `||`)
# where temporary_password is the MD5 hex of a random UUID: not a crypt(3) hash. shadow-utils 4.15 and
# newer (Fedora 40+) check every -e value and reject it ("invalid password hash", distrobox #1962). Their
# check rejects the empty value too, so the last line fails and aborts distrobox-init. distrobox 1.8.2.3
# and newer run plain chpasswd and `passwd -d` instead; this wrapper does the same for 1.8.1.2.
#
# What it does:
#   - With exactly one argument, -e or --encrypted, it reads the `USER:VALUE` lines itself. A line whose
#     VALUE is empty or is not a crypt(3) form never reaches the real chpasswd: the account is made
#     passwordless with `passwd -d USER` (falling back to `usermod -p '' USER`). A rootless box wants
#     passwordless accounts anyway, and an empty VALUE asks for exactly that. Accepted crypt(3) forms,
#     passed on: `$id$...` (yescrypt, bcrypt, SHA-crypt, MD5-crypt, ...), locked forms starting with `!`
#     or `*` (a lock is never turned into "no password"), and the classic 13-character DES form. Every
#     other line goes to the real chpasswd byte for byte, in input order.
#   - With any other arguments it execs the real chpasswd with the same arguments and stdin: -R/-P
#     (another root), -c, -m and -s change what a line means, so only the real tool may read them.
#   - It prints nothing on stdout; one note on stderr per rewritten line (never the VALUE).
#
# Exit status: the real chpasswd's status when it runs once (every pass-through case, and -e input with
# nothing to rewrite, which reaches it in one run with the identical bytes). Otherwise 0 when every run
# and every rewrite succeeded, else the first failure: the real chpasswd's status, or 1 for a rewrite that
# failed (chpasswd's own status for a bad line). 127 when no real chpasswd is found on PATH.
set -u
# No glob is ever wanted: PATH is split on `:` with globbing off.
set -f

WRAPPER_MARK=dbxsmith-chpasswd-wrapper
NL='
'
TAB=$(printf '\t')
CR=$(printf '\r')
REAL=
STATUS=0

# note TEXT: one line on stderr; stdout stays what the real chpasswd prints (normally nothing).
note() {
	printf 'chpasswd (dbxsmith wrapper): %s\n' "$*" >&2
}

# physical_dir DIR: DIR with symlinks resolved, so two spellings of one directory compare equal;
# prints nothing when DIR cannot be entered.
physical_dir() {
	(CDPATH='' cd -P -- "$1" 2> /dev/null && pwd -P)
}

# find_on_path NAME [wrapped]: print the first executable NAME in an absolute PATH directory. Relative
# entries are skipped: the current directory must never supply a password tool. Tools are run by this
# path, never by name, so a shell's builtins or applets (busybox sh prefers its own passwd) cannot stand
# in for the image's tools. With `wrapped` it also skips this script's own directory, /usr/local/bin
# (where the wrapper lives) and any other copy of the wrapper (found by its mark), which would call back
# into a wrapper forever.
find_on_path() {
	if [ "${2:-}" = wrapped ]; then
		case $0 in
			*/*) self_dir=${0%/*} ;;
			*) self_dir=. ;;
		esac
		[ -n "${self_dir}" ] || self_dir=/
		self_dir=$(physical_dir "${self_dir}")
		local_bin=$(physical_dir /usr/local/bin)
	fi
	saved_ifs=$IFS
	IFS=:
	for dir in ${PATH:-}; do
		IFS=$saved_ifs
		case ${dir} in
			/*) ;;
			*) continue ;;
		esac
		candidate=${dir%/}/$1
		[ -f "${candidate}" ] && [ -x "${candidate}" ] || continue
		if [ "${2:-}" = wrapped ]; then
			real_dir=$(physical_dir "${dir}")
			[ -n "${real_dir}" ] || continue
			[ "${real_dir}" != "${self_dir}" ] || continue
			[ "${real_dir}" != "${local_bin}" ] || continue
			if grep -q "${WRAPPER_MARK}" "${candidate}" 2> /dev/null; then
				continue
			fi
		fi
		printf '%s\n' "${candidate}"
		return 0
	done
	IFS=$saved_ifs
	return 1
}

# require_real: find the real chpasswd once; report and return 127 (command not found) when there is none.
require_real() {
	[ -n "${REAL}" ] && return 0
	REAL=$(find_on_path chpasswd wrapped) && [ -n "${REAL}" ] && return 0
	REAL=
	note "no real chpasswd on PATH (this wrapper and /usr/local/bin are skipped)"
	return 127
}

# keep_status CODE: remember the first failure; later steps still run, as chpasswd goes on after a bad line.
keep_status() {
	if [ "${STATUS}" -eq 0 ] && [ "$1" -ne 0 ]; then
		STATUS=$1
	fi
}

# is_modular_form VALUE: `$id$rest`, the form of every modern crypt(3) method. Lenient on purpose: a value
# wrongly accepted only reaches the real chpasswd, which judges it; a value wrongly refused would lose its
# password. Only what a shadow field can never hold is refused (`:`, blanks, CR).
is_modular_form() {
	rest=${1#?}
	case ${rest} in
		*\$*) ;;
		*) return 1 ;;
	esac
	method=${rest%%\$*}
	tail=${rest#*\$}
	case ${method} in
		'' | *[!abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789,=._-]*) return 1 ;;
		*) ;;
	esac
	case ${tail} in
		'' | *:* | *' '* | *"${TAB}"* | *"${CR}"*) return 1 ;;
		*) ;;
	esac
	return 0
}

# is_des_form VALUE: the classic DES form, 13 characters of crypt's base64 alphabet. The alphabet is
# spelled out because bracket ranges depend on the locale in some shells.
is_des_form() {
	case $1 in
		?????????????) ;;
		*) return 1 ;;
	esac
	case $1 in
		*[!./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz]*) return 1 ;;
		*) ;;
	esac
	return 0
}

# is_crypt_form VALUE: whether VALUE is something chpasswd -e should store as it is. Empty is not: shadow
# 4.15+ refuses it, and `passwd -d` gives the same empty field everywhere.
is_crypt_form() {
	case $1 in
		'') return 1 ;;
		'!'* | '*'*) return 0 ;;
		'$'*) is_modular_form "$1" ;;
		*) is_des_form "$1" ;;
	esac
}

# needs_rewrite LINE: a `USER:VALUE` line whose VALUE is not a crypt(3) form. A line without `:`, or with
# an empty user or one starting with `-` (it would read as an option of passwd), goes to the real
# chpasswd, which reports it in its own words.
needs_rewrite() {
	case $1 in
		*:*) ;;
		*) return 1 ;;
	esac
	case ${1%%:*} in
		'' | -*) return 1 ;;
		*) ;;
	esac
	if is_crypt_form "${1#*:}"; then
		return 1
	fi
	return 0
}

# remove_password USER LINE_NUMBER: make USER passwordless, as distrobox 1.8.2.3+ does. passwd prints
# "password changed." on stdout, which goes to stderr here: chpasswd's stdout is empty. usermod -p '' is
# the fallback for images whose passwd lacks -d or fails.
remove_password() {
	user=$1
	note "line $2, user ${user}: not a crypt(3) hash for chpasswd -e; removing the password instead (passwd -d)"
	if tool=$(find_on_path passwd) && [ -n "${tool}" ] && "${tool}" -d "${user}" < /dev/null >&2; then
		return 0
	fi
	if tool=$(find_on_path usermod) && [ -n "${tool}" ] && "${tool}" -p '' "${user}" < /dev/null >&2; then
		return 0
	fi
	note "line $2, user ${user}: neither passwd -d nor usermod -p '' could remove the password"
	return 1
}

# flush FLAG LINES: hand LINES (exact bytes, possibly empty) to one run of the real chpasswd FLAG.
flush() {
	if ! require_real; then
		keep_status 127
		return
	fi
	printf '%s' "$2" | "${REAL}" "$1"
	keep_status $?
}

# filter_encrypted FLAG: read stdin line by line; rewrite what needs it, hand the rest on in order. Lines
# before a rewritten one are flushed first, so a later line for the same user still wins, as it would in
# chpasswd. Without any rewrite, the real chpasswd runs exactly once, on the identical bytes, even for
# empty input.
filter_encrypted() {
	pending=
	rewrote=0
	number=0
	while :; do
		line=
		if IFS= read -r line; then
			end=${NL}
		else
			# The last line may lack its newline (distrobox's printf "%s:%s" has none); EOF otherwise.
			[ -n "${line}" ] || break
			end=
		fi
		number=$((number + 1))
		if needs_rewrite "${line}"; then
			if [ -n "${pending}" ]; then
				flush "$1" "${pending}"
				pending=
			fi
			remove_password "${line%%:*}" "${number}" || keep_status 1
			rewrote=1
		else
			pending=${pending}${line}${end}
		fi
		[ -n "${end}" ] || break
	done
	if [ "${rewrote}" -eq 0 ] || [ -n "${pending}" ]; then
		flush "$1" "${pending}"
	fi
	return "${STATUS}"
}

# main ARGS: only a lone -e/--encrypted is inspected; everything else is the real tool's business.
main() {
	if [ $# -eq 1 ] && { [ "$1" = -e ] || [ "$1" = --encrypted ]; }; then
		filter_encrypted "$1"
		return
	fi
	require_real || return
	exec "${REAL}" ${1+"$@"}
}

# ${1+"$@"}: some shells (posh) treat a bare "$@" without arguments as unset under set -u.
main ${1+"$@"}
DBXSMITH_WRAPPER_END
chmod 0755 /usr/local/bin/chpasswd
cat > /usr/local/bin/fix-shadow-permissions << 'DBXSMITH_WRAPPER_END'
#!/bin/sh
# fix-shadow-permissions -- give /etc/shadow and /etc/gshadow mode 0400 when an image ships them mode 000.
#
# usage: fix-shadow-permissions [ROOT]      (as root, at box start; ROOT defaults to /, tests pass a copy)
#
# Why: Fedora and Arch ship /etc/shadow and /etc/gshadow with mode 000 and rely on root's
# CAP_DAC_OVERRIDE to read them. In rootless boxes pam_unix's helper can then not read the file, and sudo
# fails with "Authentication service cannot retrieve authentication info" (distrobox #1078, #95).
# distrobox 1.8.2.5 chmods both files to 0400 (#2020); 1.8.1.2 does not, so this does the same there.
#
# 0400 (read for the owner, root) is the least that works: never group- or world-readable. Only mode 000
# is changed; any other mode (Debian's 0640 root:shadow, an admin's choice) is left as it is, and so are
# missing files and symlinks. Running it again changes nothing.
#
# Output: one note on stderr per file changed, nothing on stdout. Exit status: 0 when nothing needed
# changing or every change worked, 1 when a chmod failed (not root, read-only), 2 for a bad command line.
set -u

# note TEXT: one line on stderr.
note() {
	printf 'fix-shadow-permissions: %s\n' "$*" >&2
}

# is_mode_000 FILE: whether FILE (a regular file, not a symlink) has no permission bit at all. Read from
# `ls -ld`, which every coreutils and busybox has (stat -c is not POSIX); the mode string is the first
# 10 characters, maybe followed by an ACL or SELinux marker.
is_mode_000() {
	[ -f "$1" ] && [ ! -L "$1" ] || return 1
	listing=$(ls -ld -- "$1" 2> /dev/null) || return 1
	case ${listing} in
		----------*) return 0 ;;
		*) return 1 ;;
	esac
}

# main [ROOT]: fix both files under ROOT; a failure on one does not stop the other.
main() {
	if [ $# -gt 1 ]; then
		note "usage: fix-shadow-permissions [ROOT]"
		return 2
	fi
	root=${1:-/}
	if [ ! -d "${root}" ]; then
		note "${root}: not a directory"
		return 2
	fi
	root=${root%/}
	status=0
	for name in shadow gshadow; do
		file=${root}/etc/${name}
		is_mode_000 "${file}" || continue
		if chmod 0400 "${file}"; then
			note "${file}: mode 000 -> 0400"
		else
			note "${file}: could not set mode 0400"
			status=1
		fi
	done
	return "${status}"
}

main "$@"
DBXSMITH_WRAPPER_END
chmod 0755 /usr/local/bin/fix-shadow-permissions
/usr/local/bin/fix-shadow-permissions
