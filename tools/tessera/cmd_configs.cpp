// SPDX-License-Identifier: Apache-2.0
// The `tessera configs` commands: list, show, validate, fmt and merge config files
// (configs/<kernel>/<platform>.json, vLLM's format).
#include <cstdint>
#include <filesystem>
#include <iomanip>
#include <iostream>

#include "args.h"
#include "command.h"
#include "tessera/config/config_manager.h"
#include "tessera/error.h"
#include "tessera/support/atomic_file.h"

namespace tessera::tool {

namespace {

namespace fs = std::filesystem;

ConfigManager& manager_for(const Args& args) {
  if (auto dir = args.value("--config-dir")) return ConfigManager::instance(fs::path(*dir));
  return ConfigManager::instance();
}

std::string read_existing(const std::string& path) {
  auto text = read_file_if_exists(path);
  TS_USER_CHECK(text.has_value()) << "no such file: " << path;
  return *text;
}

// Files that failed to load are warnings here: the other files are still usable.
void warn_load_problems(const ConfigSet& set) {
  for (const LoadProblem& p : set.load_problems())
    std::cerr << "warning: skipped " << p.path.string() << ":\n  " << p.message << "\n";
}

int run_list(const std::vector<std::string>& argv) {
  Args args("configs list", argv, {"--config-dir"}, {});
  args.expect_positional(0, 0, "no positional arguments");
  ConfigManager& m = manager_for(args);
  auto kernels = m.kernels();
  if (kernels.empty()) {
    std::cout << "no configs in " << m.base_dir().string() << "\n";
    return kExitOk;
  }
  std::cout << std::left << std::setw(36) << "kernel" << std::setw(22) << "platform" << std::right
            << std::setw(8) << "entries" << "  default\n";
  for (const std::string& kernel : kernels) {
    auto set = m.config_set(kernel);
    for (const std::string& platform : set->platforms()) {
      bool has_default = set->find(platform, CaseKey::default_key()) != nullptr;
      std::cout << std::left << std::setw(36) << kernel << std::setw(22) << platform << std::right
                << std::setw(8) << set->entries(platform).size() << "  "
                << (has_default ? "yes" : "no") << "\n";
    }
    warn_load_problems(*set);
  }
  return kExitOk;
}

int run_show(const std::vector<std::string>& argv) {
  Args args("configs show", argv, {"--config-dir", "--platform", "--key"}, {});
  args.expect_positional(1, 1, "one kernel name");
  ConfigManager& m = manager_for(args);
  const std::string& kernel = args.positional()[0];
  auto set = m.config_set(kernel);
  warn_load_problems(*set);
  if (set->platforms().empty() && set->load_problems().empty()) {
    std::string known;
    for (const auto& k : m.kernels()) known += (known.empty() ? "" : ", ") + k;
    user_error(cat("no configs for kernel '", kernel, "' in ", m.base_dir().string(),
                   ". Kernels with configs: ", known.empty() ? "(none)" : known));
  }
  auto platform = args.value("--platform");
  auto key_text = args.value("--key");
  TS_USER_CHECK(!key_text || platform)
      << "--key needs --platform (keys are per platform); platforms of '"
      << kernel << "': " << [&] {
           std::string s;
           for (const auto& p : set->platforms()) s += (s.empty() ? "" : ", ") + p;
           return s.empty() ? std::string("(none)") : s;
         }();
  if (!platform) {
    // Summary: every platform with its keys in the pickers' order.
    for (const std::string& p : set->platforms()) {
      std::cout << p << " (" << set->entries(p).size() << " entries)\n";
      for (const CaseKey& k : set->keys(p)) std::cout << "  " << k.canonical() << "\n";
    }
    return kExitOk;
  }
  if (!key_text) {
    // Throws the lookup error (available platforms, alias hint) for an unknown platform.
    if (!set->has_platform(*platform)) set->get(*platform, CaseKey::default_key());
    std::cout << format_config_file(set->entries(*platform));
    return kExitOk;
  }
  const Config& config = set->get(*platform, CaseKey::parse_cli(*key_text));
  std::cout << json::dumps_indented(config.to_json(), 2) << "\n";
  return kExitOk;
}

int run_validate(const std::vector<std::string>& argv) {
  Args args("configs validate", argv, {}, {});
  args.expect_positional(1, SIZE_MAX, "one or more config files");
  std::size_t bad_files = 0;
  for (const std::string& path : args.positional()) {
    std::vector<std::string> problems;
    auto text = read_file_if_exists(path);
    if (!text) {
      problems.push_back(path + ": no such file");
    } else {
      problems = check_config_file(*text, path);
      // ConfigManager only loads <kernel>/<platform>.json with lower-case valid names.
      fs::path p(path);
      try {
        TS_USER_CHECK(p.extension() == ".json") << "the file name must end in .json";
        std::string stem = p.stem().string();
        TS_USER_CHECK(normalize_platform_name(stem, "platform (file) name") == stem)
            << "platform file names are lower-case; rename it to "
            << normalize_platform_name(stem) << ".json";
      } catch (const UserError& e) {
        problems.push_back(cat(path, ": ", e.what(), " (ConfigManager would skip this file)"));
      }
    }
    for (const auto& msg : problems) std::cout << msg << "\n";
    if (problems.empty()) {
      std::cout << path << ": ok (" << parse_config_file(*text, path).size() << " entries)\n";
    } else {
      ++bad_files;
    }
  }
  if (bad_files > 0) {
    std::cerr << "tessera configs validate: " << bad_files << " of " << args.positional().size()
              << " file(s) have problems\n";
    return kExitCheckFailed;
  }
  return kExitOk;
}

int run_fmt(const std::vector<std::string>& argv) {
  Args args("configs fmt", argv, {}, {"--check", "--stdout"});
  args.expect_positional(1, SIZE_MAX, "one or more config files");
  TS_USER_CHECK(!(args.flag("--check") && args.flag("--stdout")))
      << "--check and --stdout cannot be combined";
  // Parse everything first: an invalid file stops the command before anything is written.
  std::vector<std::pair<std::string, std::string>> files;  // path, original text
  std::vector<std::string> canonical;
  for (const std::string& path : args.positional()) {
    std::string text = read_existing(path);
    canonical.push_back(format_config_file(parse_config_file(text, path)));
    files.emplace_back(path, std::move(text));
  }
  std::size_t changed = 0;
  for (std::size_t i = 0; i < files.size(); ++i) {
    const auto& [path, text] = files[i];
    if (args.flag("--stdout")) {
      std::cout << canonical[i];
      continue;
    }
    if (text == canonical[i]) continue;
    ++changed;
    if (args.flag("--check")) {
      std::cout << path << ": not in canonical form (run `tessera configs fmt " << path << "`)\n";
    } else {
      write_file_atomically(path, canonical[i]);
      std::cout << "reformatted " << path << "\n";
    }
  }
  return args.flag("--check") && changed > 0 ? kExitCheckFailed : kExitOk;
}

int run_merge(const std::vector<std::string>& argv) {
  Args args("configs merge", argv, {}, {});
  args.expect_positional(2, 2, "SRC and DST config files");
  const std::string& src = args.positional()[0];
  const std::string& dst = args.positional()[1];
  auto from = parse_config_file(read_existing(src), src);
  std::vector<ConfigEntry> into;
  if (auto text = read_file_if_exists(dst)) {
    try {
      into = parse_config_file(*text, dst);
    } catch (const UserError& e) {
      user_error(cat("cannot merge into ", dst, ": it is invalid and would be overwritten; fix or "
                     "remove it first. The problem:\n", e.what()));
    }
  }
  std::size_t before = into.size();
  merge_entries(into, from);
  write_file_atomically(dst, format_config_file(into));
  std::size_t added = into.size() - before;
  std::cout << "merged " << from.size() << " entries from " << src << " into " << dst << ": "
            << from.size() - added << " replaced, " << added << " added (" << into.size()
            << " in total)\n";
  return kExitOk;
}

}  // namespace

void add_configs_commands(CommandTable& table) {
  table.push_back({"configs list", "[--config-dir D]",
                   "kernels and platforms with configs: entry counts, whether a default exists",
                   run_list});
  table.push_back({"configs show", "KERNEL [--platform P] [--key k=v,...] [--config-dir D]",
                   "a kernel's platforms and keys; a platform's entries; one key's config",
                   run_show});
  table.push_back({"configs validate", "FILE...",
                   "check config files; every problem with file, entry and field (exit 1 if any)",
                   run_validate});
  table.push_back({"configs fmt", "[--check | --stdout] FILE...",
                   "rewrite config files in vLLM's canonical form (--check: exit 1 if any is not)",
                   run_fmt});
  table.push_back({"configs merge", "SRC DST",
                   "merge SRC's entries into DST (same key: replaced in place; new: appended)",
                   run_merge});
}

}  // namespace tessera::tool
