// SPDX-License-Identifier: Apache-2.0
#include "tessera/cache/cache_key.h"

#include "tessera/cache/sha256.h"
#include "tessera/support/env.h"

#ifndef TS_LIBRARY_VERSION
#error "TS_LIBRARY_VERSION must be defined by core/src/cache/CMakeLists.txt"
#endif

namespace tessera::cache {

const char* library_version() { return TS_LIBRARY_VERSION; }

CacheKey make_cache_key(const CacheKeyInputs& inputs) {
  CacheKey key;
  key.backend = inputs.backend;
  key.target = inputs.target;
  key.codegen_version = inputs.codegen_version;
  key.compiler_identity = inputs.compiler_identity;
  key.options = inputs.options;
  key.header_hash = inputs.header_hash;
  key.env_values = env::cache_affecting_values();
  key.library_version = library_version();

  Sha256 h;
  h.field("schema", std::to_string(kCacheSchema));
  h.field("backend", key.backend);
  h.field("target", key.target);
  h.field("source", inputs.source);
  h.field("codegen_version", key.codegen_version);
  h.field("compiler", key.compiler_identity);
  h.field("num_options", std::to_string(key.options.size()));
  for (const std::string& o : key.options) h.field("option", o);
  h.field("header_hash", key.header_hash);
  h.field("env", key.env_values);
  h.field("library_version", key.library_version);
  key.hex = h.hex_digest();
  return key;
}

}  // namespace tessera::cache
