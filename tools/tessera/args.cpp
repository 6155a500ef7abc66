// SPDX-License-Identifier: Apache-2.0
#include "args.h"

#include "tessera/error.h"

namespace tessera::tool {

namespace {
std::string known_options(const std::set<std::string>& valued, const std::set<std::string>& flags) {
  std::string s;
  for (const auto& v : valued) s += (s.empty() ? "" : ", ") + v + " VALUE";
  for (const auto& f : flags) s += (s.empty() ? "" : ", ") + f;
  return s.empty() ? "none" : s;
}
}  // namespace

Args::Args(const std::string& command, const std::vector<std::string>& argv,
           const std::set<std::string>& valued, const std::set<std::string>& flags)
    : command_(command) {
  for (std::size_t i = 0; i < argv.size(); ++i) {
    const std::string& a = argv[i];
    if (a.size() < 2 || a.compare(0, 2, "--") != 0 || a == "--") {
      positional_.push_back(a);
      continue;
    }
    std::string name = a;
    std::optional<std::string> inline_value;
    if (auto eq = a.find('='); eq != std::string::npos) {
      name = a.substr(0, eq);
      inline_value = a.substr(eq + 1);
    }
    if (flags.count(name)) {
      TS_USER_CHECK(!inline_value) << "tessera " << command_ << ": option " << name
                                   << " takes no value (got '" << a << "')";
      flags_.insert(name);
    } else if (valued.count(name)) {
      if (inline_value) {
        values_[name].push_back(*inline_value);
      } else {
        TS_USER_CHECK(i + 1 < argv.size())
            << "tessera " << command_ << ": option " << name << " needs a value";
        values_[name].push_back(argv[++i]);
      }
    } else {
      TS_USER_CHECK(false) << "tessera " << command_ << ": unknown option '" << name
                           << "'; known options: " << known_options(valued, flags);
    }
  }
}

std::optional<std::string> Args::value(const std::string& name) const {
  auto it = values_.find(name);
  if (it == values_.end() || it->second.empty()) return std::nullopt;
  return it->second.back();
}

std::vector<std::string> Args::values(const std::string& name) const {
  auto it = values_.find(name);
  return it == values_.end() ? std::vector<std::string>{} : it->second;
}

void Args::expect_positional(std::size_t min, std::size_t max, const std::string& what) const {
  TS_USER_CHECK(positional_.size() >= min && positional_.size() <= max)
      << "tessera " << command_ << ": expected " << what << ", got " << positional_.size()
      << " positional argument(s)";
}

}  // namespace tessera::tool
