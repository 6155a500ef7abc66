// SPDX-License-Identifier: Apache-2.0
// runtime/kokkos_view.h against Debian's Kokkos (3.4, Serial backend): a host Kokkos::View becomes
// a zero-copy TensorView with Kokkos's extents and element strides for LayoutRight, LayoutLeft
// and LayoutStride (subviews), every mapped value_type gets its dtype, bf16/fp8 held in integer
// views are named explicitly (size-checked), ranks 0 to 8 map, and a
// Tessera kernel called on Kokkos-owned memory reads and writes it in place (LayoutLeft too),
// while a view of the wrong rank or dtype is refused by the kernel's argument check. Built only
// when CMake finds Kokkos (TS_HAVE_KOKKOS); the adapter's static_asserts (a value type with no
// dtype) are checked by the compile-failure test kokkos_view_rejects_unmapped_types.
#include <gtest/gtest.h>

#include <Kokkos_Core.hpp>
#include <cstdint>
#include <string>

#include "examples/examples.h"
#include "tessera/error.h"
#include "tessera/lang/kernel.h"
#include "tessera/runtime/kokkos_view.h"
#include "tessera/runtime/registry.h"

namespace tessera::runtime {
namespace {

static_assert(TS_IMPL_KOKKOS_VIEW_AVAILABLE, "the test is built only where <Kokkos_Core.hpp> is found");

/// Kokkos must be initialized before the first View allocation and finalized after the last.
class KokkosEnvironment : public ::testing::Environment {
 public:
  void SetUp() override { Kokkos::initialize(); }
  void TearDown() override { Kokkos::finalize(); }
};
const auto* const kEnv = ::testing::AddGlobalTestEnvironment(new KokkosEnvironment);

/// The address TensorView `t` gives element (i, j): data + (i·s0 + j·s1) elements.
template <typename T>
T* at(const TensorView& t, std::int64_t i, std::int64_t j) {
  return static_cast<T*>(t.data()) + i * t.stride(0) + j * t.stride(1);
}

TEST(KokkosView, LayoutRightIsRowMajor) {
  Kokkos::View<double**, Kokkos::LayoutRight, Kokkos::HostSpace> v("v", 3, 5);
  const TensorView t = from_kokkos(v);
  EXPECT_EQ(t.dtype(), DType::f64);
  EXPECT_EQ(t.device(), DeviceId::cpu());
  EXPECT_EQ(t.data(), v.data()) << "zero copy";
  ASSERT_EQ(t.rank(), 2);
  EXPECT_EQ(t.size(0), 3);
  EXPECT_EQ(t.size(1), 5);
  EXPECT_EQ(t.stride(0), static_cast<std::int64_t>(v.stride(0)));
  EXPECT_EQ(t.stride(1), 1);
  EXPECT_TRUE(t.is_contiguous());
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 5; ++j) EXPECT_EQ(at<double>(t, i, j), &v(i, j)) << i << "," << j;
}

TEST(KokkosView, LayoutLeftIsColumnMajor) {
  Kokkos::View<float**, Kokkos::LayoutLeft, Kokkos::HostSpace> v("v", 4, 6);
  const TensorView t = from_kokkos(v);
  EXPECT_EQ(t.dtype(), DType::f32);
  EXPECT_EQ(t.stride(0), 1);
  EXPECT_EQ(t.stride(1), static_cast<std::int64_t>(v.stride(1)));
  EXPECT_GE(t.stride(1), 4);
  EXPECT_FALSE(t.is_contiguous());
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 6; ++j) EXPECT_EQ(at<float>(t, i, j), &v(i, j)) << i << "," << j;
  EXPECT_EQ(t.storage_bytes(), v.span() * sizeof(float));
}

TEST(KokkosView, LayoutStrideSubviewsKeepTheirStrides) {
  Kokkos::View<std::int32_t***, Kokkos::LayoutRight, Kokkos::HostSpace> v("v", 4, 5, 6);
  auto column = Kokkos::subview(v, 2, Kokkos::ALL, 3);                       // rank 1, stride 6
  auto plane = Kokkos::subview(v, Kokkos::ALL, 1, Kokkos::make_pair(2, 5));  // rank 2, strides 30, 1
  const TensorView c = from_kokkos(column), p = from_kokkos(plane);
  EXPECT_EQ(c.dtype(), DType::i32);
  ASSERT_EQ(c.rank(), 1);
  EXPECT_EQ(c.size(0), 5);
  EXPECT_EQ(c.stride(0), 6);
  EXPECT_EQ(c.data(), &v(2, 0, 3));
  ASSERT_EQ(p.rank(), 2);
  EXPECT_EQ(p.size(0), 4);
  EXPECT_EQ(p.size(1), 3);
  EXPECT_EQ(p.stride(0), 30);
  EXPECT_EQ(p.stride(1), 1);
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 3; ++j) EXPECT_EQ(at<std::int32_t>(p, i, j), &v(i, 1, 2 + j));
  // An explicit LayoutStride view over existing memory: strides in elements, as Tessera's.
  std::int64_t buf[64] = {};
  Kokkos::View<std::int64_t**, Kokkos::LayoutStride, Kokkos::HostSpace, Kokkos::MemoryUnmanaged> s(
      buf, Kokkos::LayoutStride(3, 2, 4, 11));
  const TensorView st = from_kokkos(s);
  EXPECT_EQ(st.dtype(), DType::i64);
  EXPECT_EQ(st.stride(0), 2);
  EXPECT_EQ(st.stride(1), 11);
  EXPECT_EQ(at<std::int64_t>(st, 2, 3), &s(2, 3));
}

