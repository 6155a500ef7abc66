// SPDX-License-Identifier: Apache-2.0
#include "gpu_common/cached_compiler.h"

namespace tessera::backend::gpu {

cache::CachedBinary compile_through_cache(const Source& source, const CompileOptions& options,
                                          cache::JitCache& cache, const VendorCompile& vendor,
                                          const CompileNowFn& compile_now) {
  cache::CacheKeyInputs in;
  in.backend = vendor.backend;
  in.target = options.target;
  in.source = source.text;  // embeds the device header, so its hash is in the key too
  in.codegen_version = vendor.codegen_version;
  in.compiler_identity = vendor.compiler_identity;
  in.options = vendor.options;
  in.options.insert(in.options.end(), options.flags.begin(), options.flags.end());
  cache::CacheRequest req;
  req.kernel_name = source.kernel_name;
  req.platform = options.target;
  req.key = cache::make_cache_key(in);
  req.source = source.text;
  req.source_file_name = vendor.source_file_name;
  req.binary_file_name = vendor.binary_file_name;
  return cache.get_or_compile(req, [&](const std::filesystem::path& source_path, const std::filesystem::path&) {
    const std::vector<std::byte> bytes = compile_now(source_path.string());
    return std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  });
}

Binary to_binary(const cache::CachedBinary& cached, Binary::Format format, const std::string& kernel_name) {
  Binary b;
  b.format = format;
  b.kernel_name = kernel_name;
  const auto* p = reinterpret_cast<const std::byte*>(cached.bytes->data());
  b.image.assign(p, p + cached.bytes->size());
  return b;
}

namespace {

class CachedCompiler final : public Compiler {
 public:
  CachedCompiler(cache::JitCache& cache, Binary::Format format, CompileCachedFn compile, CompilerVersionFn version)
      : cache_(cache), format_(format), compile_(compile), version_(version) {}
  Binary compile(const Source& source, const CompileOptions& options) const override {
    return to_binary(compile_(source, options, cache_), format_, source.kernel_name);
  }
  std::string version() const override { return version_(); }

 private:
  cache::JitCache& cache_;
  Binary::Format format_;
  CompileCachedFn compile_;
  CompilerVersionFn version_;
};

}  // namespace

std::unique_ptr<Compiler> make_cached_compiler(cache::JitCache& cache, Binary::Format format,
                                               CompileCachedFn compile, CompilerVersionFn version) {
  return std::make_unique<CachedCompiler>(cache, format, compile, version);
}

}  // namespace tessera::backend::gpu
