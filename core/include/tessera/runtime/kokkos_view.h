// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// Optional adapter from a host `Kokkos::View` to a Tessera `TensorView` (zero copy). Header
/// only. `from_kokkos` is declared only when <Kokkos_Core.hpp> is on the include path (CMake
/// sets TS_HAVE_KOKKOS and links Kokkos::kokkos after the Debian fix-up in
/// cmake/TesseraDependencies.cmake); without Kokkos the header still compiles, declaring only
/// `dtype_of`, so the self-contained-headers check passes on machines without Kokkos.
///
/// Kokkos strides are in elements, like Tessera's, so LayoutRight, LayoutLeft and
/// LayoutStride views all map directly. Works with Kokkos 3.4 (`View::rank` a static
/// constant) and 4.x (`rank` an integral_constant object): both convert to an integer.

#if __has_include(<Kokkos_Core.hpp>)
#include <Kokkos_Core.hpp>
#define TS_IMPL_KOKKOS_VIEW_AVAILABLE 1
#endif

#include <array>
#include <cstdint>
#include <type_traits>

#include "tessera/dtype.h"
#include "tessera/runtime/tensor.h"

namespace tessera::runtime {

/// The Tessera dtype of a C++ element type with a one-to-one mapping.
template <typename T>
constexpr DType dtype_of() {
  using U = std::remove_cv_t<T>;
  if constexpr (std::is_same_v<U, double>) return DType::f64;
  else if constexpr (std::is_same_v<U, float>) return DType::f32;
  else if constexpr (std::is_same_v<U, std::int64_t>) return DType::i64;
  else if constexpr (std::is_same_v<U, std::int32_t>) return DType::i32;
  else if constexpr (std::is_same_v<U, std::int8_t>) return DType::i8;
  else if constexpr (std::is_same_v<U, std::uint8_t>) return DType::u8;
  else if constexpr (std::is_same_v<U, bool>) return DType::boolean;
  else static_assert(sizeof(U) == 0, "no Tessera dtype for this Kokkos::View value_type");
}

#if TS_IMPL_KOKKOS_VIEW_AVAILABLE
/// A view of `view`'s data on `cpu`. The Kokkos view (or another reference to its
/// allocation) must outlive the result. Compile-time error for views whose memory the host
/// cannot access.
template <typename ViewT>
TensorView from_kokkos(const ViewT& view) {
  static_assert(Kokkos::SpaceAccessibility<Kokkos::HostSpace,
                                           typename ViewT::memory_space>::accessible,
                "from_kokkos takes host-accessible Kokkos::Views only");
  constexpr int rank = static_cast<int>(ViewT::rank);
  static_assert(rank <= kMaxRank, "Kokkos::View rank exceeds tessera::runtime::kMaxRank");
  std::array<std::int64_t, kMaxRank> shape{};
  std::array<std::int64_t, kMaxRank> strides{};
  for (int d = 0; d < rank; ++d) {
    shape[d] = static_cast<std::int64_t>(view.extent(d));
    strides[d] = static_cast<std::int64_t>(view.stride(d));
  }
  using Value = typename ViewT::value_type;
  return TensorView(const_cast<std::remove_cv_t<Value>*>(view.data()), dtype_of<Value>(),
                    std::span<const std::int64_t>(shape.data(), rank),
                    std::span<const std::int64_t>(strides.data(), rank), DeviceId::cpu());
}
#endif  // TS_IMPL_KOKKOS_VIEW_AVAILABLE

}  // namespace tessera::runtime
