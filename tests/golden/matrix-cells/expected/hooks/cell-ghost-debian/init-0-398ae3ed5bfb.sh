printf '%s\n' "cell ghost on $(uname -m)" > /etc/dbxsmith-cell
