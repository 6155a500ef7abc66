# SPDX-License-Identifier: Apache-2.0
# cmake -DINPUT=<file> -DOUTPUT=<file.cpp> -DFUNCTION=<name> -P embed_text.cmake
# Writes OUTPUT defining `const char* tessera::backend::cpu::FUNCTION()` that returns the text
# of INPUT, so generated kernels embed headers without run-time file lookups (STYLE A10).
file(READ "${INPUT}" text)
string(FIND "${text}" ")TS_EMBED\"" clash)
if(NOT clash EQUAL -1)
  message(FATAL_ERROR "${INPUT} contains the raw-string delimiter )TS_EMBED\"")
endif()
file(WRITE "${OUTPUT}.tmp"
  "// Generated from ${INPUT} by embed_text.cmake; do not edit.\n"
  "namespace tessera::backend::cpu {\n"
  "const char* ${FUNCTION}() {\n  return R\"TS_EMBED(${text})TS_EMBED\";\n}\n"
  "}  // namespace tessera::backend::cpu\n")
file(COPY_FILE "${OUTPUT}.tmp" "${OUTPUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUTPUT}.tmp")
