// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// How `tessera run` and `tessera demo` report one op case: the one-line error summary and the
/// JSON record (`--json`), so both commands print results the same way.

#include <string>

#include "ops/harness.h"
#include "tessera/support/python_json.h"

namespace tessera::tool {

/// "out:0ulp scale:1ulp(FAIL)" — the largest error of each checked output; "-" when unchecked.
std::string error_summary(const ops::CaseResult& r);

/// The JSON record of one case run of `op` on `device` (case key, route, config, time, rates,
/// and per-output errors when checked).
json::Json case_result_json(const std::string& op, const std::string& device, const ops::CaseResult& r);

}  // namespace tessera::tool
