# SPDX-License-Identifier: Apache-2.0
# cmake -DINPUT=<header> -DOUTPUT=<file.cpp> -DNAMESPACE=<ns> -DFUNCTION=<name> -P device_headers_embed.cmake
# Writes OUTPUT defining `const char* NAMESPACE::FUNCTION()` returning the text of INPUT: the
# device headers generated GPU kernels embed (STYLE A10: no run-time file lookups, no toolkit
# headers at run time). Rewritten only when the text changes, so dependents rebuild only then.
file(READ "${INPUT}" text)
string(FIND "${text}" ")TS_EMBED\"" clash)
if(NOT clash EQUAL -1)
  message(FATAL_ERROR "${INPUT} contains the raw-string delimiter )TS_EMBED\"")
endif()
file(WRITE "${OUTPUT}.tmp"
  "// Generated from ${INPUT} by device_headers_embed.cmake; do not edit.\n"
  "namespace ${NAMESPACE} {\n"
  "const char* ${FUNCTION}() {\n  return R\"TS_EMBED(${text})TS_EMBED\";\n}\n"
  "}  // namespace ${NAMESPACE}\n")
file(COPY_FILE "${OUTPUT}.tmp" "${OUTPUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUTPUT}.tmp")
