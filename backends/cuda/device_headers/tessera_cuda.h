// SPDX-License-Identifier: Apache-2.0
// Device helpers every generated CUDA kernel starts with, embedded into the source at build
// time (backends/gpu_common/device_headers_embed.cmake): RTC-clean, no includes, only NVRTC's
// builtins. The HIP backend ships a header with the same names (STYLE A2: the printer spells
// every vendor operation through `ts::`), so generated code differs only in this text.
//
// Conversions follow tessera/ir/ir.h exactly: round to nearest even; f16/bf16 overflow to inf;
// fp8 saturates to the finite range (±inf too) and keeps NaN. The PTX `cvt` fast paths are used
// where the hardware has them (bf16 sm_80+, fp8 sm_89+); the bit-twiddling fallbacks give the
// same bits (tests/conformance compare both against numeric/float_formats.h).
#pragma once
#define TS_GPU_WARP_SIZE 32

namespace ts {

typedef long long i64;
typedef unsigned long long u64;
typedef unsigned int u32;
typedef unsigned short u16;
typedef unsigned char u8;

// ---- f32 bit casts -------------------------------------------------------------------------
__device__ __forceinline__ u32 bits(float x) { return __float_as_uint(x); }
__device__ __forceinline__ float from_bits(u32 b) { return __uint_as_float(b); }

// ---- bf16 ----------------------------------------------------------------------------------
__device__ __forceinline__ float bf16_to_f32(u16 b) { return from_bits(u32(b) << 16); }
__device__ __forceinline__ u16 f32_to_bf16(float x) {
#if __CUDA_ARCH__ >= 800
  u16 r;
  asm("cvt.rn.bf16.f32 %0, %1;" : "=h"(r) : "f"(x));
  return r;
#else
  const u32 u = bits(x);
  if ((u & 0x7FFFFFFFu) > 0x7F800000u) return u16((u >> 16) | 0x40u);  // quiet NaN
  return u16((u + 0x7FFFu + ((u >> 16) & 1u)) >> 16);
#endif
}

// ---- f16 -----------------------------------------------------------------------------------
__device__ __forceinline__ float f16_to_f32(u16 h) {
  float r;
  asm("cvt.f32.f16 %0, %1;" : "=f"(r) : "h"(h));
  return r;
}
__device__ __forceinline__ u16 f32_to_f16(float x) {
  u16 r;
  asm("cvt.rn.f16.f32 %0, %1;" : "=h"(r) : "f"(x));
  return r;
}

// ---- fp8 (OCP e4m3fn, e5m2) ----------------------------------------------------------------
__device__ __forceinline__ float f8e4m3fn_to_f32(u8 b) {
#if __CUDA_ARCH__ >= 890
  u32 h2;
  asm("cvt.rn.f16x2.e4m3x2 %0, %1;" : "=r"(h2) : "h"(u16(b)));  // low half <- b
  return f16_to_f32(u16(h2 & 0xFFFFu));
#else
  const u32 sign = u32(b & 0x80u) << 24, e = (b >> 3) & 0xFu, m = b & 7u;
  if ((b & 0x7Fu) == 0x7Fu) return from_bits(sign | 0x7FC00000u);
  if (e == 0) return sign ? -float(m) * 0x1p-9f : float(m) * 0x1p-9f;  // subnormal: exact
  return from_bits(sign | ((e + 120u) << 23) | (m << 20));
#endif
}
__device__ __forceinline__ u8 f32_to_f8e4m3fn(float x) {
#if __CUDA_ARCH__ >= 890
  u16 r;
  asm("cvt.rn.satfinite.e4m3x2.f32 %0, %1, %2;" : "=h"(r) : "f"(0.0f), "f"(x));
  return u8(r & 0xFFu);
#else
  const u32 u = bits(x), sign = (u >> 24) & 0x80u, a = u & 0x7FFFFFFFu;
  if (a > 0x7F800000u) return u8(sign | 0x7Fu);
  if (a >= 0x43E00000u) return u8(sign | 0x7Eu);  // >= 448 (and inf): saturate
  if (a < 0x3C800000u) return u8(sign | u32(__float2int_rn(from_bits(a) * 0x1p9f)));
  const u32 r = a - (120u << 23);
  return u8(sign | ((r + 0x7FFFFu + ((r >> 20) & 1u)) >> 20));
#endif
}
__device__ __forceinline__ float f8e5m2_to_f32(u8 b) { return f16_to_f32(u16(u16(b) << 8)); }
__device__ __forceinline__ u8 f32_to_f8e5m2(float x) {
#if __CUDA_ARCH__ >= 890
  u16 r;
  asm("cvt.rn.satfinite.e5m2x2.f32 %0, %1, %2;" : "=h"(r) : "f"(0.0f), "f"(x));
  return u8(r & 0xFFu);
#else
  const u32 u = bits(x), sign = (u >> 24) & 0x80u, a = u & 0x7FFFFFFFu;
  if (a > 0x7F800000u) return u8(sign | 0x7Eu);
  if (a >= 0x47600000u) return u8(sign | 0x7Bu);  // >= 57344 (and inf): saturate
  if (a < 0x38800000u) return u8(sign | u32(__float2int_rn(from_bits(a) * 0x1p16f)));
  const u32 r = a - (112u << 23);
  return u8(sign | ((r + 0xFFFFFu + ((r >> 21) & 1u)) >> 21));
#endif
}

// ---- rounding an f32-held value to a narrower format (ir.h: half ops round each result) ----
__device__ __forceinline__ float round_bf16(float x) { return bf16_to_f32(f32_to_bf16(x)); }
__device__ __forceinline__ float round_f16(float x) { return f16_to_f32(f32_to_f16(x)); }
__device__ __forceinline__ float round_f8e4m3fn(float x) { return f8e4m3fn_to_f32(f32_to_f8e4m3fn(x)); }
__device__ __forceinline__ float round_f8e5m2(float x) { return f8e5m2_to_f32(f32_to_f8e5m2(x)); }

// ---- two f32 values to two adjacent narrow elements with one instruction (vector stores) ------
// The packed cvt forms convert a pair for the cost of one conversion (conversions issue at a
// fraction of the FP32 rate, so stores of fp8/bf16 outputs were conversion-bound). `lo` goes to
// the lower address. Bit-identical to the scalar conversions above.
// `cvt` packs the pair into one P register, its first operand in the upper half; fallback: the
// scalar conversion twice.
#define TS_F32X2_TO_PACKED(fmt, T, P, cvt, reg)                                                 \
  __device__ __forceinline__ void f32x2_to_##fmt(float lo, float hi, T& a, T& b) {               \
    P r;                                                                                         \
    asm(cvt " %0, %1, %2;" : "=" reg(r) : "f"(hi), "f"(lo));                                     \
    a = T(r), b = T(r >> (8 * sizeof(T)));                                                       \
  }
