// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// The tile language: include this to write kernels (builder.h has an example).

#include "tessera/lang/builder.h"
#include "tessera/lang/ops.h"
#include "tessera/lang/tensor_ref.h"
#include "tessera/lang/value.h"
