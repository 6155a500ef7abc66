#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Static checks of the source tree that need no build (STYLE.md A5, A13, B1):
#  1. every .cpp is listed in a CMakeLists.txt (there is no file(GLOB));
#  2. size limits: library .cpp files <= 800 lines, headers <= 400 lines (tests and generated
#     tables are exempt);
#  3. every public header compiles on its own (include what you use).
set -euo pipefail
cd "$(dirname "$0")/.."
status=0

# 1. CMake lists.
while IFS= read -r f; do
  d=$(dirname "$f"); found=0
  while [ "$d" != "." ] && [ $found = 0 ]; do
    if [ -f "$d/CMakeLists.txt" ] && grep -qw -- "${f#$d/}" "$d/CMakeLists.txt"; then found=1; fi
    d=$(dirname "$d")
  done
  if [ $found = 0 ]; then echo "check-sources: $f is not listed in any CMakeLists.txt"; status=1; fi
done < <(git ls-files --cached --others --exclude-standard -- '*.cpp' | grep -v '^tests/fixtures/')

# 2. Size limits.
while IFS= read -r f; do
  n=$(wc -l < "$f")
  case "$f" in
    *.h) limit=400 ;;
    *) limit=800 ;;
  esac
  if [ "$n" -gt "$limit" ]; then
    echo "check-sources: $f has $n lines (limit $limit): split it by concept"; status=1
  fi
done < <(git ls-files --cached --others --exclude-standard -- 'core/*.h' 'core/*.cpp' 'backends/*.h' \
           'backends/*.cpp' 'ops/*.h' 'ops/*.cpp' 'tools/*.h' 'tools/*.cpp')

# 3. Public headers are self-contained.
cxx=${CXX:-c++}
inc=(-Icore/include)
[ -d /usr/include/trilinos ] && inc+=(-I/usr/include/trilinos)
export cxx
if ! git ls-files --cached --others --exclude-standard -- 'core/include/*.h' |
     xargs -P "$(nproc)" -I{} sh -c "echo '#include \"{}\"' | sed 's|core/include/||' |
       $cxx -std=c++20 -fsyntax-only ${inc[*]} -x c++ - || { echo 'check-sources: {} is not self-contained'; exit 1; }"; then
  status=1
fi
exit $status