#define TS_F32X2_TO_SCALAR(fmt, T)                                                              \
  __device__ __forceinline__ void f32x2_to_##fmt(float lo, float hi, T& a, T& b) {               \
    a = f32_to_##fmt(lo), b = f32_to_##fmt(hi);                                                  \
  }
#if __CUDA_ARCH__ >= 800
TS_F32X2_TO_PACKED(bf16, u16, u32, "cvt.rn.bf16x2.f32", "r")
TS_F32X2_TO_PACKED(f16, u16, u32, "cvt.rn.f16x2.f32", "r")
#else
TS_F32X2_TO_SCALAR(bf16, u16)
TS_F32X2_TO_SCALAR(f16, u16)
#endif
#if __CUDA_ARCH__ >= 890
TS_F32X2_TO_PACKED(f8e4m3fn, u8, u16, "cvt.rn.satfinite.e4m3x2.f32", "h")
TS_F32X2_TO_PACKED(f8e5m2, u8, u16, "cvt.rn.satfinite.e5m2x2.f32", "h")
#else
TS_F32X2_TO_SCALAR(f8e4m3fn, u8)
TS_F32X2_TO_SCALAR(f8e5m2, u8)
#endif
#undef TS_F32X2_TO_PACKED
#undef TS_F32X2_TO_SCALAR

/// Rounds two f32-held values to bf16 with one conversion (a Let's registers, in pairs).
__device__ __forceinline__ void round2_bf16(float& a, float& b) {
#if __CUDA_ARCH__ >= 800
  u32 r;
  asm("cvt.rn.bf16x2.f32 %0, %1, %2;" : "=r"(r) : "f"(b), "f"(a));
  a = from_bits(r << 16), b = from_bits(r & 0xFFFF0000u);
#else
  a = round_bf16(a), b = round_bf16(b);
#endif
}

