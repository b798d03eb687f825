if command -v apt-get >/dev/null 2>&1; then
  echo 'APT::Keep-Downloaded-Packages "false";' > /etc/apt/apt.conf.d/99dbxsmith-no-cache
fi
