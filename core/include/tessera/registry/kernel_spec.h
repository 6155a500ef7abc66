// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// `KernelSpec`: everything `register_kernel` needs about one op, as vLLM's `register_kernel`
/// takes it (the Helion function, `config_picker`, `input_generator`, the baseline), arranged
/// as [CuTe] CUTLASS's library entries: description (name, signature, definition),
/// configuration (the picker and the config files) and arguments (`bind`, cheap per call).
///
/// Per call the registry runs `bind` (validate the arguments and map them onto the variant
/// kernel), finds or traces the variant (`define`, once per variant), runs the picker (once per
/// argument shape), and launches the kernel compiled for (device, picked key, specialization).

#include <array>
#include <cstdint>
#include <functional>
#include <new>
#include <optional>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

#include "tessera/error.h"
#include "tessera/ir/kernel.h"
#include "tessera/keys/case_key.h"
#include "tessera/registry/kernel_args.h"

namespace tessera::registry {

/// A small inline vector (no allocation on the dispatch path). Overflow is an internal error.
/// The storage is left uninitialized until pushed: a `Binding` is built on every call, and
/// value-initializing its 12 tensor views (~1.8 KB) was a measurable part of the call's cost.
template <typename T, std::size_t N>
class InlineVec {
  static_assert(std::is_trivially_copyable_v<T> && std::is_trivially_destructible_v<T>,
                "InlineVec holds plain values (no destructor runs)");

 public:
  InlineVec() {}  // NOLINT: storage deliberately uninitialized
  void push_back(const T& v) {
    TS_INTERNAL_CHECK(size_ < N) << "InlineVec capacity " << N << " exceeded";
    new (&store_.data[size_++]) T(v);
  }
  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  const T& operator[](std::size_t i) const { return store_.data[i]; }
  T& operator[](std::size_t i) { return store_.data[i]; }
  std::span<const T> span() const { return {store_.data, size_}; }
  const T* begin() const { return store_.data; }
  const T* end() const { return store_.data + size_; }

 private:
  union Store {
    Store() {}  // NOLINT: no element is constructed before push_back
    T data[N];
  } store_;
  std::size_t size_ = 0;
};

/// How one call maps onto its variant kernel; filled by `KernelSpec::bind`.
struct Binding {
  /// Identifies the variant kernel: dtypes, which optional arguments are present, mode flags
  /// (e.g. `{int(input.dtype), has_residual, is_int8}`). Equal codes, equal kernel.
  InlineVec<std::int64_t, 8> variant;
  /// The shape tuple the picker's result is cached under (vLLM's `_pick_cache` key, e.g.
  /// `(num_tokens, hidden_size)`): everything the picker reads.
  InlineVec<std::int64_t, 8> pick_shape;
  /// The tensors in the variant kernel's parameter order: its inputs, then its outputs.
  InlineVec<runtime::TensorView, 12> tensors;
  /// The scalar arguments in the variant kernel's scalar order.
  InlineVec<double, 8> scalars;
};

/// vLLM's config picker: the call's arguments and the platform's keys (sorted by canonical
/// string, default key included) -> the chosen key, or `std::nullopt` to fall back to the
/// default key. Must be a pure function of what `Binding::pick_shape` holds.
using ConfigPicker = std::function<std::optional<CaseKey>(KernelArgs args, std::span<const CaseKey> keys)>;

/// vLLM's input generator, made lazy: the case keys, and the host arguments of one case
/// (random data from `seed`, the dtypes and shapes vLLM's `generate_inputs` uses).
struct InputGenerator {
  std::function<std::vector<CaseKey>()> keys;
  std::function<HostArgs(const CaseKey& key, std::uint64_t seed)> make;
  explicit operator bool() const { return keys && make; }
};

/// How one mutated argument is compared with the reference.
struct OutputCheck {
  std::size_t arg = 0;  ///< index in the signature
  /// Largest allowed distance in units in the last place of the argument's dtype (fp8, int8,
  /// bf16, f16: adjacent representable values; f32: float ULPs). Negative: not checked in ULPs.
  double max_ulp = 1;
  /// Largest allowed relative error |got - want| / max(|want|, tiny) (for f32 scales, 1e-6).
  /// Negative: not checked relatively. An element passes if any of the bounds holds.
  double max_rel = -1;
  /// A relative bound counted in steps of an intermediate dtype: |got - want| <= rel_ulps * eps *
  /// |want|, eps = 2^(1-p) of `precision_of`'s dtype (p significand bits: one step of a value
  /// rounded to that dtype is at most eps relative). For results derived from a value rounded
  /// to the input dtype, which an f32 difference of one ULP may round the other way. Negative: none.
  double rel_ulps = -1;
  /// An absolute floor for results that cancel to near zero: |got - want| <= floor_ulps * eps *
  /// (the largest |want| of the element's row, its last dimension), eps as above. A rounding
  /// error of terms of the row's size is many ULPs of a result near 0. Negative: none.
  double floor_ulps = -1;
  /// The argument (index in the signature, a tensor) whose dtype gives eps; none: f32, the
  /// ops' arithmetic.
  std::optional<std::size_t> precision_of = std::nullopt;
  /// The floor's "row" as groups of this many consecutive elements of the last dimension: the
  /// index of an int argument holding the group length (e.g. head_dim, where one row holds many
  /// heads of unrelated magnitudes); none: the whole last dimension.
  std::optional<std::size_t> floor_group_of = std::nullopt;
};

/// Bytes moved and floating-point operations of one call, for GB/s and TFLOP/s.
struct Work {
  double bytes = 0;
  double flops = 0;
};

/// Everything `register_kernel` takes.
struct KernelSpec {
  /// Unique name: the config folder (`configs/<name>/`) and the generic call's name.
  std::string name;
  /// One line for listings.
  std::string summary;
  /// The op's positional parameters.
  std::vector<ArgSpec> signature;
  /// Validates a call (shapes, dtypes, strides; throws `UserError` naming the argument and the
  /// expected value) and fills the binding. Runs on every call: keep it cheap and allocation free.
  std::function<void(KernelArgs args, Binding& binding)> bind;
  /// Traces the variant kernel for `binding.variant` with the tile language. Called once per
  /// variant (the registry caches the result); its tensors must be in `Binding::tensors` order.
  std::function<ir::Kernel(const Binding& binding)> define;
  /// Chooses the tuned case for a call (see picker.h for vLLM's building blocks).
  ConfigPicker picker;
  /// Optional: the cases `tessera run` and the tuner use.
  InputGenerator inputs;
  /// The float64 reference: computes every mutated argument of `args` in place, in double
  /// precision with the op's defined roundings (the oracle for every backend).
  std::function<void(HostArgs& args)> reference;
  /// The mutated arguments the reference checks, and their tolerances.
  std::vector<OutputCheck> checks;
  /// Optional: bytes and flops of a call on `args` (for throughput figures).
  std::function<Work(const HostArgs& args)> work;
};

}  // namespace tessera::registry
