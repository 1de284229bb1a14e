#!/bin/sh
# Installs the Debian packages newswatch needs to build, run and test.
# Idempotent: only missing packages are installed; apt-get update runs once, only if needed.
set -eu

PACKAGES="build-essential cmake ninja-build pkg-config git
libboost-dev libcurl4-openssl-dev libpugixml-dev libzmq3-dev cppzmq-dev
libspdlog-dev libgtest-dev libgmock-dev libvectorscan-dev libtomlplusplus-dev
nlohmann-json3-dev libcli11-dev libsqlite3-dev sqlite3 libsystemd-dev libutf8proc-dev
python3 python3-zmq python3-brotli clang-format curl systemd openssl scdoc lintian
clang-14 libclang-rt-14-dev libexttextcat-data libxml2-utils
libnats-dev libpsl-dev nats-server python3-feedparser python3-chardet"
# (feedparser, with the charset detector it uses when present, is the reference
# tests/integration/test_parser_agreement.py compares our parser with.)

# Optional extras, any of them: `--bench` adds what the benchmarks compare against;
# `--monitoring` adds promtool (Debian's prometheus package: 19 MB to download, 96 MB
# installed) for test_monitoring's `promtool check rules` and `promtool test rules`, which
# are skipped without it; `--clients` adds Node.js and npm for test_clients' Node subscriber
# (npm then installs the zeromq package from the npm registry; skipped without them).
for extra in "$@"; do
  case "$extra" in
    --bench) PACKAGES="$PACKAGES nginx-light newsboat time wamerican-large" ;;
    --monitoring) PACKAGES="$PACKAGES prometheus" ;;
    --clients) PACKAGES="$PACKAGES nodejs npm" ;;
    *) echo "install-deps: unknown option $extra (--bench, --monitoring, --clients)" >&2; exit 2 ;;
  esac
done

missing=""
for p in $PACKAGES; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing="$missing $p"
  fi
done

if [ -n "$missing" ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "install-deps: missing packages:$missing (run as root to install them)" >&2
    exit 1
  fi
  echo "install-deps: installing$missing"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  # shellcheck disable=SC2086
  apt-get install -y -q --no-install-recommends $missing
else
  echo "install-deps: all packages present"
fi
