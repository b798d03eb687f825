printf '%s\n' "cell isolated-net on $(uname -m)" > /etc/dbxsmith-cell
