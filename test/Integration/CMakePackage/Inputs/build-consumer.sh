#!/bin/bash
# Installs the mixprec build tree BUILD (cmake --install) into a prefix
# outside the build and source trees, checks that the installed package does
# not point back into the build tree, and configures and builds the consumer
# project SRC (a copy of it) against the install with Ninja.
#
#   build-consumer.sh BUILD SRC T
#
# The work directory is a fresh mktemp directory under $TMPDIR, reachable as
# T/work (a symbolic link); the previous run's directory is removed.
set -euo pipefail
build=$(cd "$1" && pwd -P)
src=$2
t=$3

mkdir -p "$t"
if [ -L "$t/work" ]; then
  old=$(readlink "$t/work")
  case "$old" in */mixprec-package-test.*) rm -rf "$old" ;; esac
  rm -f "$t/work"
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/mixprec-package-test.XXXXXX")
work=$(cd "$work" && pwd -P)
ln -s "$work" "$t/work"
case "$work/" in "$build"/*)
  echo "error: work directory $work is inside the build tree" >&2
  exit 1 ;;
esac

cmake --install "$build" --prefix "$work/prefix" > "$work/install.log"

# Nothing installed may refer to the build tree (paths in the CMake package,
# RUNPATHs of the tools and libraries).
if grep -rl -e "$build" "$work/prefix/lib/cmake"; then
  echo "error: the installed CMake package refers to $build" >&2
  exit 1
fi
for f in "$work"/prefix/bin/* "$work"/prefix/lib/*.so; do
  if readelf -d "$f" | grep -E 'R(UN)?PATH' | grep -q -e "$build"; then
    echo "error: $f has a RUNPATH into $build" >&2
    exit 1
  fi
done

cp -r "$src" "$work/src"
cc=$(sed -n 's/^CMAKE_C_COMPILER:[A-Z]*=//p' "$build/CMakeCache.txt")
cxx=$(sed -n 's/^CMAKE_CXX_COMPILER:[A-Z]*=//p' "$build/CMakeCache.txt")
cmake -G Ninja -S "$work/src" -B "$work/build" \
  -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_C_COMPILER="$cc" -DCMAKE_CXX_COMPILER="$cxx" \
  -DCMAKE_PREFIX_PATH="$work/prefix" > "$work/configure.log"
ninja -C "$work/build" -j2 > "$work/build.log"
echo "consumer built in $work/build"
