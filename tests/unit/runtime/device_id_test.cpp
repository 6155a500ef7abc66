// SPDX-License-Identifier: Apache-2.0
#include "tessera/runtime/device_id.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tessera/error.h"

namespace tessera::runtime {
namespace {

using ::testing::HasSubstr;

TEST(DeviceId, ParsesAndPrintsBack) {
  for (const char* s : {"cpu", "cuda:0", "cuda:3", "hip:0", "hip:12"}) {
    EXPECT_EQ(DeviceId::parse(s).str(), s);
  }
  EXPECT_EQ(DeviceId::parse("cuda"), (DeviceId{DeviceKind::cuda, 0}));
  EXPECT_EQ(DeviceId::parse("hip:2"), (DeviceId{DeviceKind::hip, 2}));
  EXPECT_EQ(DeviceId::parse("cpu:0"), DeviceId::cpu());
  EXPECT_FALSE(DeviceId::cpu().is_gpu());
  EXPECT_TRUE(DeviceId::parse("hip:1").is_gpu());
}

TEST(DeviceId, RejectsMalformedSpellingsWithTheValidForms) {
  for (const char* s : {"gpu:0", "cuda:", "cuda:-1", "cuda:1x", "CUDA:0", "cpu:1", ""}) {
    try {
      DeviceId::parse(s);
      ADD_FAILURE() << "accepted '" << s << "'";
    } catch (const UserError& e) {
      EXPECT_THAT(e.what(), HasSubstr(std::string("'") + s + "'"));
    }
  }
  try {
    DeviceId::parse("tpu:0");
  } catch (const UserError& e) {
    EXPECT_THAT(e.what(), HasSubstr("cpu, cuda, cuda:N, hip or hip:N"));
  }
}

TEST(DeviceId, HashesDistinctDevicesDifferently) {
  std::hash<DeviceId> h;
  EXPECT_NE(h(DeviceId::parse("cuda:0")), h(DeviceId::parse("hip:0")));
  EXPECT_NE(h(DeviceId::parse("cuda:0")), h(DeviceId::parse("cuda:1")));
}

}  // namespace
}  // namespace tessera::runtime
