// SPDX-License-Identifier: Apache-2.0
#include "run_report.h"

#include <cmath>
#include <sstream>

namespace tessera::tool {

std::string error_summary(const ops::CaseResult& r) {
  if (!r.checked) return "-";
  std::ostringstream os;
  for (const ops::OutputError& e : r.errors)
    os << (os.tellp() > 0 ? " " : "") << e.arg << ":" << e.max_ulp << "ulp" << (e.pass ? "" : "(FAIL)");
  return os.str();
}

json::Json case_result_json(const std::string& op, const std::string& device, const ops::CaseResult& r) {
  json::Json j = json::Json::object();
  j["op"] = op;
  j["device"] = device;
  j["case"] = r.case_key.to_json();
  j["platform"] = r.route.platform;
  j["picked_key"] = r.route.key.to_json();
  j["default_fallback"] = r.route.fell_back_to_default;
  j["config"] = r.route.config.to_json();
  j["time_us"] = r.time_ms * 1e3;
  j["gbps"] = r.gbps;
  j["tflops"] = r.tflops;
  if (r.checked) {
    j["pass"] = r.pass;
    json::Json errors = json::Json::array();
    for (const ops::OutputError& e : r.errors) {
      json::Json x = json::Json::object();
      x["arg"] = e.arg;
      // JSON has no infinity: a NaN where the reference has a number is reported as "inf".
      x["max_ulp"] = std::isfinite(e.max_ulp) ? json::Json(e.max_ulp) : json::Json("inf");
      x["max_rel"] = std::isfinite(e.max_rel) ? json::Json(e.max_rel) : json::Json("inf");
      x["mismatches"] = e.mismatches;
      errors.push_back(std::move(x));
    }
    j["errors"] = std::move(errors);
  }
  return j;
}

}  // namespace tessera::tool
