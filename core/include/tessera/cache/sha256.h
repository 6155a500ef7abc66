// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// SHA-256 digests for JIT cache keys and cache-entry integrity checks, computed by OpenSSL's
/// libcrypto (never a hand-written implementation).

#include <string>
#include <string_view>

namespace tessera::cache {

/// Lower-case hex SHA-256 (64 characters) of `data`. Thread-safe.
std::string sha256_hex(std::string_view data);

/// Incremental SHA-256 for inputs built from several parts. Not thread-safe (one per thread).
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  /// Appends raw bytes.
  Sha256& update(std::string_view data);
  /// Appends `name` and `value` with their lengths, so that no two different (name, value)
  /// sequences hash the same text ("ab"+"c" vs "a"+"bc").
  Sha256& field(std::string_view name, std::string_view value);
  /// Lower-case hex digest; the hasher cannot be updated afterwards.
  std::string hex_digest();

 private:
  struct Impl;
  Impl* impl_;
};

}  // namespace tessera::cache
