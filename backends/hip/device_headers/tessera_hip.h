// SPDX-License-Identifier: Apache-2.0
// Device helpers every generated HIP kernel starts with, embedded into the source at build time
// (backends/gpu_common/device_headers_embed.cmake): RTC-clean, no includes, only what hiprtc
// provides without headers (threadIdx, __syncthreads, __shfl_xor, the ocml math functions) and
// clang's AMDGPU builtins. The names are those of backends/cuda/device_headers/tessera_cuda.h
// (STYLE A2: the shared printer spells every vendor operation through `ts::`), so generated
// CUDA and HIP code differ only in this text, the dialect's matrix instructions and attributes.
//
// Conversions follow tessera/ir/ir.h exactly: round to nearest even; f16/bf16 overflow to inf;
// fp8 saturates to the finite range (±inf too) and keeps NaN. f16 uses the hardware conversion
// (v_cvt_f16_f32 rounds to nearest even on every gfx target). bf16 and fp8 are converted in
// software on every target, bit-identical to the CUDA header's fallbacks:
// * the fp8 conversion instructions of gfx940/941/942 (v_cvt_pk_fp8_f32) produce the FNUZ
//   formats (bias 8, one NaN, no -0), not OCP e4m3fn/e5m2 which Tessera stores;
// * gfx950 and gfx12 have OCP fp8 and bf16 conversions, but no compiler here knows those
//   targets (ROCm 5.2), so a hardware path could not be compiled or tested.
#pragma once
#define TS_GPU_WARP_SIZE __AMDGCN_WAVEFRONT_SIZE

