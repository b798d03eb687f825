printf '%s\n' "cell airgapped on $(uname -m)" > /etc/dbxsmith-cell
