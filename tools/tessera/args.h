// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// A small, strict command-line argument reader for the `tessera` tool: `--name value`,
/// `--name=value`, boolean `--flag`, and positional arguments. Unknown options are errors that
/// list the known ones.

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace tessera::tool {

class Args {
 public:
  /// `valued`: options that take a value (may repeat); `flags`: boolean options.
  /// Throws `UserError` naming `command` on an unknown option or a missing value.
  Args(const std::string& command, const std::vector<std::string>& argv,
       const std::set<std::string>& valued, const std::set<std::string>& flags);

  bool flag(const std::string& name) const { return flags_.count(name) != 0; }
  /// The last value given for `name`, if any.
  std::optional<std::string> value(const std::string& name) const;
  /// Every value given for a repeatable option, in order.
  std::vector<std::string> values(const std::string& name) const;
  const std::vector<std::string>& positional() const { return positional_; }
  /// Throws `UserError` unless the positional count is in [min, max].
  void expect_positional(std::size_t min, std::size_t max, const std::string& what) const;

 private:
  std::string command_;
  std::map<std::string, std::vector<std::string>> values_;
  std::set<std::string> flags_;
  std::vector<std::string> positional_;
};

}  // namespace tessera::tool
