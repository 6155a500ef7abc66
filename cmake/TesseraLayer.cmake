# SPDX-License-Identifier: Apache-2.0
# tessera_add_layer(NAME layer SOURCES a.cpp ... [DEPS tessera_x ...] [PUBLIC_LIBS ...])
# Defines static library tessera_<layer> with the public headers of core/include.
function(tessera_add_layer)
  cmake_parse_arguments(L "" "NAME" "SOURCES;DEPS;PUBLIC_LIBS;PRIVATE_LIBS" ${ARGN})
  add_library(tessera_${L_NAME} STATIC ${L_SOURCES})
  target_include_directories(tessera_${L_NAME} PUBLIC ${PROJECT_SOURCE_DIR}/core/include)
  target_link_libraries(tessera_${L_NAME} PUBLIC ${L_DEPS} ${L_PUBLIC_LIBS} PRIVATE ${L_PRIVATE_LIBS})
  tessera_set_warnings(tessera_${L_NAME})
endfunction()
