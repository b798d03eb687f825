git config --system init.defaultBranch main
git config --system pull.ff only