// ---- float -> integer: round to nearest even, clamp, NaN -> 0 (ir.h casts) ------------------
__device__ __forceinline__ i64 f2i(double x, i64 lo, i64 hi) {
  if (x != x) return 0;
  const double r = rint(x);
  return r <= double(lo) ? lo : r >= double(hi) ? hi : i64(r);
}

// ---- NaN-propagating maximum/minimum (ir/ops.h) ---------------------------------------------
template <typename T> __device__ __forceinline__ T maximum(T a, T b) { return (a != a || a > b) ? a : b; }
template <typename T> __device__ __forceinline__ T minimum(T a, T b) { return (a != a || a < b) ? a : b; }
template <typename T> __device__ __forceinline__ T absval(T a) { return a < T(0) ? -a : a; }
// f32: one instruction each instead of a NaN test, a compare and a select (max.NaN returns the
// canonical NaN when either operand is NaN; the sign of max(+0, -0) is not specified by ir/ops.h).
#if __CUDA_ARCH__ >= 800
template <> __device__ __forceinline__ float maximum<float>(float a, float b) {
  float r;
  asm("max.NaN.f32 %0, %1, %2;" : "=f"(r) : "f"(a), "f"(b));
  return r;
}
template <> __device__ __forceinline__ float minimum<float>(float a, float b) {
  float r;
  asm("min.NaN.f32 %0, %1, %2;" : "=f"(r) : "f"(a), "f"(b));
  return r;
}
#endif
template <> __device__ __forceinline__ float absval<float>(float a) { return fabsf(a); }

// ---- fast math (MathMode::fast, bounds in ir/ops.h) -----------------------------------------
__device__ __forceinline__ float fast_div(float a, float b) { return __fdividef(a, b); }
__device__ __forceinline__ float fast_exp(float x) { return __expf(x); }
__device__ __forceinline__ float fast_exp2(float x) {
  float r;
  asm("ex2.approx.f32 %0, %1;" : "=f"(r) : "f"(x));
  return r;
}
__device__ __forceinline__ float fast_sigmoid(float x) { return __fdividef(1.0f, 1.0f + __expf(-x)); }
__device__ __forceinline__ float fast_silu(float x) { return __fdividef(x, 1.0f + __expf(-x)); }
__device__ __forceinline__ float exact_sigmoid(float x) { return 1.0f / (1.0f + expf(-x)); }
__device__ __forceinline__ float exact_silu(float x) { return x / (1.0f + expf(-x)); }
__device__ __forceinline__ double exact_sigmoid(double x) { return 1.0 / (1.0 + exp(-x)); }
__device__ __forceinline__ double exact_silu(double x) { return x / (1.0 + exp(-x)); }
__device__ __forceinline__ float gelu_erf(float x) { return 0.5f * x * (1.0f + erff(x * 0.70710678118654752440f)); }
__device__ __forceinline__ double gelu_erf(double x) { return 0.5 * x * (1.0 + erf(x * 0.70710678118654752440)); }
__device__ __forceinline__ float gelu_tanh(float x) {
  return 0.5f * x * (1.0f + tanhf(0.79788456080286535588f * (x + 0.044715f * x * x * x)));
}
__device__ __forceinline__ double gelu_tanh(double x) {
  return 0.5 * x * (1.0 + tanh(0.79788456080286535588 * (x + 0.044715 * x * x * x)));
}

// ---- warp shuffles (butterfly: every lane gets the combined value) --------------------------
template <typename T> __device__ __forceinline__ T shfl_xor(T v, int mask) {
  return __shfl_xor_sync(0xFFFFFFFFu, v, mask);
}
__device__ __forceinline__ void barrier() { __syncthreads(); }

