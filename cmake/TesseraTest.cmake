# SPDX-License-Identifier: Apache-2.0
# tessera_add_test(NAME name SOURCES a.cpp ... [LIBS ...] LABELS unit|codegen|conformance|error|gpu ...)
# One gtest binary per call, in build/bin, its tests discovered into ctest with the labels.
# Label `gpu` marks tests that need a GPU: CI runs `ctest -LE gpu`; the device run runs them all.
# A test that cannot run here prints "[SKIP]" (GTEST_SKIP) and ctest reports it skipped.
include(GoogleTest)
function(tessera_add_test)
  cmake_parse_arguments(T "" "NAME" "SOURCES;LIBS;LABELS" ${ARGN})
  add_executable(${T_NAME} ${T_SOURCES})
  target_link_libraries(${T_NAME} PRIVATE ${T_LIBS} GTest::gtest GTest::gmock GTest::gtest_main)
  target_compile_definitions(${T_NAME} PRIVATE
    TS_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
    TS_FIXTURES_DIR="${PROJECT_SOURCE_DIR}/tests/fixtures")
  tessera_set_warnings(${T_NAME})
  # gtest_discover_tests (CMake 3.25) splits a list-valued property into separate arguments,
  # which breaks set_tests_properties; so each test gets one label, `gpu` first when present,
  # because `ctest -LE gpu` (CI) and `-L gpu` (the device run) are what labels are used for.
  list(GET T_LABELS 0 _ts_label)
  if("gpu" IN_LIST T_LABELS)
    set(_ts_label gpu)
  endif()
  gtest_discover_tests(${T_NAME}
    PROPERTIES LABELS "${_ts_label}" SKIP_REGULAR_EXPRESSION "\\[  SKIPPED \\]"
    DISCOVERY_TIMEOUT 60)
endfunction()
