printf '%s\n' "cell standard on $(uname -m)" > /etc/dbxsmith-cell
