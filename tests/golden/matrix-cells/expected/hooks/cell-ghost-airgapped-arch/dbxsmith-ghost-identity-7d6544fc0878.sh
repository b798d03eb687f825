# dbxsmith internal hook: the ghost identity, and no way back to root from it.
# distrobox leaves root and the host user without a password and gives the host user passwordless
# sudo; a ghost that could become either could lift the masks. Runs on every start, because
# distrobox's set-up runs again on every start.
set -eu
ghost_user=ghost
ghost_uid=4242
ghost_home=/home/ghost
host_home=${DISTROBOX_HOST_HOME:-$HOME}
host_user=$(stat -c %U "$host_home")

if ! id "$ghost_user" > /dev/null 2>&1; then
	if command -v useradd > /dev/null 2>&1; then
		useradd --create-home --home-dir "$ghost_home" --uid "$ghost_uid" --user-group --shell /bin/sh "$ghost_user"
	else
		adduser -D -h "$ghost_home" -u "$ghost_uid" -s /bin/sh "$ghost_user"
	fi
fi

for account in root "$host_user"; do
	usermod --lock "$account" 2> /dev/null || passwd -l "$account" > /dev/null
done
rm -f /etc/sudoers.d/dbxsmith-ghost
