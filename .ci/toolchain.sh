# Sourced, not run: puts Node >= 22.19 and the pnpm pinned in package.json on PATH,
# installing them under .toolchain/ only when the machine's own are older or missing.
node_wanted=22.23.3
root=${root:-$(pwd)}
pnpm_wanted=$(sed -n 's/.*"packageManager": *"pnpm@\([^"]*\)".*/\1/p' "$root/package.json")

node_ok() {
  command -v node >/dev/null 2>&1 || return 1
  node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>22||(a===22&&b>=19)?0:1)'
}

if ! node_ok; then
  if [ ! -x "$root/.toolchain/node/bin/node" ]; then
    echo "provisioning node@$node_wanted into .toolchain/node" >&2
    npm install -g --no-fund --no-audit --prefix "$root/.toolchain/node" "node@$node_wanted" >&2
  fi
  export PATH="$root/.toolchain/node/bin:$PATH"
fi

if [ "$(pnpm --version 2>/dev/null || true)" != "$pnpm_wanted" ]; then
  if [ "$("$root/.toolchain/pnpm/bin/pnpm" --version 2>/dev/null || true)" != "$pnpm_wanted" ]; then
    echo "provisioning pnpm@$pnpm_wanted into .toolchain/pnpm" >&2
    npm install -g --no-fund --no-audit --prefix "$root/.toolchain/pnpm" "pnpm@$pnpm_wanted" >&2
  fi
  export PATH="$root/.toolchain/pnpm/bin:$PATH"
fi
