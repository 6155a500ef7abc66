// SPDX-License-Identifier: Apache-2.0
// `tessera pick OP --platform P [--config-dir D] --shape NAME=AxB ... [--arg NAME=V ...]`: the key
// a call with those argument shapes would pick on platform P (vLLM's picker, then the default-key
// fallback), or the error the call would raise. No device, nothing compiled.
#include <iostream>
#include <map>
#include <memory>

#include "args.h"
#include "command.h"
#include "ops/ops.h"
#include "tessera/error.h"

namespace tessera::tool {
namespace {

std::vector<std::int64_t> parse_shape(const std::string& name, const std::string& text) {
  std::vector<std::int64_t> shape;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t x = text.find('x', start);
    const std::string part = text.substr(start, x == std::string::npos ? std::string::npos : x - start);
    std::size_t used = 0;
    long long v = -1;
    try {
      v = std::stoll(part, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    TS_USER_CHECK(!part.empty() && used == part.size() && v >= 0)
        << "--shape " << name << "=" << text << ": expected sizes separated by 'x', e.g. 16x4096";
    shape.push_back(v);
    if (x == std::string::npos) break;
    start = x + 1;
  }
  return shape;
}

std::map<std::string, std::string> parse_pairs(const std::vector<std::string>& values, const char* option) {
  std::map<std::string, std::string> out;
  for (const std::string& v : values) {
    const std::size_t eq = v.find('=');
    TS_USER_CHECK(eq != std::string::npos && eq > 0) << option << " " << v << ": expected NAME=VALUE";
    out[v.substr(0, eq)] = v.substr(eq + 1);
  }
  return out;
}

int run_pick(const std::vector<std::string>& argv) {
  Args args("pick", argv, {"--platform", "--config-dir", "--shape", "--arg"}, {});
  args.expect_positional(1, 1, "OP");
  const auto platform = args.value("--platform");
  TS_USER_CHECK(platform.has_value()) << "pick: --platform P is required (e.g. nvidia_h100; `tessera platform list`)";
  std::unique_ptr<ConfigManager> own;
  ConfigManager* manager = &ConfigManager::instance();
  if (auto dir = args.value("--config-dir")) manager = (own = std::make_unique<ConfigManager>(*dir)).get();
  registry::KernelRegistry reg(*manager, [](const registry::CompileRequest&) -> std::shared_ptr<const registry::Executable> {
    throw InternalError("tessera pick compiles nothing");
  });
  ops::register_ops(reg);
  const registry::RegisteredKernel& k = reg.get(args.positional()[0]);

  auto shapes = parse_pairs(args.values("--shape"), "--shape");
  auto scalars = parse_pairs(args.values("--arg"), "--arg");
  static float dummy[1];  // pickers read shapes only
  std::vector<std::vector<std::int64_t>> keep;
  std::vector<registry::ArgValue> call;
  for (const registry::ArgSpec& p : k.spec().signature) {
    if (p.kind == registry::ArgKind::kTensor) {
      auto it = shapes.find(p.name);
      if (it == shapes.end()) {
        TS_USER_CHECK(p.optional) << "pick " << k.name() << ": give the shape of '" << p.name << "' with --shape "
                                  << p.name << "=AxB";
        call.emplace_back(std::monostate{});
        continue;
      }
      auto shape = parse_shape(p.name, it->second);
      call.emplace_back(runtime::TensorView(dummy, DType::f32, shape, runtime::DeviceId::cpu()));
      shapes.erase(it);
      continue;
    }
    auto it = scalars.find(p.name);
    if (it == scalars.end()) {
      TS_USER_CHECK(p.optional) << "pick " << k.name() << ": give '" << p.name << "' with --arg " << p.name << "=VALUE";
      call.emplace_back(std::monostate{});
      continue;
    }
    if (p.kind == registry::ArgKind::kBool) call.emplace_back(it->second == "true" || it->second == "1");
    else if (p.kind == registry::ArgKind::kInt) call.emplace_back(static_cast<std::int64_t>(std::stoll(it->second)));
    else call.emplace_back(std::stod(it->second));
    scalars.erase(it);
  }
  TS_USER_CHECK(shapes.empty()) << "pick " << k.name() << ": no tensor argument called '" << shapes.begin()->first << "'";
  TS_USER_CHECK(scalars.empty()) << "pick " << k.name() << ": no argument called '" << scalars.begin()->first << "'";
  const registry::Route r = k.route_on_platform(call, *platform);
  std::cout << r.key.canonical() << "\n";
  if (r.fell_back_to_default) std::cerr << "(the picker chose no key: the default key {} is used)\n";
  return kExitOk;
}

}  // namespace

void add_pick_command(CommandTable& table) {
  table.push_back({"pick", "OP --platform P [--config-dir D] --shape NAME=AxB ... [--arg NAME=V ...]",
                   "print the config key a call with these argument shapes picks on platform P", run_pick});
}

}  // namespace tessera::tool
