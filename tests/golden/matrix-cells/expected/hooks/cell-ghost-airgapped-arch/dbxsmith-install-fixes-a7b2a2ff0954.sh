# dbxsmith internal hook: the fixes arch boxes need, installed before distrobox's own set-up.
#   fix-shadow-permissions: see templates/wrappers/fix-shadow-permissions
# Path-shadowing wrappers go to /usr/local/bin, which comes before /usr/sbin on distrobox-init's PATH;
# they hand everything they do not need to fix to the real tool. Runs on every start.
set -eu
mkdir -p /usr/local/bin
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
