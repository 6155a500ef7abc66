// SPDX-License-Identifier: Apache-2.0
// Must NOT compile (ctest kokkos_view_rejects_unmapped_types): a Kokkos::View of a value type
// with no Tessera dtype (unsigned 16-bit: neither f16 nor bf16 can be assumed) is refused by
// runtime/kokkos_view.h's static_assert, naming the problem, instead of a silent reinterpretation.
#include <cstdint>

#include "tessera/runtime/kokkos_view.h"

tessera::runtime::TensorView view_of_u16(const Kokkos::View<std::uint16_t*>& v) { return tessera::runtime::from_kokkos(v); }
