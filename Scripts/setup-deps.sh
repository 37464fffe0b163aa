#!/usr/bin/env bash
# Makes sure the C libraries SkyCorpus links are installed: libpng, libjpeg-turbo, libdeflate, libtiff (>= 4.5),
# SQLite, OpenBLAS, zlib, and hnswlib's headers (SkyIndex).
# Installs the missing Debian/Ubuntu packages with apt-get when it can (root, or sudo without a password);
# otherwise prints the exact command and fails.
set -euo pipefail

missing=()
have_header() { echo "#include <$1>" | cc -E -x c - >/dev/null 2>&1; }
have_header png.h || missing+=(libpng-dev)
have_header jpeglib.h || missing+=(libjpeg-dev)
have_header libdeflate.h || missing+=(libdeflate-dev)
have_header tiffio.h || missing+=(libtiff-dev)
have_header sqlite3.h || missing+=(libsqlite3-dev)
have_header zlib.h || missing+=(zlib1g-dev)
[ -f /usr/include/hnswlib/hnswlib.h ] || [ -f /usr/local/include/hnswlib/hnswlib.h ] || missing+=(libhnswlib-dev)  # header-only C++
pkg-config --exists openblas 2>/dev/null || missing+=(libopenblas-dev)
command -v pkg-config >/dev/null 2>&1 || missing+=(pkg-config)

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
command="apt-get install -y --no-install-recommends ${missing[*]}"
echo "setup: installing ${missing[*]}" >&2
if [ "$(id -u)" -eq 0 ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive $command
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive $command
else
  echo "setup: cannot install packages without root; run:" >&2
  echo "  sudo apt-get update && sudo $command" >&2
  exit 1
fi
