// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// Zero-copy interop with DLPack (dmlc/dlpack, Debian's libdlpack-dev), the way PyTorch
/// (`torch.utils.dlpack`), JAX and CuPy exchange tensors. Both directions keep the data where
/// it is; only the description is translated.
///
/// Mapping: devices kDLCPU, kDLCUDAHost and kDLROCMHost -> `cpu`; kDLCUDA -> `cuda:N`;
/// kDLROCM -> `hip:N`. Dtypes: every Tessera dtype; `bool` uses kDLBool (code 6) and the fp8
/// formats kDLFloat8_e4m3fn (10) / kDLFloat8_e5m2 (12). Those codes were added after DLPack
/// 0.6 (Debian 12's header) with fixed numbers, so they are written as numbers here and work
/// with producers built against newer headers. Vector lanes other than 1 are rejected.

#include <dlpack/dlpack.h>

#include "tessera/runtime/tensor.h"

namespace tessera::runtime {

/// A view of a DLTensor's data (no copy, no ownership: the producer keeps it alive).
/// `byte_offset` is folded into the data pointer; null strides mean contiguous. Throws
/// `UserError` for an unsupported dtype, device type, lane count or rank, naming the value.
TensorView from_dlpack(const DLTensor& tensor);

/// Takes ownership of a DLManagedTensor: the returned tensor calls its deleter when the last
/// copy is destroyed (exactly once; also if this function throws). `managed` must not be used
/// by the caller afterwards. Null is a `UserError`.
Tensor from_dlpack(DLManagedTensor* managed);

/// Exports a tensor: the result shares ownership of the memory with `tensor` and carries its
/// own shape/strides arrays. The consumer must call `result->deleter(result)` exactly once
/// (PyTorch's `from_dlpack` does); until then the memory stays alive.
DLManagedTensor* to_dlpack(const Tensor& tensor);

/// A borrowed DLTensor describing `view`: its shape/strides point into `view`, so `view` must
/// outlive the result and stay unmodified. For passing to C APIs that take a `DLTensor*`.
DLTensor as_dltensor(const TensorView& view);

}  // namespace tessera::runtime
