#!/usr/bin/env bash
# Installs the Debian packages mixprec needs, when any is missing.
# Idempotent and non-interactive; safe to run on every build.
set -euo pipefail

PKGS=(
  llvm-22-dev llvm-22-tools libmlir-22-dev mlir-22-tools clang-22 lld-22
  libclang-rt-22-dev
  cmake ninja-build
  python3-dev python3-numpy python3-pybind11 pybind11-dev python3-pytest python3-matplotlib
  python3-torch python3-torchvision libopenblas0-pthread
  zlib1g-dev libzstd-dev libedit-dev libxml2-dev libcurl4-openssl-dev
  mpich libmpich-dev
)

missing=()
for p in "${PKGS[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if [ "${#missing[@]}" -eq 0 ]; then
  echo "setup: all ${#PKGS[@]} packages present"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
