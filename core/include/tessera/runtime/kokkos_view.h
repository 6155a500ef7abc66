// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// Optional adapter from a host `Kokkos::View` to a Tessera `TensorView` (zero copy). Header
/// only. `from_kokkos` is declared only when <Kokkos_Core.hpp> is on the include path (CMake
/// sets TS_HAVE_KOKKOS and links Kokkos::kokkos after the Debian fix-up in
/// cmake/TesseraDependencies.cmake); without Kokkos the header still compiles, declaring only
/// `dtype_of`, so the self-contained-headers check passes on machines without Kokkos.
///
/// bf16, f16 and fp8 data lives in Views of same-size integers (Kokkos 3.4 has no such types):
/// `from_kokkos(view, DType::bf16)` names the format, checking the element size.
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
#include "tessera/error.h"
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
namespace detail {
/// `view`'s data, extents and element strides as a TensorView of `dtype` on `cpu`.
template <typename ViewT>
TensorView kokkos_tensor_view(const ViewT& view, DType dtype) {
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
  using Value = std::remove_cv_t<typename ViewT::value_type>;
  return TensorView(const_cast<Value*>(view.data()), dtype, std::span<const std::int64_t>(shape.data(), rank),
                    std::span<const std::int64_t>(strides.data(), rank), DeviceId::cpu());
}
}  // namespace detail

/// A view of `view`'s data on `cpu`. The Kokkos view (or another reference to its
/// allocation) must outlive the result. Compile-time error for views whose memory the host
/// cannot access.
template <typename ViewT>
TensorView from_kokkos(const ViewT& view) {
  return detail::kokkos_tensor_view(view, dtype_of<typename ViewT::value_type>());
}

/// The same with an explicit Tessera dtype, for the formats C++ (and Kokkos 3.4) has no
/// arithmetic type for, held as same-size integers: bf16 or f16 in a `View<std::uint16_t*>`,
/// f8e4m3fn or f8e5m2 in a `View<std::uint8_t*>`. Throws `UserError` when `dtype`'s size is not
/// the value type's.
template <typename ViewT>
TensorView from_kokkos(const ViewT& view, DType dtype) {
  using Value = std::remove_cv_t<typename ViewT::value_type>;
  static_assert(std::is_trivially_copyable_v<Value>, "from_kokkos(view, dtype) takes views of plain values");
  TS_USER_CHECK(static_cast<std::size_t>(dtype_size(dtype)) == sizeof(Value))
      << "from_kokkos: a Kokkos::View of " << sizeof(Value) << "-byte values cannot hold " << dtype_name(dtype)
      << " (" << dtype_size(dtype) << " bytes per element); use a View of a " << dtype_size(dtype)
      << "-byte type, e.g. std::uint16_t for bf16/f16 or std::uint8_t for fp8";
  return detail::kokkos_tensor_view(view, dtype);
}
#endif  // TS_IMPL_KOKKOS_VIEW_AVAILABLE

}  // namespace tessera::runtime
