// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// The two error families of Tessera ([Halide] user_assert / internal_assert).
///
/// * `UserError`: the caller gave bad input (a malformed config file, an unknown platform, a
///   tensor of the wrong dtype). The message says what was called, what is wrong, and how to fix
///   it; it names the file, field, kernel or platform involved.
/// * `InternalError`: a Tessera bug. The message carries the source location of the check.
///
/// Checks are written as streams so messages are cheap to build only on failure:
/// \code
///   TS_USER_CHECK(n > 0) << "block_sizes[" << i << "] must be positive, got " << n;
/// \endcode

#include <sstream>
#include <stdexcept>
#include <string>

namespace tessera {

/// Bad input from the user of the library or the tool. Fix the input, not Tessera.
class UserError : public std::runtime_error {
 public:
  explicit UserError(const std::string& msg) : std::runtime_error(msg) {}
};

/// A broken invariant inside Tessera: report it as a bug.
class InternalError : public std::logic_error {
 public:
  explicit InternalError(const std::string& msg) : std::logic_error(msg) {}
};

namespace detail {

/// Collects a message with `<<` and throws `E` when destroyed. Used only through the TS_*_CHECK
/// macros, whose `for`-loop form makes the object live exactly for the streaming expression.
template <typename E>
class ErrorBuilder {
 public:
  ErrorBuilder(const char* prefix) { os_ << prefix; }
  ErrorBuilder(const ErrorBuilder&) = delete;
  ErrorBuilder& operator=(const ErrorBuilder&) = delete;
  // Throwing from a destructor is deliberate: the builder is a temporary whose only job is to
  // throw once the message is complete.
  ~ErrorBuilder() noexcept(false) { throw E(os_.str()); }
  template <typename T>
  ErrorBuilder& operator<<(const T& v) {
    os_ << v;
    return *this;
  }

 private:
  std::ostringstream os_;
};

std::string internal_prefix(const char* file, int line, const char* cond);

}  // namespace detail

/// Concatenates the stream representations of `args` (for messages built outside TS_*_CHECK).
template <typename... Args>
std::string cat(const Args&... args) {
  std::ostringstream os;
  (os << ... << args);
  return os.str();
}

/// Throws `UserError(msg)`; for code paths that end in an error (no condition to check).
[[noreturn]] inline void user_error(const std::string& msg) { throw UserError(msg); }
}  // namespace tessera

/// Throws `tessera::UserError` with the streamed message when `cond` is false.
#define TS_USER_CHECK(cond) \
  if (cond) {               \
  } else                    \
    ::tessera::detail::ErrorBuilder<::tessera::UserError>("")


/// Throws `tessera::InternalError` (file, line, condition, message) when `cond` is false.
#define TS_INTERNAL_CHECK(cond)                                       \
  if (cond) {                                                         \
  } else                                                              \
    ::tessera::detail::ErrorBuilder<::tessera::InternalError>(        \
        ::tessera::detail::internal_prefix(__FILE__, __LINE__, #cond).c_str())