// ---- 16-byte global accesses with optional L1 eviction hints (config load_eviction_policies)
struct alignas(16) v16 { u32 x, y, z, w; };
__device__ __forceinline__ v16 ld16(const void* p) { return *static_cast<const v16*>(p); }
__device__ __forceinline__ v16 ld16_evict_first(const void* p) {
  v16 r;
  asm volatile("ld.global.L1::evict_first.v4.u32 {%0,%1,%2,%3}, [%4];"
               : "=r"(r.x), "=r"(r.y), "=r"(r.z), "=r"(r.w) : "l"(p));
  return r;
}
__device__ __forceinline__ v16 ld16_evict_last(const void* p) {
  v16 r;
  asm volatile("ld.global.L1::evict_last.v4.u32 {%0,%1,%2,%3}, [%4];"
               : "=r"(r.x), "=r"(r.y), "=r"(r.z), "=r"(r.w) : "l"(p));
  return r;
}

/// N elements of T moved as one access (N·sizeof(T) in {2, 4, 8, 16} bytes, naturally aligned).
template <typename T, int N> struct alignas(sizeof(T) * N) vec { T v[N]; };
/// Loads a vector; `Hint` 1 = evict_first, 2 = evict_last (16-byte vectors), 0 = none.
template <typename T, int N, int Hint>
__device__ __forceinline__ vec<T, N> vload(const T* p) {
  if constexpr (Hint != 0 && sizeof(T) * N == 16) {
    const v16 r = Hint == 1 ? ld16_evict_first(p) : ld16_evict_last(p);
    return *reinterpret_cast<const vec<T, N>*>(&r);  // same size and alignment: register moves
  } else {
    return *reinterpret_cast<const vec<T, N>*>(p);
  }
}
template <typename T, int N>
__device__ __forceinline__ void vstore(T* p, const vec<T, N>& v) { *reinterpret_cast<vec<T, N>*>(p) = v; }

// ---- async copies and tensor cores (sm_80+) -------------------------------------------------
#if __CUDA_ARCH__ >= 800
/// 16 bytes global -> shared without a register round trip (cp.async.cg: cached in L2 only, the
/// tile is read once per program). The first `bytes` (0..16) come from `gmem`, the rest of the
/// 16 is zero-filled, so a ragged edge or a dead row costs no branch and adds zeros to a dot.
/// Both addresses must be 16-byte aligned; with `bytes` = 0 nothing is read from `gmem`.
__device__ __forceinline__ void cp_async16(void* smem, const void* gmem, int bytes) {
  const u32 s = u32(__cvta_generic_to_shared(smem));
  asm volatile("cp.async.cg.shared.global [%0], [%1], 16, %2;" ::"r"(s), "l"(gmem), "r"(bytes) : "memory");
}
/// Closes the group of cp.async issued by this thread since the last commit.
__device__ __forceinline__ void cp_async_commit() { asm volatile("cp.async.commit_group;" ::: "memory"); }
/// Waits until at most N of this thread's committed groups are still in flight (groups complete
/// in order, so the oldest ones have landed). Other threads' copies need a barrier after this.
template <int N> __device__ __forceinline__ void cp_async_wait() { asm volatile("cp.async.wait_group %0;" ::"n"(N) : "memory"); }