TEST(KokkosView, EveryMappedValueTypeGetsItsDtype) {
  EXPECT_EQ(from_kokkos(Kokkos::View<double*>("a", 2)).dtype(), DType::f64);
  EXPECT_EQ(from_kokkos(Kokkos::View<const float*>(Kokkos::View<float*>("b", 2))).dtype(), DType::f32);
  EXPECT_EQ(from_kokkos(Kokkos::View<std::int64_t*>("c", 2)).dtype(), DType::i64);
  EXPECT_EQ(from_kokkos(Kokkos::View<std::int32_t*>("d", 2)).dtype(), DType::i32);
  EXPECT_EQ(from_kokkos(Kokkos::View<std::int8_t*>("e", 2)).dtype(), DType::i8);
  EXPECT_EQ(from_kokkos(Kokkos::View<std::uint8_t*>("f", 2)).dtype(), DType::u8);
  EXPECT_EQ(from_kokkos(Kokkos::View<bool*>("g", 2)).dtype(), DType::boolean);
}

TEST(KokkosView, NarrowFormatsAreNamedExplicitly) {
  Kokkos::View<std::uint16_t**, Kokkos::LayoutLeft> h("h", 3, 4);
  const TensorView b = from_kokkos(h, DType::bf16);
  EXPECT_EQ(b.dtype(), DType::bf16);
  EXPECT_EQ(b.stride(1), static_cast<std::int64_t>(h.stride(1)));
  EXPECT_EQ(b.data(), h.data());
  EXPECT_EQ(from_kokkos(Kokkos::View<std::uint8_t*>("q", 8), DType::f8e4m3fn).dtype(), DType::f8e4m3fn);
  try {
    from_kokkos(h, DType::f32);
    FAIL() << "a 2-byte view cannot hold f32";
  } catch (const UserError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("2-byte values cannot hold f32"), std::string::npos) << msg;
  }
}

TEST(KokkosView, RanksZeroToEightMap) {
  Kokkos::View<double> scalar("s");
  const TensorView s = from_kokkos(scalar);
  EXPECT_EQ(s.rank(), 0);
  EXPECT_EQ(s.numel(), 1);
  EXPECT_EQ(s.data(), scalar.data());
  Kokkos::View<float********> eight("e", 2, 1, 3, 1, 2, 1, 1, 2);
  const TensorView e = from_kokkos(eight);
  ASSERT_EQ(e.rank(), 8);
  EXPECT_EQ(e.numel(), 24);
  for (int d = 0; d < 8; ++d) {
    EXPECT_EQ(e.size(d), static_cast<std::int64_t>(eight.extent(d))) << d;
    EXPECT_EQ(e.stride(d), static_cast<std::int64_t>(eight.stride(d))) << d;
  }
}

// A Tessera kernel on Kokkos-owned memory: x + y written into out in place, for row-major and
// column-major views (one specialization each), against the float64 sum rounded to f32 (exact:
// f32 addition is correctly rounded).
TEST(KokkosView, KernelsReadAndWriteKokkosMemoryInPlace) {
  tessera::init();
  lang::Kernel add(examples::add_kernel(DType::f32));
  auto check = [&](auto x, auto y, auto out) {
    const int m = static_cast<int>(x.extent(0)), n = static_cast<int>(x.extent(1));
    for (int i = 0; i < m; ++i)
      for (int j = 0; j < n; ++j) x(i, j) = 0.25f * float(i) - 1.5f * float(j), y(i, j) = float((i * 7 + j) % 5) / 3.0f, out(i, j) = -99.0f;
    add({from_kokkos(x), from_kokkos(y), from_kokkos(out)});
    open_device("cpu").synchronize();
    int bad = 0;
    for (int i = 0; i < m; ++i)
      for (int j = 0; j < n; ++j)
        bad += out(i, j) != static_cast<float>(double(x(i, j)) + double(y(i, j)));
    return bad;
  };
  using Right = Kokkos::View<float**, Kokkos::LayoutRight, Kokkos::HostSpace>;
  using Left = Kokkos::View<float**, Kokkos::LayoutLeft, Kokkos::HostSpace>;
  EXPECT_EQ(check(Right("x", 37, 130), Right("y", 37, 130), Right("o", 37, 130)), 0);
  EXPECT_EQ(check(Left("x", 37, 130), Left("y", 37, 130), Left("o", 37, 130)), 0);
}

TEST(KokkosView, KernelsRefuseViewsOfTheWrongRankOrDtype) {
  tessera::init();
  lang::Kernel add(examples::add_kernel(DType::f32));
  Kokkos::View<float**> x("x", 4, 8), y("y", 4, 8);
  Kokkos::View<float*> flat("flat", 32);
  Kokkos::View<double**> wide("wide", 4, 8);
  try {
    add.specialization_key(std::vector<lang::Arg>{from_kokkos(x), from_kokkos(y), from_kokkos(flat)});
    FAIL() << "a rank-1 view for a rank-2 output must be refused";
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("rank"), std::string::npos) << e.what();
  }
  try {
    add.specialization_key(std::vector<lang::Arg>{from_kokkos(x), from_kokkos(wide), from_kokkos(y)});
    FAIL() << "a f64 view for a f32 input must be refused";
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("f64"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace tessera::runtime
