# SPDX-License-Identifier: Apache-2.0
# Warnings for Tessera's own targets (not for dependencies): tessera_set_warnings(target).
function(tessera_set_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wno-unused-parameter)
endfunction()
