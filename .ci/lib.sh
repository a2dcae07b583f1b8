#!/usr/bin/env bash
# Shared by the README's two commands (.ci/app and .ci/test): installs what is missing and
# skips what is there. Everything comes from package registries (crates.io, npm, PyPI, Debian).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS="$ROOT/target/tools"
export PATH="$HOME/.cargo/bin:$PATH"

CARGO_LEPTOS_VERSION="0.3.10"

log() { printf '\033[1;34m==>\033[0m %s\n' "$*" >&2; }

# The wasm-bindgen version pinned in Cargo.lock (the CLI must match it exactly).
wasm_bindgen_version() {
  awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' "$ROOT/Cargo.lock"
}

ensure_rust_tools() {
  if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    log "adding the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
  fi
  if ! cargo leptos --version 2>/dev/null | grep -q "$CARGO_LEPTOS_VERSION"; then
    log "installing cargo-leptos $CARGO_LEPTOS_VERSION (about 12 minutes)"
    cargo install cargo-leptos --locked --version "$CARGO_LEPTOS_VERSION"
  fi
  local wb
  wb="$(wasm_bindgen_version)"
  if ! wasm-bindgen --version 2>/dev/null | grep -q " $wb\$"; then
    log "installing wasm-bindgen-cli $wb (about 5 minutes)"
    cargo install wasm-bindgen-cli --version "$wb" --force
  fi
  # Debian's binaryen (108) silently produces a broken wasm: use the crates.io build (116).
  if ! "$HOME/.cargo/bin/wasm-opt" --version >/dev/null 2>&1; then
    log "installing wasm-opt from crates.io (about 9 minutes)"
    cargo install wasm-opt --locked
  fi
}

ensure_chromium() {
  if [ ! -x /usr/bin/chromium ]; then
    log "installing Debian's chromium"
    apt-get update -q
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium
  fi
}

ensure_end2end_packages() {
  local stamp="$ROOT/end2end/node_modules/.installed-lock"
  if [ ! -f "$stamp" ] || ! cmp -s "$ROOT/end2end/package-lock.json" "$stamp"; then
    log "installing the end2end npm packages (no browser download)"
    (cd "$ROOT/end2end" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund)
    cp "$ROOT/end2end/package-lock.json" "$stamp"
  fi
}

# A venv with nx-27017, a MongoDB wire-protocol server (no mongod can be installed here).
ensure_mongo_wire_server() {
  if [ ! -x "$TOOLS/venv-nx/bin/nx-27017" ]; then
    log "installing nx-27017 from PyPI into $TOOLS/venv-nx"
    mkdir -p "$TOOLS"
    python3 -m venv "$TOOLS/venv-nx"
    "$TOOLS/venv-nx/bin/pip" install -q nx-27017
  fi
}

# A venv with schemathesis (API fuzzing against the OpenAPI document), pinned.
SCHEMATHESIS_VERSION="4.32.5"
CHECKOV_VERSION="3.3.30"
AIOSMTPD_VERSION="1.4.6"
ensure_schemathesis() {
  if ! "$TOOLS/venv-st/bin/schemathesis" --version 2>/dev/null | grep -q "$SCHEMATHESIS_VERSION"; then
    log "installing schemathesis $SCHEMATHESIS_VERSION from PyPI into $TOOLS/venv-st"
    mkdir -p "$TOOLS"
    python3 -m venv "$TOOLS/venv-st"
    "$TOOLS/venv-st/bin/pip" install -q "schemathesis==$SCHEMATHESIS_VERSION"
  fi
}

# A real SMTP server for the campaign-mail tests (Python's aiosmtpd, writing a Maildir).
ensure_smtp_server() {
  if ! "$TOOLS/venv-smtp/bin/python" -c "import aiosmtpd, sys; sys.exit(aiosmtpd.__version__ != '$AIOSMTPD_VERSION')" 2>/dev/null; then
    log "installing aiosmtpd $AIOSMTPD_VERSION from PyPI into $TOOLS/venv-smtp"
    mkdir -p "$TOOLS"
    python3 -m venv "$TOOLS/venv-smtp"
    "$TOOLS/venv-smtp/bin/pip" install -q "aiosmtpd==$AIOSMTPD_VERSION"
  fi
}

ensure_checkov() {
  if ! "$TOOLS/venv-checkov/bin/checkov" --version 2>/dev/null | grep -qx "$CHECKOV_VERSION"; then
    log "installing checkov $CHECKOV_VERSION from PyPI into $TOOLS/venv-checkov"
    mkdir -p "$TOOLS"
    python3 -m venv "$TOOLS/venv-checkov"
    "$TOOLS/venv-checkov/bin/pip" install -q "checkov==$CHECKOV_VERSION"
  fi
}

# Static checks of deploy/: the Kubernetes manifests (raw and through kustomize) and the
# Containerfile (checkov reads it under the name Dockerfile). Exceptions are annotated, with
# their reason, in the manifests themselves.
check_deploy() {
  local tmp
  tmp="$(mktemp -d)"
  cp "$ROOT/deploy/Containerfile" "$tmp/Dockerfile"
  "$TOOLS/venv-checkov/bin/checkov" -d "$ROOT/deploy" --framework kubernetes kustomize --compact --quiet --skip-download
  "$TOOLS/venv-checkov/bin/checkov" -d "$tmp" --framework dockerfile --compact --quiet --skip-download
  rm -rf "$tmp"
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

wait_for_port() {
  local port="$1" tries=0
  until python3 -c "import socket,sys; socket.create_connection(('127.0.0.1', $port), 1)" 2>/dev/null; do
    tries=$((tries + 1))
    if [ "$tries" -gt 100 ]; then return 1; fi
    sleep 0.2
  done
}

# The environment cargo-leptos gives its debug builds, so `cargo test` reuses them.
export_leptos_build_env() {
  export LEPTOS_OUTPUT_NAME=imagross LEPTOS_SITE_ROOT=target/site LEPTOS_SITE_PKG_DIR=pkg
  export LEPTOS_SITE_ADDR=127.0.0.1:3000 LEPTOS_RELOAD_PORT=3001 LEPTOS_LIB_DIR=frontend
  export LEPTOS_BIN_DIR=server LEPTOS_JS_MINIFY=false LEPTOS_HASH_FILES=false
  export RUSTFLAGS="--cfg erase_components"
}
