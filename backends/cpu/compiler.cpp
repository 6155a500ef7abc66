// SPDX-License-Identifier: Apache-2.0
#include "cpu/compiler.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <map>
#include <mutex>
#include <sstream>

#include "tessera/cache/sha256.h"
#include "tessera/error.h"
#include "tessera/support/atomic_file.h"
#include "tessera/support/env.h"

extern char** environ;

namespace tessera::backend::cpu {

namespace fs = std::filesystem;

namespace {

std::string join(const std::vector<std::string>& words) {
  std::string out;
  for (const std::string& w : words) out += (out.empty() ? "" : " ") + w;
  return out;
}

struct ProcessResult {
  int exit_code = -1;      ///< exit status, or 128 + signal
  std::string output;      ///< stdout and stderr, interleaved as written
};

/// Runs `argv` (looked up in PATH) with stdout and stderr sent to `log_path`; no shell, so
/// paths with spaces or quotes need no escaping. Throws `UserError` if it cannot be started.
ProcessResult run_process(const std::vector<std::string>& argv, const fs::path& log_path) {
  TS_INTERNAL_CHECK(!argv.empty()) << "run_process: empty command";
  std::vector<char*> cargv;
  for (const std::string& a : argv) cargv.push_back(const_cast<char*>(a.c_str()));
  cargv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  pid_t pid = 0;
  int err = posix_spawnp(&pid, cargv[0], &actions, nullptr, cargv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  TS_USER_CHECK(err == 0) << "cannot run the host C++ compiler '" << argv[0] << "': "
                          << std::strerror(err)
                          << ". Install one or set TESSERA_CXX to a C++20 compiler (e.g. g++ or clang++).";
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    TS_USER_CHECK(errno == EINTR) << "waitpid for '" << join(argv) << "' failed: " << std::strerror(errno);
  }
  ProcessResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  r.output = read_file_if_exists(log_path).value_or("");
  return r;
}

/// A unique scratch file name in the system temp folder, removed on destruction.
class TempFile {
 public:
  TempFile() {
    std::string tmpl = (fs::temp_directory_path() / "tessera-cxx-XXXXXX").string();
    int fd = ::mkstemp(tmpl.data());
    TS_USER_CHECK(fd >= 0) << "cannot create a temporary file in " << fs::temp_directory_path()
                           << ": " << std::strerror(errno) << " (set TMPDIR to a writable folder)";
    ::close(fd);
    path_ = tmpl;
  }
  ~TempFile() { ::unlink(path_.c_str()); }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

/// The value after `flag` ("-march=znver3" -> "znver3"; clang's "-target-cpu" "znver3").
std::string native_arch_from(const std::string& cc1_line) {
  std::istringstream words(cc1_line);
  std::string prev;
  for (std::string w; words >> w; prev = w) {
    if (w.size() >= 2 && w.front() == '"' && w.back() == '"') w = w.substr(1, w.size() - 2);
    if (w.rfind("-march=", 0) == 0) return w.substr(7);
    if (prev == "\"-target-cpu\"" || prev == "-target-cpu") return w;
  }
  return "unknown";
}

HostCompiler query(const std::vector<std::string>& command) {
  HostCompiler hc;
  hc.command = command;
  TempFile log;
  std::vector<std::string> argv = command;
  argv.push_back("--version");
  ProcessResult version = run_process(argv, log.path());
  TS_USER_CHECK(version.exit_code == 0)
      << "'" << join(argv) << "' failed (exit " << version.exit_code << "):\n" << version.output
      << "\nSet TESSERA_CXX to a working C++20 compiler.";
  hc.version_text = version.output.substr(0, version.output.find('\n'));

  // What -march=native expands to, without compiling anything (the driver prints its commands).
  argv = command;
  for (const char* a : {"-march=native", "-###", "-x", "c++", "-c", "/dev/null", "-o", "/dev/null"})
    argv.push_back(a);
  ProcessResult expand = run_process(argv, log.path());
  std::string cc1_line;
  std::istringstream lines(expand.output);
  for (std::string line; std::getline(lines, line);) {
    if (line.find("cc1") != std::string::npos) cc1_line = line;
  }
  TS_USER_CHECK(expand.exit_code == 0 && !cc1_line.empty())
      << "'" << join(argv) << "' did not show how the compiler expands -march=native (exit "
      << expand.exit_code << "):\n" << expand.output
      << "\nTESSERA_CXX must be a GCC- or Clang-compatible compiler driver.";
  hc.native_arch = native_arch_from(cc1_line);
  // Only the target flags matter; the rest of the line names files.
  std::string target_words;
  std::istringstream words(cc1_line);
  std::string prev;
  for (std::string w; words >> w; prev = w) {
    if (w.find("-m") == 1 || w.find("-m") == 0 || prev.find("-target-") != std::string::npos)
      target_words += w + " ";
  }
  hc.native_flags_hash = cache::sha256_hex(target_words);
  return hc;
}

std::string sanitize_segment(std::string s) {
  for (char& c : s) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.')) c = '_';
  }
  return s;
}

class CpuCompiler final : public Compiler {
 public:
  explicit CpuCompiler(cache::JitCache& cache) : cache_(cache) {}

