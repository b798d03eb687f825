cat > /etc/motd <<'EOF'
scratch box: anything here may be deleted; keep work in your home directory.
EOF
