// SPDX-License-Identifier: Apache-2.0
// Times one compiled matmul kernel variant at 4096^3 through the driver API, outside Tessera's
// runtime: `harness CUBIN DYNAMIC_SMEM_BYTES [REF]`. CUBIN holds `ts_matmul` generated for
// m = n = k = 4096 with 128x256 tiles and 256 threads (`tessera codegen matmul --target sm_90a
// --config ... --size m=4096 ...`, possibly edited by hand, then `nvcc -cubin`). The output is
// checked against 64 float64 dot products and, with REF, bitwise against the first variant's
// output (written to REF when the file does not exist): hand edits that keep the instruction
// order keep the bits. bench/matmul_variants/run.sh builds and runs it; bench/RESULTS.md
// (issue 5) has what it measured.
#include <cuda.h>
#include <cuda_runtime.h>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>
#define CK(x) do { cudaError_t e = (x); if (e != cudaSuccess) { printf("%s: %s\n", #x, cudaGetErrorString(e)); return 2; } } while (0)
static float bf(unsigned short h) { unsigned u = unsigned(h) << 16; float f; memcpy(&f, &u, 4); return f; }
int main(int argc, char** argv) {
  if (argc < 3) { printf("usage: harness CUBIN DYNAMIC_SMEM_BYTES [REF]\n"); return 2; }
  const int SMEM = atoi(argv[2]);
  const int N = 4096; const size_t n = size_t(N) * N;
  std::vector<unsigned short> a(n), b(n), out(n);
  unsigned s = 12345;
  for (size_t i = 0; i < n; ++i) { s = s * 1664525u + 1013904223u; float v = ((s >> 9) & 0x3FFF) / 8192.0f - 1.0f; unsigned u; memcpy(&u, &v, 4); a[i] = u >> 16; }
  for (size_t i = 0; i < n; ++i) { s = s * 1664525u + 1013904223u; float v = ((s >> 9) & 0x3FFF) / 8192.0f - 1.0f; unsigned u; memcpy(&u, &v, 4); b[i] = u >> 16; }
  unsigned short *da, *db, *dout;
  CK(cudaMalloc(&da, n * 2)); CK(cudaMalloc(&db, n * 2)); CK(cudaMalloc(&dout, n * 2));
  CK(cudaMemcpy(da, a.data(), n * 2, cudaMemcpyHostToDevice)); CK(cudaMemcpy(db, b.data(), n * 2, cudaMemcpyHostToDevice));
  CK(cudaMemset(dout, 0xFF, n * 2));
  const unsigned grid = (N / 128) * (N / 256);
  CK(cudaFree(0));
  CUmodule mod; CUfunction fn;
  if (cuModuleLoad(&mod, argv[1]) != CUDA_SUCCESS || cuModuleGetFunction(&fn, mod, "ts_matmul") != CUDA_SUCCESS) { printf("load %s failed\n", argv[1]); return 2; }
  if (cuFuncSetAttribute(fn, CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES, SMEM) != CUDA_SUCCESS) { printf("smem attr failed\n"); return 2; }
  void* args[] = {&da, &db, &dout};
  auto launch = [&] { return cuLaunchKernel(fn, grid, 1, 1, 256, 1, 1, SMEM, nullptr, args, nullptr); };
  for (int i = 0; i < 3; ++i) if (launch() != CUDA_SUCCESS) { printf("launch failed\n"); return 2; }
  CK(cudaGetLastError()); CK(cudaDeviceSynchronize());
  cudaEvent_t e0, e1; cudaEventCreate(&e0); cudaEventCreate(&e1);
  std::vector<float> ms;
  for (int i = 0; i < 40; ++i) {
    cudaEventRecord(e0); launch(); cudaEventRecord(e1); cudaEventSynchronize(e1);
    float t; cudaEventElapsedTime(&t, e0, e1); ms.push_back(t);
  }
  CK(cudaGetLastError());
  std::sort(ms.begin(), ms.end());
  CK(cudaMemset(dout, 0xFF, n * 2)); launch(); CK(cudaDeviceSynchronize());
  CK(cudaMemcpy(out.data(), dout, n * 2, cudaMemcpyDeviceToHost));
  double worst = 0;
  for (int t = 0; t < 64; ++t) {
    const int i = (t * 977) % N, j = (t * 1231 + 17) % N;
    double r = 0; for (int k = 0; k < N; ++k) r += double(bf(a[size_t(i) * N + k])) * bf(b[size_t(k) * N + j]);
    worst = std::max(worst, std::abs(bf(out[size_t(i) * N + j]) - r) / (std::abs(r) + 1.0));
  }
  long diff = -1;
  if (argc > 3) {
    FILE* f = fopen(argv[3], "rb");
    if (f) { std::vector<unsigned short> ref(n); if (fread(ref.data(), 2, n, f) == n) { diff = 0; for (size_t i = 0; i < n; ++i) diff += ref[i] != out[i]; } fclose(f); }
    else { f = fopen(argv[3], "wb"); fwrite(out.data(), 2, n, f); fclose(f); diff = 0; }
  }
  printf("%s median %.1f us (min %.1f) %.0f TFLOP/s; vs float64 (64 samples) max rel %.2e; bits differing from ref %ld\n",
         argv[1], ms[ms.size() / 2] * 1e3, ms[0] * 1e3, 2.0 * N * N * N / (ms[ms.size() / 2] * 1e-3) / 1e12, worst, diff);
  return worst < 2e-2 && diff == 0 ? 0 : 1;
}