  Binary compile(const Source& source, const CompileOptions& options) const override {
    cache::CachedBinary cached = compile_cached(source, options, cache_);
    Binary b;
    b.format = Binary::Format::kSharedObject;
    b.kernel_name = source.kernel_name;
    const auto* p = reinterpret_cast<const std::byte*>(cached.bytes->data());
    b.image.assign(p, p + cached.bytes->size());
    return b;
  }

  std::string version() const override {
    const HostCompiler& hc = query_host_compiler(host_compiler_command());
    return hc.version_text + " -march=native=" + hc.native_arch;
  }

 private:
  cache::JitCache& cache_;
};

}  // namespace

const std::vector<std::string>& base_compile_flags() {
  static const std::vector<std::string> kFlags = {"-O3", "-march=native", "-fPIC", "-shared",
                                                  "-std=c++20", "-fno-math-errno",
                                                  "-fno-trapping-math", "-fwrapv"};
  return kFlags;
}

std::vector<std::string> host_compiler_command() {
  std::string text = env::get("TESSERA_CXX").value_or("c++");
  std::vector<std::string> words;
  std::istringstream is(text);
  for (std::string w; is >> w;) words.push_back(w);
  TS_USER_CHECK(!words.empty()) << "TESSERA_CXX='" << text << "' names no compiler; set it to e.g. g++";
  return words;
}

const HostCompiler& query_host_compiler(const std::vector<std::string>& command) {
  static std::mutex mutex;
  static std::map<std::vector<std::string>, HostCompiler> known;
  std::lock_guard<std::mutex> lock(mutex);  // a query is two process runs, once per command
  auto it = known.find(command);
  if (it == known.end()) it = known.emplace(command, query(command)).first;
  return it->second;
}

cache::CachedBinary compile_cached(const Source& source, const CompileOptions& options,
                                   cache::JitCache& cache) {
  TS_INTERNAL_CHECK(source.language == "c++")
      << "the CPU compiler takes C++ source, got '" << source.language << "' for kernel '"
      << source.kernel_name << "'";
  const HostCompiler& hc = query_host_compiler(host_compiler_command());
  std::vector<std::string> flags = base_compile_flags();
  flags.insert(flags.end(), options.flags.begin(), options.flags.end());

  cache::CacheKeyInputs in;
  in.backend = "cpu";
  in.target = options.target + " native=" + hc.native_arch + " " + hc.native_flags_hash;
  in.source = source.text;
  in.codegen_version = source.language;  // the code generator's version is in the text's banner
  in.compiler_identity = join(hc.command) + ": " + hc.version_text;
  in.options = flags;
  cache::CacheRequest req;
  req.kernel_name = source.kernel_name;
  req.platform = "cpu-" + sanitize_segment(hc.native_arch);
  req.key = cache::make_cache_key(in);
  req.source = source.text;
  req.source_file_name = "kernel.cpp";
  req.binary_file_name = "kernel.so";

  auto build = [&](const fs::path& source_path, const fs::path& scratch) {
    const fs::path out = scratch / "kernel.so";
    std::vector<std::string> argv = hc.command;
    argv.insert(argv.end(), flags.begin(), flags.end());
    argv.insert(argv.end(), {"-o", out.string(), source_path.string()});
    ProcessResult r = run_process(argv, scratch / "compile.log");
    TS_USER_CHECK(r.exit_code == 0)
        << "CPU compile of kernel '" << source.kernel_name << "' failed (exit " << r.exit_code
        << ").\n  command: " << join(argv) << "\n  source:  " << source_path
        << "\n  compiler log:\n"
        << r.output;
    std::optional<std::string> bytes = read_file_if_exists(out);
    TS_USER_CHECK(bytes && !bytes->empty())
        << "CPU compile of kernel '" << source.kernel_name << "' succeeded but wrote no " << out
        << "; command: " << join(argv) << "\ncompiler log:\n" << r.output;
    return std::move(*bytes);
  };
  return cache.get_or_compile(req, build);
}

std::unique_ptr<Compiler> make_cpu_compiler(cache::JitCache& cache) {
  return std::make_unique<CpuCompiler>(cache);
}

}  // namespace tessera::backend::cpu
