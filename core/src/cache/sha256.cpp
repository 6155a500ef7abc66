// SPDX-License-Identifier: Apache-2.0
#include "tessera/cache/sha256.h"

#include <openssl/evp.h>

#include <string>

#include "tessera/error.h"

namespace tessera::cache {

namespace {
std::string to_hex(const unsigned char* digest, unsigned int n) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(2 * n, '0');
  for (unsigned int i = 0; i < n; ++i) {
    out[2 * i] = kDigits[digest[i] >> 4];
    out[2 * i + 1] = kDigits[digest[i] & 15];
  }
  return out;
}
}  // namespace

struct Sha256::Impl {
  EVP_MD_CTX* ctx = nullptr;
  bool finished = false;
};

std::string sha256_hex(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  TS_INTERNAL_CHECK(EVP_Digest(data.data(), data.size(), digest, &n, EVP_sha256(), nullptr) == 1)
      << "OpenSSL EVP_Digest(sha256) failed";
  return to_hex(digest, n);
}

Sha256::Sha256() : impl_(new Impl) {
  impl_->ctx = EVP_MD_CTX_new();
  TS_INTERNAL_CHECK(impl_->ctx != nullptr && EVP_DigestInit_ex(impl_->ctx, EVP_sha256(), nullptr) == 1)
      << "OpenSSL EVP_DigestInit_ex(sha256) failed";
}

Sha256::~Sha256() {
  EVP_MD_CTX_free(impl_->ctx);
  delete impl_;
}

Sha256& Sha256::update(std::string_view data) {
  TS_INTERNAL_CHECK(!impl_->finished) << "Sha256::update after hex_digest";
  TS_INTERNAL_CHECK(EVP_DigestUpdate(impl_->ctx, data.data(), data.size()) == 1)
      << "OpenSSL EVP_DigestUpdate failed";
  return *this;
}

Sha256& Sha256::field(std::string_view name, std::string_view value) {
  // "<name>:<length>:<value>\n" is prefix-free, so field sequences cannot collide.
  const std::string length = std::to_string(value.size());
  update(name).update(":").update(length).update(":").update(value);
  return update("\n");
}

std::string Sha256::hex_digest() {
  TS_INTERNAL_CHECK(!impl_->finished) << "Sha256::hex_digest called twice";
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  TS_INTERNAL_CHECK(EVP_DigestFinal_ex(impl_->ctx, digest, &n) == 1) << "OpenSSL EVP_DigestFinal_ex failed";
  impl_->finished = true;
  return to_hex(digest, n);
}

}  // namespace tessera::cache
