// SPDX-License-Identifier: Apache-2.0
#include "gpu_common/cached_compiler.h"

namespace tessera::backend::gpu {

namespace {

class CachedCompiler final : public Compiler {
 public:
  CachedCompiler(cache::JitCache& cache, Binary::Format format, CompileCachedFn compile, CompilerVersionFn version)
      : cache_(cache), format_(format), compile_(compile), version_(version) {}
  Binary compile(const Source& source, const CompileOptions& options) const override {
    const cache::CachedBinary c = compile_(source, options, cache_);
    Binary b;
    b.format = format_;
    b.kernel_name = source.kernel_name;
    const auto* p = reinterpret_cast<const std::byte*>(c.bytes->data());
    b.image.assign(p, p + c.bytes->size());
    return b;
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
