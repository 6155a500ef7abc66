#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Fails if a .cpp file on disk is not named in some CMakeLists.txt (there is no file(GLOB)).
set -euo pipefail
cd "$(dirname "$0")/.."
status=0
while IFS= read -r f; do
  dir=$(dirname "$f"); base=$(basename "$f")
  found=0
  d="$dir"
  while [ "$d" != "." ] && [ $found = 0 ]; do
    if [ -f "$d/CMakeLists.txt" ] && grep -qw -- "${f#$d/}" "$d/CMakeLists.txt"; then found=1; fi
    d=$(dirname "$d")
  done
  if [ $found = 0 ]; then echo "check-cmake-lists: $f is not listed in any CMakeLists.txt"; status=1; fi
done < <(git ls-files --cached --others --exclude-standard -- '*.cpp' | grep -v '^tests/fixtures/')
exit $status
