printf '%s\n' "cell ghost-isolated-net on $(uname -m)" > /etc/dbxsmith-cell
