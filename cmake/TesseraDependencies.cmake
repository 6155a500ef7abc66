# SPDX-License-Identifier: Apache-2.0
# Every dependency comes from a Debian package (scripts/install-deps.sh installs them) and is
# found here, once. Vendor SDKs are optional: without them the build still succeeds and the
# backend reports "not available" at run time.
include(FeatureSummary)

find_package(nlohmann_json 3.10 REQUIRED)
set_package_properties(nlohmann_json PROPERTIES TYPE REQUIRED PURPOSE "config files (apt: nlohmann-json3-dev)")
find_package(TBB REQUIRED)
set_package_properties(TBB PROPERTIES TYPE REQUIRED PURPOSE "CPU backend parallelism (apt: libtbb-dev)")
# The GPU machines have no oneTBB: binaries in build/bin also look in build/lib, where
# scripts/device/prepare-runtime.sh copies libtbb.so.12 before the build travels there.
list(APPEND CMAKE_BUILD_RPATH "\$ORIGIN/../lib")
find_package(Threads REQUIRED)
find_package(OpenSSL REQUIRED COMPONENTS Crypto)
set_package_properties(OpenSSL PROPERTIES TYPE REQUIRED PURPOSE "SHA-256 of JIT cache keys (apt: libssl-dev)")

# DLPack is a single header (apt: libdlpack-dev); its CMake package is not always present.
find_path(TS_DLPACK_INCLUDE_DIR dlpack/dlpack.h)
if(NOT TS_DLPACK_INCLUDE_DIR)
  message(FATAL_ERROR "dlpack/dlpack.h not found: install it with `apt-get install libdlpack-dev` "
                      "or set TS_DLPACK_INCLUDE_DIR")
endif()

if(TS_BUILD_TESTS)
  find_package(GTest REQUIRED)
  set_package_properties(GTest PROPERTIES TYPE REQUIRED PURPOSE "tests (apt: libgtest-dev libgmock-dev)")
endif()
if(TS_BUILD_BENCHMARKS)
  find_package(benchmark REQUIRED)
  set_package_properties(benchmark PROPERTIES TYPE REQUIRED PURPOSE "bench/ (apt: libbenchmark-dev)")
endif()

# CUDA: only the toolkit's headers are used at build time (the device headers embedded into
# generated code, and cuda.h's types). libcuda and libnvrtc are dlopen'ed at run time; never
# link CUDA::cuda_driver or CUDA::nvrtc (see ../shared/DEPENDENCIES.md).
set(TS_HAVE_CUDA_HEADERS OFF)
if(TS_ENABLE_CUDA)
  find_package(CUDAToolkit QUIET)
  if(CUDAToolkit_FOUND)
    set(TS_HAVE_CUDA_HEADERS ON)
  endif()
endif()
add_feature_info(CUDA_headers TS_HAVE_CUDA_HEADERS "CUDA toolkit headers for the CUDA backend's device headers")

# HIP: same rule; libamdhip64 is dlopen'ed.
set(TS_HAVE_HIP_HEADERS OFF)
if(TS_ENABLE_HIP)
  find_path(TS_HIP_INCLUDE_DIR hip/hip_runtime_api.h PATHS /opt/rocm/include /usr/include)
  if(TS_HIP_INCLUDE_DIR)
    set(TS_HAVE_HIP_HEADERS ON)
  endif()
endif()
add_feature_info(HIP_headers TS_HAVE_HIP_HEADERS "HIP headers for the HIP backend")

# Kokkos (optional): Debian's imported target points at /usr/lib/include, which does not exist.
find_package(Kokkos QUIET)
if(Kokkos_FOUND AND TARGET Kokkos::kokkos)
  set(_ts_kokkos_inc "")
  foreach(dir IN LISTS Kokkos_INCLUDE_DIRS)
    if(EXISTS "${dir}")
      list(APPEND _ts_kokkos_inc "${dir}")
    endif()
  endforeach()
  if(NOT _ts_kokkos_inc AND EXISTS /usr/include/trilinos)
    set(_ts_kokkos_inc /usr/include/trilinos)
  endif()
  set_target_properties(Kokkos::kokkos PROPERTIES INTERFACE_INCLUDE_DIRECTORIES "${_ts_kokkos_inc}")
  set(TS_HAVE_KOKKOS ON)
else()
  set(TS_HAVE_KOKKOS OFF)
endif()
add_feature_info(Kokkos TS_HAVE_KOKKOS "Kokkos::View interop and CPU baselines (apt: libtrilinos-kokkos-dev)")
