printf '%s\n' "cell ghost-airgapped on $(uname -m)" > /etc/dbxsmith-cell
