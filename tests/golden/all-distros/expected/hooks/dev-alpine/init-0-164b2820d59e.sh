# multi-line, quotes, $, backticks, heredoc
name='it'"'"'s'
cat > /etc/dbxsmith-motd <<'EOT'
Welcome to `dev` ($name) #1; a|b & c > d
EOT