/// ldmatrix.x4: four 8x8 b16 matrices; lanes 8i..8i+7 give the 16-byte rows of matrix i, and
/// lane l receives in r[i] the two elements (row l/4, cols 2(l%4), 2(l%4)+1) of matrix i.
__device__ __forceinline__ void ldmatrix_x4(u32 (&r)[4], const void* smem_row) {
  const u32 s = u32(__cvta_generic_to_shared(smem_row));
  asm volatile("ldmatrix.sync.aligned.m8n8.x4.shared.b16 {%0,%1,%2,%3}, [%4];"
               : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3]) : "r"(s));
}
/// ldmatrix.x4.trans: the same four matrices transposed: lane l receives (rows 2(l%4), 2(l%4)+1,
/// col l/4) of matrix i, i.e. a K-pair of column l/4 when rows are K: an mma B fragment.
__device__ __forceinline__ void ldmatrix_x4_trans(u32& r0, u32& r1, u32& r2, u32& r3, const void* smem_row) {
  const u32 s = u32(__cvta_generic_to_shared(smem_row));
  asm volatile("ldmatrix.sync.aligned.m8n8.x4.trans.shared.b16 {%0,%1,%2,%3}, [%4];"
               : "=r"(r0), "=r"(r1), "=r"(r2), "=r"(r3) : "r"(s));
}
__device__ __forceinline__ void ldmatrix_x2_trans(u32& r0, u32& r1, const void* smem_row) {
  const u32 s = u32(__cvta_generic_to_shared(smem_row));
  asm volatile("ldmatrix.sync.aligned.m8n8.x2.trans.shared.b16 {%0,%1}, [%2];"
               : "=r"(r0), "=r"(r1) : "r"(s));
}
/// SM80_16x8x16_F32BF16BF16F32_TN: D = A·B + C on one warp, g = lane/4, t = lane%4:
/// A (T32,V8) -> (M16,K16): a0 (g, 2t..2t+1), a1 (g+8, 2t..), a2 (g, 2t+8..), a3 (g+8, 2t+8..);
/// B (T32,V4) -> (K16,N8): b0 (2t..2t+1, g), b1 (2t+8.., g);
/// C (T32,V4) -> (M16,N8): c0 (g, 2t), c1 (g, 2t+1), c2 (g+8, 2t), c3 (g+8, 2t+1).
__device__ __forceinline__ void mma_16816_bf16(float& c0, float& c1, float& c2, float& c3, const u32 (&a)[4], u32 b0, u32 b1) {
  asm volatile("mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, {%0,%1,%2,%3};"
               : "+f"(c0), "+f"(c1), "+f"(c2), "+f"(c3)
               : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b0), "r"(b1));
}
/// SM80_16x8x16_F32F16F16F32_TN: as above with f16 operands.
__device__ __forceinline__ void mma_16816_f16(float& c0, float& c1, float& c2, float& c3, const u32 (&a)[4], u32 b0, u32 b1) {
  asm volatile("mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, {%0,%1,%2,%3};"
               : "+f"(c0), "+f"(c1), "+f"(c2), "+f"(c3)
               : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b0), "r"(b1));
}
#endif

// ---- Hopper warpgroup MMA (sm_90a) ----------------------------------------------------------
// The printer (gpu_common/printer_wgmma.cpp) spells each wgmma.mma_async shape it uses as one
// function in the kernel's preamble (its accumulator list is N/2 registers long); these are the
// pieces every shape shares.
#if __CUDA_ARCH__ >= 900
/// Orders this thread's generic-proxy writes to shared memory (st.shared, and cp.async, which
/// completes in the generic proxy) before later async-proxy reads of the same bytes: wgmma
/// reading its operands through descriptors, or TMA (PTX ISA "membar/fence": fence.proxy.async;
/// memory consistency model, "proxies"). Each writing thread fences, then a barrier publishes.
__device__ __forceinline__ void fence_proxy_async() { asm volatile("fence.proxy.async.shared::cta;" ::: "memory"); }
#endif

