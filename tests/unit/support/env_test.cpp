// SPDX-License-Identifier: Apache-2.0
#include "tessera/support/env.h"

#include <gtest/gtest.h>

#include <cstdlib>

#include "tessera/error.h"

namespace tessera::env {
namespace {

TEST(Env, DeclaredVariablesReadAndUndeclaredAreInternalErrors) {
  ::setenv("TESSERA_CXX", "g++-12", 1);
  EXPECT_EQ(get("TESSERA_CXX"), "g++-12");
  EXPECT_NE(cache_affecting_values().find("TESSERA_CXX=g++-12\n"), std::string::npos);
  ::setenv("TESSERA_CXX", "", 1);
  EXPECT_FALSE(get("TESSERA_CXX").has_value());
  ::unsetenv("TESSERA_CXX");
  EXPECT_THROW(get("TESSERA_NOT_DECLARED"), InternalError);
  // Neutral variables never enter cache keys.
  ::setenv("TESSERA_PLATFORM", "nvidia_h100", 1);
  EXPECT_EQ(cache_affecting_values().find("TESSERA_PLATFORM"), std::string::npos);
  ::unsetenv("TESSERA_PLATFORM");
}

}  // namespace
}  // namespace tessera::env
