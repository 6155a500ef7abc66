// SPDX-License-Identifier: Apache-2.0
#include "tessera/runtime/tensor.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "tessera/error.h"
#include "tessera/runtime/registry.h"

namespace tessera::runtime {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(TensorView, ContiguousStridesAreRowMajorInElements) {
  std::vector<float> data(2 * 3 * 4);
  TensorView v(data.data(), DType::f32, {2, 3, 4}, DeviceId::cpu());
  EXPECT_THAT(v.strides(), ElementsAre(12, 4, 1));
  EXPECT_EQ(v.numel(), 24);
  EXPECT_TRUE(v.is_contiguous());
  EXPECT_EQ(v.storage_bytes(), 24u * 4u);
  EXPECT_EQ(v.str(), "f32[2, 3, 4] strides [12, 4, 1] on cpu");
}

TEST(TensorView, StridedViewsReportTheirExtent) {
  std::vector<std::uint16_t> data(64);
  const std::int64_t shape[] = {4, 3};
  const std::int64_t transposed[] = {1, 4};  // a column-major 4x3 view of 12 elements
  TensorView t(data.data(), DType::bf16, shape, transposed, DeviceId::cpu());
  EXPECT_FALSE(t.is_contiguous());
  EXPECT_EQ(t.storage_bytes(), 12u * 2u);
  const std::int64_t broadcast[] = {0, 1};  // stride 0: every row is the same 3 elements
  TensorView b(data.data(), DType::bf16, shape, broadcast, DeviceId::cpu());
  EXPECT_EQ(b.storage_bytes(), 3u * 2u);
  EXPECT_FALSE(b.is_contiguous());
  // Size-1 dimensions may have any stride (PyTorch's rule).
  const std::int64_t s1[] = {1, 3};
  const std::int64_t odd[] = {99, 1};
  EXPECT_TRUE(TensorView(data.data(), DType::bf16, s1, odd, DeviceId::cpu()).is_contiguous());
}

TEST(TensorView, EmptyAndScalarTensors) {
  TensorView empty(nullptr, DType::i8, {0, 5}, DeviceId::cpu());
  EXPECT_EQ(empty.numel(), 0);
  EXPECT_EQ(empty.storage_bytes(), 0u);
  int x = 7;
  TensorView scalar(&x, DType::i32, std::span<const std::int64_t>{}, DeviceId::cpu());
  EXPECT_EQ(scalar.rank(), 0);
  EXPECT_EQ(scalar.numel(), 1);
  EXPECT_EQ(scalar.storage_bytes(), 4u);
}

TEST(TensorView, RejectsBadShapes) {
  EXPECT_THROW(TensorView(nullptr, DType::f32, {2, -1}, DeviceId::cpu()), UserError);
  const std::vector<std::int64_t> big(kMaxRank + 1, 1);
  try {
    TensorView(nullptr, DType::f32, big, DeviceId::cpu());
    ADD_FAILURE();
  } catch (const UserError& e) {
    EXPECT_THAT(e.what(), HasSubstr("rank <= 8"));
  }
  const std::int64_t shape[] = {2, 2};
  const std::int64_t one_stride[] = {1};
  const std::int64_t negative[] = {-2, 1};
  EXPECT_THROW(TensorView(nullptr, DType::f32, shape, one_stride, DeviceId::cpu()), UserError);
  EXPECT_THROW(TensorView(nullptr, DType::f32, shape, negative, DeviceId::cpu()), UserError);
  TensorView ok(nullptr, DType::f32, shape, DeviceId::cpu());
  EXPECT_THROW(ok.size(2), UserError);
}

TEST(Tensor, EmptyOwnsDeviceMemoryAndCopiesShareIt) {
  init();
  Device cpu = open_device("cpu");
  Tensor t = Tensor::empty(cpu, DType::f16, {3, 5});
  ASSERT_NE(t.data(), nullptr);
  EXPECT_EQ(t.view().storage_bytes(), 30u);
  Tensor alias = t;
  EXPECT_EQ(alias.data(), t.data());
  EXPECT_EQ(t.owner().use_count(), 2);

  Tensor src = Tensor::empty(cpu, DType::f16, {3, 5});
  fill_pattern(src.view().bytes().sub(0, 28), 9);  // 7 whole words of the 30 bytes
  copy(t.view(), src.view());
  EXPECT_EQ(std::memcmp(t.data(), src.data(), 30), 0);
  Tensor other = Tensor::empty(cpu, DType::f32, {3, 5});
  try {
    copy(other.view(), src.view());
    ADD_FAILURE();
  } catch (const UserError& e) {
    EXPECT_THAT(e.what(), HasSubstr("differ in dtype or shape"));
  }
}

}  // namespace
}  // namespace tessera::runtime