namespace ts {

typedef long long i64;
typedef unsigned long long u64;
typedef unsigned int u32;
typedef unsigned short u16;
typedef unsigned char u8;

// ---- f32 bit casts -------------------------------------------------------------------------
__device__ __forceinline__ u32 bits(float x) { return __builtin_bit_cast(u32, x); }
__device__ __forceinline__ float from_bits(u32 b) { return __builtin_bit_cast(float, b); }

// ---- bf16 ----------------------------------------------------------------------------------
__device__ __forceinline__ float bf16_to_f32(u16 b) { return from_bits(u32(b) << 16); }
__device__ __forceinline__ u16 f32_to_bf16(float x) {
  const u32 u = bits(x);
  if ((u & 0x7FFFFFFFu) > 0x7F800000u) return u16((u >> 16) | 0x40u);  // quiet NaN
  return u16((u + 0x7FFFu + ((u >> 16) & 1u)) >> 16);
}

// ---- f16 (clang's _Float16: v_cvt_f32_f16 / v_cvt_f16_f32) -----------------------------------
__device__ __forceinline__ float f16_to_f32(u16 h) { return float(__builtin_bit_cast(_Float16, h)); }
__device__ __forceinline__ u16 f32_to_f16(float x) { return __builtin_bit_cast(u16, _Float16(x)); }

// ---- fp8 (OCP e4m3fn, e5m2), in software: see the file comment ------------------------------
__device__ __forceinline__ float f8e4m3fn_to_f32(u8 b) {
  const u32 sign = u32(b & 0x80u) << 24, e = (b >> 3) & 0xFu, m = b & 7u;
  if ((b & 0x7Fu) == 0x7Fu) return from_bits(sign | 0x7FC00000u);
  if (e == 0) return sign ? -float(m) * 0x1p-9f : float(m) * 0x1p-9f;  // subnormal: exact
  return from_bits(sign | ((e + 120u) << 23) | (m << 20));
}
__device__ __forceinline__ u8 f32_to_f8e4m3fn(float x) {
  const u32 u = bits(x), sign = (u >> 24) & 0x80u, a = u & 0x7FFFFFFFu;
  if (a > 0x7F800000u) return u8(sign | 0x7Fu);
  if (a >= 0x43E00000u) return u8(sign | 0x7Eu);  // >= 448 (and inf): saturate
  if (a < 0x3C800000u) return u8(sign | u32(__float2int_rn(from_bits(a) * 0x1p9f)));
  const u32 r = a - (120u << 23);
  return u8(sign | ((r + 0x7FFFFu + ((r >> 20) & 1u)) >> 20));
}
__device__ __forceinline__ float f8e5m2_to_f32(u8 b) { return f16_to_f32(u16(u16(b) << 8)); }
__device__ __forceinline__ u8 f32_to_f8e5m2(float x) {
  const u32 u = bits(x), sign = (u >> 24) & 0x80u, a = u & 0x7FFFFFFFu;
  if (a > 0x7F800000u) return u8(sign | 0x7Eu);
  if (a >= 0x47600000u) return u8(sign | 0x7Bu);  // >= 57344 (and inf): saturate
  if (a < 0x38800000u) return u8(sign | u32(__float2int_rn(from_bits(a) * 0x1p16f)));
  const u32 r = a - (112u << 23);
  return u8(sign | ((r + 0xFFFFFu + ((r >> 21) & 1u)) >> 21));
}

// ---- rounding an f32-held value to a narrower format (ir.h: half ops round each result) ----
__device__ __forceinline__ float round_bf16(float x) { return bf16_to_f32(f32_to_bf16(x)); }
__device__ __forceinline__ float round_f16(float x) { return f16_to_f32(f32_to_f16(x)); }
__device__ __forceinline__ float round_f8e4m3fn(float x) { return f8e4m3fn_to_f32(f32_to_f8e4m3fn(x)); }
__device__ __forceinline__ float round_f8e5m2(float x) { return f8e5m2_to_f32(f32_to_f8e5m2(x)); }

// ---- two f32 values to two adjacent narrow elements (vector stores; CUDA packs the pair into
// one instruction, here the scalar conversions: see the file comment) --------------------------
__device__ __forceinline__ void f32x2_to_bf16(float lo, float hi, u16& a, u16& b) { a = f32_to_bf16(lo), b = f32_to_bf16(hi); }
__device__ __forceinline__ void f32x2_to_f16(float lo, float hi, u16& a, u16& b) { a = f32_to_f16(lo), b = f32_to_f16(hi); }
__device__ __forceinline__ void f32x2_to_f8e4m3fn(float lo, float hi, u8& a, u8& b) {
  a = f32_to_f8e4m3fn(lo), b = f32_to_f8e4m3fn(hi);
}
__device__ __forceinline__ void f32x2_to_f8e5m2(float lo, float hi, u8& a, u8& b) { a = f32_to_f8e5m2(lo), b = f32_to_f8e5m2(hi); }

__device__ __forceinline__ void round2_bf16(float& a, float& b) { a = round_bf16(a), b = round_bf16(b); }

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

// ---- fast math (MathMode::fast, bounds in ir/ops.h) -----------------------------------------
// HIP's __fdividef is the IEEE division (amd_math_functions.h, ROCm 5.2), which is the slow
// path the fast mode exists to avoid. v_rcp_f32 (1 ulp) and one Newton-Raphson correction of
// the quotient keep the result within ops.h's 2 ulp for divisors in [2^-126, 2^126].
__device__ __forceinline__ float fast_div(float a, float b) {
  const float r = __builtin_amdgcn_rcpf(b);
  const float q = a * r;
  return __builtin_fmaf(__builtin_fmaf(-b, q, a), r, q);
}
__device__ __forceinline__ float fast_exp(float x) { return __expf(x); }  // v_exp_f32(x·log2 e)
__device__ __forceinline__ float fast_exp2(float x) { return exp2f(x); }  // ocml: 1 ulp
__device__ __forceinline__ float fast_sigmoid(float x) { return fast_div(1.0f, 1.0f + __expf(-x)); }
__device__ __forceinline__ float fast_silu(float x) { return fast_div(x, 1.0f + __expf(-x)); }
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

// ---- wavefront shuffles (butterfly: every lane gets the combined value) ---------------------
// A wavefront is 64 lanes on gfx9 (GCN, CDNA) and 32 on gfx10+ compiled for wave32 (hiprtc's
// default there); __shfl_xor's width defaults to warpSize, so masks up to warpSize/2 are valid.
template <typename T> __device__ __forceinline__ T shfl_xor(T v, int mask) { return __shfl_xor(v, mask); }
__device__ __forceinline__ void barrier() { __syncthreads(); }

// ---- vector global accesses (load_eviction_policies have no AMD meaning: Hint is ignored) ----
/// N elements of T moved as one access (N·sizeof(T) in {2, 4, 8, 16} bytes, naturally aligned):
/// global_load_dwordx4 for 16 bytes.
template <typename T, int N> struct alignas(sizeof(T) * N) vec { T v[N]; };
template <typename T, int N, int Hint>
__device__ __forceinline__ vec<T, N> vload(const T* p) { return *reinterpret_cast<const vec<T, N>*>(p); }
template <typename T, int N>
__device__ __forceinline__ void vstore(T* p, const vec<T, N>& v) { *reinterpret_cast<vec<T, N>*>(p) = v; }

// ---- matrix instructions --------------------------------------------------------------------
// MFMA (CDNA: gfx908, gfx90a, gfx94x, gfx950), one wavefront of 64 lanes, D = A·B + C with f32
// accumulators. Fragment layouts, lane l (AMD's "AMD matrix instruction calculator"):
//   32x32x8 (f16, bf16_1k): a[i] = A[l % 32][4·(l / 32) + i], b[i] = B[4·(l / 32) + i][l % 32],
//                           c[4·g + j] = C[8·g + 4·(l / 32) + j][l % 32]   (g, j < 4)
//   16x16x16 (f16, bf16_1k): a[i] = A[l % 16][4·(l / 16) + i], b[i] = B[4·(l / 16) + i][l % 16],
//                           c[j] = C[4·(l / 16) + j][l % 16]
//   32x32x2 / 16x16x4 (f32): a = A[l % D][l / D], b = B[l / D][l % D], c as above.
// The bf16 "_1k" forms need gfx90a+ (gfx908 has only the slower 32x32x4bf16).
typedef float f32x4 __attribute__((ext_vector_type(4)));
typedef float f32x16 __attribute__((ext_vector_type(16)));
typedef short i16x4 __attribute__((ext_vector_type(4)));
typedef _Float16 f16x4 __attribute__((ext_vector_type(4)));
#if defined(__gfx90a__) || defined(__gfx940__) || defined(__gfx941__) || defined(__gfx942__) || \
    defined(__gfx950__)
/// GFX90A_32x32x8_F32BF16BF16F32: (T64,V16) -> (M32,N32).
__device__ __forceinline__ void mfma_32x32x8_bf16(f32x16& c, const u16 (&a)[4], const u16 (&b)[4]) {
  c = __builtin_amdgcn_mfma_f32_32x32x8bf16_1k(__builtin_bit_cast(i16x4, a), __builtin_bit_cast(i16x4, b), c, 0, 0, 0);
}
/// GFX90A_16x16x16_F32BF16BF16F32: (T64,V4) -> (M16,N16).
__device__ __forceinline__ void mfma_16x16x16_bf16(f32x4& c, const u16 (&a)[4], const u16 (&b)[4]) {
  c = __builtin_amdgcn_mfma_f32_16x16x16bf16_1k(__builtin_bit_cast(i16x4, a), __builtin_bit_cast(i16x4, b), c, 0, 0, 0);
}
#endif
#if defined(__gfx908__) || defined(__gfx90a__) || defined(__gfx940__) || defined(__gfx941__) || \
    defined(__gfx942__) || defined(__gfx950__)
/// GFX908_32x32x8_F32F16F16F32.
__device__ __forceinline__ void mfma_32x32x8_f16(f32x16& c, const u16 (&a)[4], const u16 (&b)[4]) {
  c = __builtin_amdgcn_mfma_f32_32x32x8f16(__builtin_bit_cast(f16x4, a), __builtin_bit_cast(f16x4, b), c, 0, 0, 0);
}
/// GFX908_16x16x16_F32F16F16F32.
__device__ __forceinline__ void mfma_16x16x16_f16(f32x4& c, const u16 (&a)[4], const u16 (&b)[4]) {
  c = __builtin_amdgcn_mfma_f32_16x16x16f16(__builtin_bit_cast(f16x4, a), __builtin_bit_cast(f16x4, b), c, 0, 0, 0);
}
/// GFX908_32x32x2_F32F32F32F32.
__device__ __forceinline__ void mfma_32x32x2_f32(f32x16& c, float a, float b) {
  c = __builtin_amdgcn_mfma_f32_32x32x2f32(a, b, c, 0, 0, 0);
}
/// GFX908_16x16x4_F32F32F32F32.
__device__ __forceinline__ void mfma_16x16x4_f32(f32x4& c, float a, float b) {
  c = __builtin_amdgcn_mfma_f32_16x16x4f32(a, b, c, 0, 0, 0);
}
#endif
// WMMA (RDNA3: gfx11, wave32), D = A·B + C over 16x16x16 with f32 accumulators. Lane l (RDNA3 ISA
// "Wave Matrix Multiply Accumulate"; AMD matrix instruction calculator, gfx11):
//   a[i] = A[l % 16][i], b[i] = B[i][l % 16] (lanes 16-31 must hold the same as lanes 0-15),
//   c[r] = C[2·r + l / 16][l % 16]   (r < 8)
typedef float f32x8 __attribute__((ext_vector_type(8)));
typedef short i16x16 __attribute__((ext_vector_type(16)));
typedef _Float16 f16x16 __attribute__((ext_vector_type(16)));
#if defined(__gfx1100__) || defined(__gfx1101__) || defined(__gfx1102__) || defined(__gfx1103__) || \
    defined(__gfx1150__) || defined(__gfx1151__) || defined(__gfx1152__)
/// GFX11_16x16x16_F32BF16BF16F32: v_wmma_f32_16x16x16_bf16.
__device__ __forceinline__ void wmma_16x16x16_bf16(f32x8& c, const u16 (&a)[16], const u16 (&b)[16]) {
  c = __builtin_amdgcn_wmma_f32_16x16x16_bf16_w32(__builtin_bit_cast(i16x16, a), __builtin_bit_cast(i16x16, b), c);
}
/// GFX11_16x16x16_F32F16F16F32: v_wmma_f32_16x16x16_f16.
__device__ __forceinline__ void wmma_16x16x16_f16(f32x8& c, const u16 (&a)[16], const u16 (&b)[16]) {
  c = __builtin_amdgcn_wmma_f32_16x16x16_f16_w32(__builtin_bit_cast(f16x16, a), __builtin_bit_cast(f16x16, b), c);
}
#endif

}  // namespace ts
