// SPDX-License-Identifier: Apache-2.0
#include "tessera/runtime/dlpack.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <vector>

#include "tessera/error.h"
#include "tessera/runtime/registry.h"

namespace tessera::runtime {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

DLTensor make_dl(void* data, DLDevice device, DLDataType dtype, std::vector<std::int64_t>& shape,
                 std::int64_t* strides = nullptr, std::uint64_t byte_offset = 0) {
  DLTensor t{};
  t.data = data;
  t.device = device;
  t.ndim = static_cast<std::int32_t>(shape.size());
  t.dtype = dtype;
  t.shape = shape.data();
  t.strides = strides;
  t.byte_offset = byte_offset;
  return t;
}

TEST(DLPack, ImportsWithoutCopyingAndFoldsTheByteOffset) {
  std::vector<float> data(32);
  std::vector<std::int64_t> shape{4, 6};
  std::int64_t strides[] = {8, 1};  // a 4x6 window of a 4x8 array
  DLTensor dl = make_dl(data.data(), {kDLCPU, 0}, {kDLFloat, 32, 1}, shape, strides, 8);
  TensorView v = from_dlpack(dl);
  EXPECT_EQ(v.data(), data.data() + 2);
  EXPECT_EQ(v.dtype(), DType::f32);
  EXPECT_THAT(v.shape(), ElementsAre(4, 6));
  EXPECT_THAT(v.strides(), ElementsAre(8, 1));
  EXPECT_FALSE(v.is_contiguous());
  // Null strides mean row-major.
  dl.strides = nullptr;
  EXPECT_THAT(from_dlpack(dl).strides(), ElementsAre(6, 1));
}

TEST(DLPack, MapsDevices) {
  std::vector<std::int64_t> shape{1};
  int x = 0;
  auto device_of = [&](DLDevice d) {
    return from_dlpack(make_dl(&x, d, {kDLInt, 32, 1}, shape)).device();
  };
  EXPECT_EQ(device_of({kDLCPU, 0}), DeviceId::cpu());
  EXPECT_EQ(device_of({kDLCUDAHost, 0}), DeviceId::cpu());
  EXPECT_EQ(device_of({kDLROCMHost, 0}), DeviceId::cpu());
  EXPECT_EQ(device_of({kDLCUDA, 3}), DeviceId::parse("cuda:3"));
  EXPECT_EQ(device_of({kDLROCM, 1}), DeviceId::parse("hip:1"));
  try {
    device_of({kDLVulkan, 0});
    ADD_FAILURE();
  } catch (const UserError& e) {
    EXPECT_THAT(e.what(), HasSubstr("device type 7"));
  }
}

TEST(DLPack, EveryDTypeRoundTripsWithDLPackCodes) {
  // (dtype, code, bits) as DLPack 1.1 and PyTorch spell them.
  const std::vector<std::tuple<DType, int, int>> table = {
      {DType::f64, kDLFloat, 64},   {DType::f32, kDLFloat, 32},  {DType::f16, kDLFloat, 16},
      {DType::bf16, kDLBfloat, 16}, {DType::f8e4m3fn, 10, 8},    {DType::f8e5m2, 12, 8},
      {DType::i64, kDLInt, 64},     {DType::i32, kDLInt, 32},    {DType::i8, kDLInt, 8},
      {DType::u8, kDLUInt, 8},      {DType::boolean, 6, 8}};
  ASSERT_EQ(table.size(), std::size_t(kNumDTypes));
  std::vector<std::int64_t> shape{2};
  char storage[16] = {};
  for (auto [dtype, code, bits] : table) {
    TensorView v(storage, dtype, {2}, DeviceId::cpu());
    DLTensor out = as_dltensor(v);
    EXPECT_EQ(out.dtype.code, code) << dtype_name(dtype);
    EXPECT_EQ(out.dtype.bits, bits) << dtype_name(dtype);
    EXPECT_EQ(out.dtype.lanes, 1);
    DLDataType in{static_cast<std::uint8_t>(code), static_cast<std::uint8_t>(bits), 1};
    EXPECT_EQ(from_dlpack(make_dl(storage, {kDLCPU, 0}, in, shape)).dtype(), dtype);
  }
  EXPECT_THROW(from_dlpack(make_dl(storage, {kDLCPU, 0}, {kDLFloat, 32, 4}, shape)), UserError);
  EXPECT_THROW(from_dlpack(make_dl(storage, {kDLCPU, 0}, {kDLComplex, 64, 1}, shape)), UserError);
  EXPECT_THROW(from_dlpack(make_dl(storage, {kDLCPU, 0}, {kDLUInt, 16, 1}, shape)), UserError);
}

/// A producer's managed tensor that counts deleter calls.
struct Producer {
  std::vector<double> data = std::vector<double>(6, 1.5);
  std::vector<std::int64_t> shape{2, 3};
  int deletes = 0;
  DLManagedTensor managed{};
  DLManagedTensor* export_it(DLDataType dtype = {kDLFloat, 64, 1}) {
    managed.dl_tensor = make_dl(data.data(), {kDLCPU, 0}, dtype, shape);
    managed.manager_ctx = this;
    managed.deleter = [](DLManagedTensor* self) {
      ++static_cast<Producer*>(self->manager_ctx)->deletes;
    };
    return &managed;
  }
};

TEST(DLPack, ManagedImportCallsTheDeleterOnceWhenTheLastCopyGoes) {
  Producer p;
  {
    Tensor t = from_dlpack(p.export_it());
    EXPECT_EQ(t.data(), p.data.data());
    Tensor copy = t;
    EXPECT_EQ(p.deletes, 0);
  }
  EXPECT_EQ(p.deletes, 1);
  // A rejected tensor is still released, exactly once.
  Producer q;
  EXPECT_THROW(from_dlpack(q.export_it({kDLComplex, 128, 1})), UserError);
  EXPECT_EQ(q.deletes, 1);
  EXPECT_THROW(from_dlpack(static_cast<DLManagedTensor*>(nullptr)), UserError);
}

TEST(DLPack, ExportSharesMemoryUntilTheConsumerDeletes) {
  init();
  std::weak_ptr<void> weak;
  DLManagedTensor* m = nullptr;
  {
    Tensor t = Tensor::empty(open_device("cpu"), DType::i32, {2, 5});
    static_cast<std::int32_t*>(t.data())[7] = 42;
    weak = t.owner();
    m = to_dlpack(t);
  }
  ASSERT_FALSE(weak.expired()) << "the export must keep the memory alive";
  EXPECT_EQ(m->dl_tensor.ndim, 2);
  EXPECT_EQ(m->dl_tensor.shape[0], 2);
  EXPECT_EQ(m->dl_tensor.shape[1], 5);
  EXPECT_EQ(m->dl_tensor.strides[0], 5);
  EXPECT_EQ(m->dl_tensor.device.device_type, kDLCPU);
  EXPECT_EQ(static_cast<std::int32_t*>(m->dl_tensor.data)[7], 42);
  // Round trip: importing our own export is zero-copy too.
  Tensor back = from_dlpack(m);
  EXPECT_EQ(static_cast<std::int32_t*>(back.data())[7], 42);
  back = Tensor();
  EXPECT_TRUE(weak.expired()) << "the consumer's deleter must release the memory";
}

}  // namespace
}  // namespace tessera::runtime