// ---- TMA and mbarriers (sm_90+) -------------------------------------------------------------
/// A TMA tensor map (cuda.h CUtensorMap: 128 opaque bytes), encoded on the host per launch
/// (backend::TensorMapParam) and passed by value as a `const __grid_constant__` parameter, so
/// its address is the parameter's own (PTX ISA "Tensor map": in param, const or global space).
struct __align__(64) tensor_map {
  u64 opaque[16];
};
#if __CUDA_ARCH__ >= 900
/// mbarrier.init: `count` arrivals complete a phase (PTX ISA "mbarrier"); one thread initialises.
__device__ __forceinline__ void mbar_init(u64* bar, u32 count) {
  asm volatile("mbarrier.init.shared::cta.b64 [%0], %1;" ::"r"(u32(__cvta_generic_to_shared(bar))), "r"(count) : "memory");
}
/// Makes the initialisation visible to the async proxy (TMA's complete_tx) and other threads;
/// a barrier follows before anyone uses the mbarriers.
__device__ __forceinline__ void mbar_init_fence() { asm volatile("fence.mbarrier_init.release.cluster;" ::: "memory"); }
/// mbarrier.inval: before the shared memory is initialised again (a persistent program's next tile).
__device__ __forceinline__ void mbar_inval(u64* bar) {
  asm volatile("mbarrier.inval.shared::cta.b64 [%0];" ::"r"(u32(__cvta_generic_to_shared(bar))) : "memory");
}
/// The producer's arrival, announcing `bytes` the phase's TMA copies will deliver (complete_tx).
__device__ __forceinline__ void mbar_arrive_expect_tx(u64* bar, u32 bytes) {
  asm volatile("mbarrier.arrive.expect_tx.shared::cta.b64 _, [%0], %1;" ::"r"(u32(__cvta_generic_to_shared(bar))),
               "r"(bytes) : "memory");
}
/// Spins until the phase with parity `parity` has completed: every copy of it has landed and is
/// visible to this thread (and to wgmma it issues afterwards).
__device__ __forceinline__ void mbar_wait(u64* bar, u32 parity) {
  const u32 a = u32(__cvta_generic_to_shared(bar));
  u32 done = 0;
  do {
    asm volatile("{\n.reg .pred p;\nmbarrier.try_wait.parity.shared::cta.b64 p, [%1], %2;\nselp.u32 %0, 1, 0, p;\n}"
                 : "=r"(done) : "r"(a), "r"(parity) : "memory");
  } while (!done);
}
/// Fetches a tensor map into the descriptor cache ahead of its first copy.
__device__ __forceinline__ void tma_prefetch(const tensor_map* map) {
  asm volatile("prefetch.tensormap [%0];" ::"l"(reinterpret_cast<u64>(map)) : "memory");
}
/// cp.async.bulk.tensor.2d: the box of `map` at element coordinates (col, row) -> `smem`
/// (swizzled as the map says; elements outside the tensor arrive as zeros), completing on `bar`.
__device__ __forceinline__ void tma_load_2d(void* smem, const tensor_map* map, int col, int row, u64* bar) {
  asm volatile("cp.async.bulk.tensor.2d.shared::cluster.global.mbarrier::complete_tx::bytes [%0], [%1, {%2, %3}], [%4];"
               ::"r"(u32(__cvta_generic_to_shared(smem))), "l"(reinterpret_cast<u64>(map)), "r"(col), "r"(row),
               "r"(u32(__cvta_generic_to_shared(bar))) : "memory");
}
#endif
#if defined(__CUDA_ARCH_FEAT_SM90_ALL)
/// wgmma shared-memory matrix descriptor (PTX ISA "Matrix Descriptor Format" of
/// wgmma.mma_async): bits 0-13 start address >> 4, 16-29 leading-dimension byte offset >> 4,
/// 32-45 stride-dimension byte offset >> 4, 49-51 base offset (0: every swizzle pattern starts
/// at an address aligned to its repeat, 1024 bytes for 128B), 62-63 swizzle mode (1 = 128B,
/// 2 = 64B, 3 = 32B). Adding b >> 4 to a descriptor moves its start by b bytes (b < 256 KB).
__device__ __forceinline__ u64 wgmma_desc(const void* smem, u32 lbo_bytes, u32 sbo_bytes, u32 swizzle) {
  const u32 a = u32(__cvta_generic_to_shared(smem));
  return u64((a & 0x3FFFFu) >> 4) | (u64((lbo_bytes >> 4) & 0x3FFFu) << 16) | (u64((sbo_bytes >> 4) & 0x3FFFu) << 32) |
         (u64(swizzle) << 62);
}
/// wgmma.fence: required before the first wgmma.mma_async of a warpgroup and after any other
/// instruction touched its accumulator registers (PTX ISA "wgmma.fence").
__device__ __forceinline__ void wgmma_fence() { asm volatile("wgmma.fence.sync.aligned;" ::: "memory"); }
/// Closes the group of wgmma.mma_async issued by this warpgroup since the last commit.
__device__ __forceinline__ void wgmma_commit() { asm volatile("wgmma.commit_group.sync.aligned;" ::: "memory"); }
/// Waits until at most N committed wgmma groups are pending: their accumulators may be read and
/// the shared memory they read may be overwritten (PTX ISA "wgmma.wait_group").
template <int N> __device__ __forceinline__ void wgmma_wait() { asm volatile("wgmma.wait_group.sync.aligned %0;" ::"n"(N) : "memory"); }
/// Keeps the compiler from moving accesses of an accumulator register across a wgmma fence,
/// commit or wait (the registers are written asynchronously; CUTLASS warpgroup_fence_operand).
__device__ __forceinline__ void fence_operand(float& x) { asm volatile("" : "+f"(x)::"memory"); }
#endif

}  // namespace ts
