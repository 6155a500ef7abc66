// SPDX-License-Identifier: Apache-2.0
#include "tessera/runtime/device_id.h"

#include <charconv>

#include "tessera/error.h"

namespace tessera::runtime {

std::string_view device_kind_name(DeviceKind kind) {
  switch (kind) {
    case DeviceKind::cpu: return "cpu";
    case DeviceKind::cuda: return "cuda";
    case DeviceKind::hip: return "hip";
  }
  return "?";
}

DeviceId DeviceId::parse(std::string_view text) {
  const auto colon = text.find(':');
  const std::string_view kind_text = text.substr(0, colon);
  DeviceId id;
  if (kind_text == "cpu") {
    id.kind = DeviceKind::cpu;
  } else if (kind_text == "cuda") {
    id.kind = DeviceKind::cuda;
  } else if (kind_text == "hip") {
    id.kind = DeviceKind::hip;
  } else {
    user_error(cat("invalid device '", text,
                   "': expected cpu, cuda, cuda:N, hip or hip:N (N = 0, 1, ...)"));
  }
  if (colon == std::string_view::npos) return id;
  const std::string_view index_text = text.substr(colon + 1);
  int index = -1;
  const auto [end, ec] =
      std::from_chars(index_text.data(), index_text.data() + index_text.size(), index);
  TS_USER_CHECK(ec == std::errc() && end == index_text.data() + index_text.size() && index >= 0)
      << "invalid device '" << text << "': the index after ':' must be a non-negative integer";
  TS_USER_CHECK(id.kind != DeviceKind::cpu || index == 0)
      << "invalid device '" << text << "': there is one CPU device, spelled cpu (or cpu:0)";
  id.index = index;
  return id;
}

std::string DeviceId::str() const {
  if (kind == DeviceKind::cpu) return "cpu";
  return cat(device_kind_name(kind), ":", index);
}

}  // namespace tessera::runtime
