# dbxsmith internal hook: close the host's sockets to the box (strategy ghost-isolated-net).
# distrobox bind-mounts the host's runtime directory (D-Bus, podman, gpg and ssh agents, Wayland),
# /tmp (X11, ssh agents) and / at /run/host. An empty tmpfs on top of each hides them from every
# process of the box. Runs on every start: a restart begins with distrobox's mounts again.
set -eu
host_home=${DISTROBOX_HOST_HOME:-$HOME}
host_uid=$(stat -c %u "$host_home")

# Shared by the hooks that hide host paths (included, not a hook of its own). Masks are recognised by
# their source name, dbxsmith-mask, in /proc/self/mountinfo.

# mask_directory DIR MODE: an empty tmpfs with MODE over DIR, if DIR is a directory and no symlink.
mask_directory() {
	[ -d "$1" ] && [ ! -L "$1" ] || return 0
	mount -t tmpfs -o "mode=$2,size=16m,nosuid,nodev" dbxsmith-mask "$1"
}

# mask_file FILE: an empty file nobody may read (mode 0000, owned by the box's root) bound over FILE.
masked_file=/var/lib/dbxsmith/masked-file
mask_file() {
	mkdir -p "${masked_file%/*}"
	: > "$masked_file"
	chmod 0000 "$masked_file"
	mount --bind "$masked_file" "$1"
}

# stable_mountinfo: /proc/self/mountinfo as one consistent table. The kernel may skip or repeat lines
# of a read that overlaps a mount change, and mounts do change under a box: every container another
# box of the same user starts or stops propagates into /run/host. Two identical reads in a row count as
# consistent; after 20 tries the last read is used (the callers re-check their work anyway).
stable_mountinfo() {
	stable_previous=$(cat /proc/self/mountinfo)
	stable_tries=0
	while [ "$stable_tries" -lt 20 ]; do
		stable_current=$(cat /proc/self/mountinfo)
		[ "$stable_current" != "$stable_previous" ] || break
		stable_previous=$stable_current
		stable_tries=$((stable_tries + 1))
	done
	printf '%s\n' "$stable_previous"
}

mask_directory "/run/user/$host_uid" 0700
mask_directory /tmp 1777
mask_directory /run/host/run 0755
mask_directory /run/host/tmp 1777
mask_directory /run/host/var/run 0755

# distrobox-host-exec reaches the host through the session bus; make it fail plainly, too.
if [ -f /usr/bin/distrobox-host-exec ]; then
	mask_file /usr/bin/distrobox-host-exec
fi
