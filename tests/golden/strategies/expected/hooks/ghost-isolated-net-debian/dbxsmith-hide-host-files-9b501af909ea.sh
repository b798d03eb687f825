# dbxsmith internal hook: hide every host file from a ghost box.
# distrobox mounts the real host home, host / at /run/host, its helper scripts, and during its set-up
# binds more host paths into the box. Every mount whose files come from a host disk is covered: a
# directory by an empty tmpfs, a file by an unreadable empty file. The box's root, podman's per-box
# files (/etc/hosts, ...) and podman volumes live under podman's storage and are kept.
# Runs on every start, after distrobox's set-up and before any hook of the profile.
set -eu
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

# Prints the mount point of every mount backed by a host filesystem, outside podman's storage, and of
# every host tmpfs: a tmpfs whose propagation has a master (it came from the host's mount table through
# distrobox's rslave binds). On a systemd host /run is a tmpfs, and distrobox-init binds /run/media,
# /run/udev, /run/systemd/journal, ... from it into the box; the box's own tmpfs mounts have no master.
host_backed_mounts() {
	while read -r _id _parent _device root mount_point _options rest; do
		after_separator=${rest#*- }
		fs_type=${after_separator%% *}
		if [ "$fs_type" = tmpfs ]; then
			case " ${rest%%- *}" in
			*" master:"*)
				# a device node bound from a host whose /dev is a tmpfs (a host that is itself a
				# container) is a device, not host files: masking /dev/null would break the box
				case $mount_point in
				/proc/* | /sys/*) ;;
				*)
					[ -c "$mount_point" ] || [ -b "$mount_point" ] || printf '%s\n' "$mount_point"
					continue
					;;
				esac
				;;
			*) ;;
			esac
		fi
		case $fs_type in
		overlay | tmpfs | proc | sysfs | devpts | mqueue | cgroup | cgroup2 | devtmpfs | securityfs | pstore | \
			bpf | debugfs | tracefs | fusectl | configfs | hugetlbfs | binfmt_misc | autofs | nsfs | ramfs | \
			efivarfs | selinuxfs | shm | fuse.fuse-overlayfs)
			continue
			;;
		*) ;;
		esac
		case $root in
		*/containers/storage/*) continue ;;
		*) ;;
		esac
		[ "$mount_point" = / ] && continue
		printf '%s\n' "$mount_point"
	done << MOUNTINFO
$(stable_mountinfo)
MOUNTINFO
}

# Mount points our masks already cover, read once: re-reading mountinfo for every mount made the
# hook take seconds in a box with many mounts. mask() adds what it covers.
masked_points=" $(stable_mountinfo | awk '$0 ~ / - tmpfs dbxsmith-mask / { printf "%s ", $5 }')"

# Replaces the host file mounted at $1 by a copy owned by the box: network settings (/etc/hosts,
# /etc/resolv.conf) keep working, but nothing the box reads is a host file any more.
snapshot() {
	mkdir -p /var/lib/dbxsmith
	snapshot_file=/var/lib/dbxsmith/snapshot$(printf '%s' "$1" | tr / _)
	cat "$1" > "$snapshot_file"
	chmod 0644 "$snapshot_file"
	mount --bind "$snapshot_file" "$1"
}

# The host's machine id names the host: the box gets one of its own over /etc/machine-id, made on the
# first start and kept across starts (in the file earlier releases kept it in).
own_machine_id() {
	mkdir -p /var/lib/dbxsmith
	machine_id_file=/var/lib/dbxsmith/snapshot_etc_machine-id
	[ -s "$machine_id_file" ] || tr -d '-' < /proc/sys/kernel/random/uuid > "$machine_id_file"
	chmod 0644 "$machine_id_file"
	mount --bind "$machine_id_file" /etc/machine-id
}

# mask PATH: cover PATH once (a later call for the same PATH does nothing); counts in new_masks.
mask() {
	[ ! -L "$1" ] || return 0
	case $masked_points in
	*" $1 "*) return 0 ;;
	*) ;;
	esac
	masked_points="$masked_points$1 "
	new_masks=$((new_masks + 1))
	case $1 in
	/etc/machine-id)
		if [ -f "$1" ]; then
			own_machine_id
			return 0
		fi
		;;
	/etc/*)
		if [ -f "$1" ]; then
			snapshot "$1"
			return 0
		fi
		;;
	*) ;;
	esac
	if [ -d "$1" ]; then
		case $1 in
		/tmp | /var/tmp) mask_directory "$1" 1777 ;;
		*) mask_directory "$1" 0755 ;;
		esac
	elif [ -e "$1" ]; then
		mask_file "$1"
	fi
}

host_home=${DISTROBOX_HOST_HOME:-$HOME}
host_user=$(stat -c %U "$host_home")
host_uid=$(stat -c %u "$host_home")

# What distrobox mounts from the host whatever its filesystem (host tmpfs included); /run/host
# first: one mount hides host / and everything distrobox mounted below it. /etc/machine-id too, so
# the ghost gets an id of its own even where the host's sits on a filesystem that looks like the box's.
new_masks=0
for known in /run/host /tmp "$host_home" "/var/home/$host_user" "/run/user/$host_uid" /etc/machine-id; do
	mask "$known"
done
# Until a fresh read of the mount table shows nothing left to cover: one read can still miss lines
# (see stable_mountinfo), and a leak here is silent.
set -f
passes=0
while [ "$passes" -lt 5 ]; do
	new_masks=0
	for mount_point in $(host_backed_mounts); do
		case $mount_point in
		/run/host | /run/host/*) ;;
		*) mask "$mount_point" ;;
		esac
	done
	[ "$new_masks" -gt 0 ] || break
	passes=$((passes + 1))
done
