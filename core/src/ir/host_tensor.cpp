// SPDX-License-Identifier: Apache-2.0
#include "tessera/ir/host_tensor.h"

#include <cstring>
#include <limits>

#include "tessera/error.h"
#include "tessera/numeric/float_formats.h"

namespace tessera::ir {

HostTensor HostTensor::zeros(DType dtype, std::vector<std::int64_t> shape) {
  std::vector<std::int64_t> strides(shape.size());
  std::int64_t s = 1;
  for (std::size_t i = shape.size(); i-- > 0;) {
    strides[i] = s;
    s *= shape[i];
  }
  return strided(dtype, std::move(shape), std::move(strides));
}

HostTensor HostTensor::strided(DType dtype, std::vector<std::int64_t> shape, std::vector<std::int64_t> strides) {
  TS_USER_CHECK(shape.size() == strides.size()) << "HostTensor: shape and strides differ in length";
  std::int64_t span = 1;
  for (std::size_t i = 0; i < shape.size(); ++i) {
    TS_USER_CHECK(shape[i] >= 0 && strides[i] >= 0) << "HostTensor: negative size or stride";
    if (shape[i] == 0) span = 0;
  }
  if (span != 0)
    for (std::size_t i = 0; i < shape.size(); ++i) span += (shape[i] - 1) * strides[i];
  HostTensor t;
  t.dtype = dtype;
  t.shape = std::move(shape);
  t.strides = std::move(strides);
  t.storage.assign(static_cast<std::size_t>(span * dtype_size(dtype)), std::byte{0});
  return t;
}

std::int64_t HostTensor::numel() const {
  std::int64_t n = 1;
  for (auto s : shape) n *= s;
  return n;
}

std::int64_t HostTensor::offset(const std::vector<std::int64_t>& index) const {
  TS_INTERNAL_CHECK(index.size() == shape.size()) << "HostTensor index rank";
  std::int64_t off = 0;
  for (std::size_t i = 0; i < index.size(); ++i) {
    TS_INTERNAL_CHECK(index[i] >= 0 && index[i] < shape[i]) << "HostTensor index out of bounds";
    off += index[i] * strides[i];
  }
  return off;
}

namespace {
template <typename T>
T read_as(const std::vector<std::byte>& s, std::int64_t off) {
  T v;
  std::memcpy(&v, s.data() + off * static_cast<std::int64_t>(sizeof(T)), sizeof(T));
  return v;
}
template <typename T>
void write_as(std::vector<std::byte>& s, std::int64_t off, T v) {
  std::memcpy(s.data() + off * static_cast<std::int64_t>(sizeof(T)), &v, sizeof(T));
}
}  // namespace

double HostTensor::load(std::int64_t off) const {
  namespace nf = numeric;
  switch (dtype) {
    case DType::f64: return read_as<double>(storage, off);
    case DType::f32: return read_as<float>(storage, off);
    case DType::f16: return nf::decode_float(read_as<std::uint16_t>(storage, off), nf::kF16Format);
    case DType::bf16: return nf::decode_float(read_as<std::uint16_t>(storage, off), nf::kBF16Format);
    case DType::f8e4m3fn: return nf::decode_float(read_as<std::uint8_t>(storage, off), nf::kF8E4M3FNFormat);
    case DType::f8e5m2: return nf::decode_float(read_as<std::uint8_t>(storage, off), nf::kF8E5M2Format);
    case DType::i64: return static_cast<double>(read_as<std::int64_t>(storage, off));
    case DType::i32: return read_as<std::int32_t>(storage, off);
    case DType::i8: return read_as<std::int8_t>(storage, off);
    case DType::u8: return read_as<std::uint8_t>(storage, off);
    case DType::boolean: return read_as<std::uint8_t>(storage, off) != 0 ? 1.0 : 0.0;
  }
  return 0;
}

void HostTensor::store(std::int64_t off, double v) {
  namespace nf = numeric;
  switch (dtype) {
    case DType::f64: write_as<double>(storage, off, v); return;
    case DType::f32: write_as<float>(storage, off, static_cast<float>(v)); return;
    case DType::f16: write_as<std::uint16_t>(storage, off, nf::f16_from_double(v)); return;
    case DType::bf16: write_as<std::uint16_t>(storage, off, nf::bf16_from_double(v)); return;
    case DType::f8e4m3fn: write_as<std::uint8_t>(storage, off, nf::f8e4m3fn_from_double(v)); return;
    case DType::f8e5m2: write_as<std::uint8_t>(storage, off, nf::f8e5m2_from_double(v)); return;
    case DType::i64:
      write_as<std::int64_t>(storage, off, nf::int_from_double(v, std::numeric_limits<std::int64_t>::min(),
                                                                std::numeric_limits<std::int64_t>::max()));
      return;
    case DType::i32:
      write_as<std::int32_t>(storage, off, static_cast<std::int32_t>(nf::int_from_double(v, INT32_MIN, INT32_MAX)));
      return;
    case DType::i8: write_as<std::int8_t>(storage, off, static_cast<std::int8_t>(nf::int_from_double(v, -128, 127))); return;
    case DType::u8: write_as<std::uint8_t>(storage, off, static_cast<std::uint8_t>(nf::int_from_double(v, 0, 255))); return;
    case DType::boolean: write_as<std::uint8_t>(storage, off, v != 0 ? 1 : 0); return;
  }
}

void HostTensor::fill_bytes(unsigned char byte) { std::memset(storage.data(), byte, storage.size()); }

}  // namespace tessera::ir
