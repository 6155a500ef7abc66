// SPDX-License-Identifier: Apache-2.0
#include "tessera/platform/target.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <string>

#include "tessera/error.h"

namespace tessera::platform {

namespace {

// NVIDIA compute capabilities. Source: `nvcc --list-gpu-arch` of CUDA 13.0 (sm_75 ... sm_121;
// CUDA 13 renamed Thor's sm_101 to sm_110) plus sm_70/sm_72 (Volta, dropped by CUDA 13 but
// present in vLLM's tesla_v100 configs); families from the CUDA C++ Programming Guide's
// compute-capability table. sm_88 is listed by nvcc 13.0 but not documented; it is left out
// until it is. CC 12.x (GeForce RTX 50, RTX PRO Blackwell, GB10) has no tcgen05/TMEM, so its
// tuned configs are not interchangeable with sm_100's: it is its own family.
struct NvidiaArch {
  int cc;  // major * 10 + minor
  std::string_view family;
};
constexpr std::array kNvidiaArchs{
    NvidiaArch{70, "volta"},     NvidiaArch{72, "volta"},     NvidiaArch{75, "turing"},
    NvidiaArch{80, "ampere"},    NvidiaArch{86, "ampere"},    NvidiaArch{87, "ampere"},
    NvidiaArch{89, "ada"},       NvidiaArch{90, "hopper"},    NvidiaArch{100, "blackwell"},
    NvidiaArch{103, "blackwell"}, NvidiaArch{110, "blackwell"}, NvidiaArch{120, "blackwell_rtx"},
    NvidiaArch{121, "blackwell_rtx"},
};
// `a` (arch-specific) targets exist from sm_90 on, `f` (family-specific) from sm_100 on
// (CUDA 12.9 release notes, "family-specific architecture features").
constexpr int kFirstArchSpecificCc = 90;
constexpr int kFirstFamilySpecificCc = 100;

// AMD processors and their families. Source: LLVM's AMDGPUUsage "Processors" table
// (llvm/docs/AMDGPUUsage.rst) and Triton's deduceISAFamily; only processors with a stable
// family are listed. Warp size follows the generation: gfx9 is wave64 only, gfx10+ (RDNA)
// defaults to wave32 in hipcc/hiprtc.
struct AmdArch {
  std::string_view name;
  std::string_view family;
};
constexpr std::array kAmdArchs{
    AmdArch{"gfx900", "gcn5"},    AmdArch{"gfx902", "gcn5"},    AmdArch{"gfx904", "gcn5"},
    AmdArch{"gfx906", "gcn5"},    AmdArch{"gfx909", "gcn5"},    AmdArch{"gfx90c", "gcn5"},
    AmdArch{"gfx908", "cdna1"},   AmdArch{"gfx90a", "cdna2"},   AmdArch{"gfx940", "cdna3"},
    AmdArch{"gfx941", "cdna3"},   AmdArch{"gfx942", "cdna3"},   AmdArch{"gfx950", "cdna4"},
    AmdArch{"gfx1010", "rdna1"},  AmdArch{"gfx1011", "rdna1"},  AmdArch{"gfx1012", "rdna1"},
    AmdArch{"gfx1030", "rdna2"},  AmdArch{"gfx1031", "rdna2"},  AmdArch{"gfx1032", "rdna2"},
    AmdArch{"gfx1034", "rdna2"},  AmdArch{"gfx1035", "rdna2"},  AmdArch{"gfx1036", "rdna2"},
    AmdArch{"gfx1100", "rdna3"},  AmdArch{"gfx1101", "rdna3"},  AmdArch{"gfx1102", "rdna3"},
    AmdArch{"gfx1103", "rdna3"},  AmdArch{"gfx1150", "rdna3_5"}, AmdArch{"gfx1151", "rdna3_5"},
    AmdArch{"gfx1152", "rdna3_5"}, AmdArch{"gfx1200", "rdna4"},  AmdArch{"gfx1201", "rdna4"},
};
// LLVM target-ID features (AMDGPUUsage "Target Features").
constexpr std::array<std::string_view, 2> kAmdFeatures{"sramecc", "xnack"};

// CPU ISA levels, lowest first. x86_64 levels follow the x86-64 psABI micro-architecture
// levels (sse4 = x86-64-v2, avx2 = v3, avx512 = v4); aarch64 levels are the ARMv8/v9 vector
// extensions. The one feature beyond the level is bf16 (AVX512_BF16 / FEAT_BF16).
struct CpuArch {
  std::string_view arch;
  std::array<std::string_view, 4> levels;  // empty entries unused
};
constexpr std::array kCpuArchs{
    CpuArch{"x86_64", {"sse2", "sse4", "avx2", "avx512"}},
    CpuArch{"aarch64", {"neon", "sve", "sve2", ""}},
};
constexpr std::array<std::string_view, 1> kCpuFeatures{"bf16"};

constexpr std::string_view kValidForms =
    "valid forms: sm_<CC>[a|f] (e.g. sm_80, sm_90a, sm_100a, sm_120), "
    "gfx<processor>[:sramecc(+|-)][:xnack(+|-)] (e.g. gfx90a, gfx942, gfx950, gfx1100), "
    "x86_64-{sse2,sse4,avx2,avx512}[+bf16], aarch64-{neon,sve,sve2}[+bf16]";

[[noreturn]] void bad_target(std::string_view text, std::string_view why) {
  user_error(cat("invalid target '", text, "': ", why, "; ", kValidForms,
                 ". Known processors: ", [] {
                   std::string all;
                   for (const std::string& a : known_target_archs()) all += (all.empty() ? "" : " ") + a;
                   return all;
                 }()));
}

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

Target parse_nvidia(std::string_view text) {
  std::string_view rest = text.substr(3);  // after "sm_"
  std::string suffix;
  if (!rest.empty() && (rest.back() == 'a' || rest.back() == 'f')) {
    suffix = std::string(1, rest.back());
    rest.remove_suffix(1);
  }
  if (!all_digits(rest) || rest.size() < 2 || rest.size() > 3 || rest[0] == '0') {
    bad_target(text, "expected two or three digits of compute capability after 'sm_'");
  }
  int cc = 0;
  std::from_chars(rest.data(), rest.data() + rest.size(), cc);
  auto it = std::find_if(kNvidiaArchs.begin(), kNvidiaArchs.end(),
                         [&](const NvidiaArch& a) { return a.cc == cc; });
  if (it == kNvidiaArchs.end()) bad_target(text, cat("unknown compute capability sm_", rest));
  if (suffix == "a" && cc < kFirstArchSpecificCc) {
    bad_target(text, "the 'a' (arch-specific) suffix exists from sm_90a on");
  }
  if (suffix == "f" && cc < kFirstFamilySpecificCc) {
    bad_target(text, "the 'f' (family-specific) suffix exists from sm_100f on");
  }
  Target t;
  t.vendor = Vendor::kNvidia;
  t.arch = cat("sm_", rest);
  t.major = cc / 10;
  t.minor = cc % 10;
  t.suffix = suffix;
  t.family = std::string(it->family);
  t.warp_size = 32;
  return t;
}

Target parse_amd(std::string_view text) {
  std::string_view name = text.substr(0, text.find(':'));
  auto it = std::find_if(kAmdArchs.begin(), kAmdArchs.end(),
                         [&](const AmdArch& a) { return a.name == name; });
  if (it == kAmdArchs.end()) bad_target(text, cat("unknown AMD processor '", name, "'"));
  Target t;
  t.vendor = Vendor::kAmd;
  t.arch = std::string(name);
  // gfx<major><minor><stepping>: the last two characters are hex digits (gfx90a, gfx90c).
  std::string_view version = name.substr(3);
  std::from_chars(version.data(), version.data() + version.size() - 2, t.major);
  t.minor = hex_digit(version[version.size() - 2]);
  t.stepping = hex_digit(version[version.size() - 1]);
  t.family = std::string(it->family);
  t.warp_size = t.major == 9 ? 64 : 32;
  std::string_view rest = text.substr(name.size());
  while (!rest.empty()) {
    rest.remove_prefix(1);  // ':'
    std::string_view feature = rest.substr(0, rest.find(':'));
    rest.remove_prefix(feature.size());
    if (feature.size() < 2 || (feature.back() != '+' && feature.back() != '-')) {
      bad_target(text, cat("target-ID feature '", feature, "' must end in '+' or '-'"));
    }
    std::string_view base = feature.substr(0, feature.size() - 1);
    if (std::find(kAmdFeatures.begin(), kAmdFeatures.end(), base) == kAmdFeatures.end()) {
      bad_target(text, cat("unknown target-ID feature '", base, "' (known: sramecc, xnack)"));
    }
    for (const std::string& f : t.features) {
      if (std::string_view(f).substr(0, f.size() - 1) == base) {
        bad_target(text, cat("feature '", base, "' is given twice"));
      }
    }
    t.features.emplace_back(feature);
  }
  return t;
}

Target parse_cpu(std::string_view text) {
  std::size_t dash = text.find('-');
  std::string_view arch = text.substr(0, dash);
  auto it = std::find_if(kCpuArchs.begin(), kCpuArchs.end(),
                         [&](const CpuArch& a) { return a.arch == arch; });
  if (it == kCpuArchs.end()) bad_target(text, "unknown vendor or CPU architecture");
  if (dash == std::string_view::npos) {
    bad_target(text, cat("a CPU target needs an ISA level after '", arch, "-'"));
  }
  std::string_view rest = text.substr(dash + 1);
  std::string_view level = rest.substr(0, rest.find('+'));
  if (level.empty() || std::find(it->levels.begin(), it->levels.end(), level) == it->levels.end()) {
    bad_target(text, cat("unknown ISA level '", level, "' for ", arch));
  }
  Target t;
  t.vendor = Vendor::kCpu;
  t.arch = std::string(arch);
  t.suffix = std::string(level);
  t.family = std::string(arch);
  t.warp_size = 1;
  rest.remove_prefix(level.size());
  while (!rest.empty()) {
    rest.remove_prefix(1);  // '+'
    std::string_view feature = rest.substr(0, rest.find('+'));
    rest.remove_prefix(feature.size());
    if (std::find(kCpuFeatures.begin(), kCpuFeatures.end(), feature) == kCpuFeatures.end()) {
      bad_target(text, cat("unknown CPU feature '", feature, "' (known: bf16)"));
    }
    if (std::find(t.features.begin(), t.features.end(), feature) != t.features.end()) {
      bad_target(text, cat("feature '", feature, "' is given twice"));
    }
    t.features.emplace_back(feature);
  }
  return t;
}

}  // namespace

std::string_view vendor_name(Vendor vendor) {
  switch (vendor) {
    case Vendor::kNvidia: return "nvidia";
    case Vendor::kAmd: return "amd";
    case Vendor::kCpu: return "cpu";
  }
  TS_INTERNAL_CHECK(false) << "unhandled Vendor " << static_cast<int>(vendor);
  return {};
}

Target Target::parse(std::string_view text) {
  if (text.starts_with("sm_")) return parse_nvidia(text);
  if (text.starts_with("gfx")) return parse_amd(text);
  return parse_cpu(text);
}

Target Target::for_compute_capability(int major, int minor) {
  TS_USER_CHECK(major > 0 && minor >= 0 && minor <= 9)
      << "Target::for_compute_capability: invalid compute capability " << major << "." << minor;
  const int cc = major * 10 + minor;
  return parse(cat("sm_", cc, cc >= kFirstArchSpecificCc ? "a" : ""));
}

std::string Target::str() const {
  std::string out = arch;
  switch (vendor) {
    case Vendor::kNvidia: out += suffix; break;
    case Vendor::kAmd:
      for (const std::string& f : features) out += ":" + f;
      break;
    case Vendor::kCpu:
      out += "-" + suffix;
      for (const std::string& f : features) out += "+" + f;
      break;
  }
  return out;
}

std::vector<std::string> known_target_archs() {
  std::vector<std::string> out;
  for (const NvidiaArch& a : kNvidiaArchs) out.push_back(cat("sm_", a.cc));
  for (const AmdArch& a : kAmdArchs) out.emplace_back(a.name);
  for (const CpuArch& a : kCpuArchs) {
    for (std::string_view level : a.levels) {
      if (!level.empty()) out.push_back(cat(a.arch, "-", level));
    }
  }
  return out;
}

}  // namespace tessera::platform
