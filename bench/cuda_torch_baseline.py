# SPDX-License-Identifier: Apache-2.0
"""Baselines for bench/cuda_examples_bench.cpp on the same device, in the same run:
torch.compile of silu_mul_fp8 (vLLM's reference semantics) at the benchmark's shapes,
cuBLAS through torch.matmul (bf16, 4096^3 and 8192^3) and torch's device-to-device copy.
Times are CUDA-event medians after warm-up; prints one table. --no-matmul skips cuBLAS."""
import statistics
import sys
import torch

def median_ms(fn, reps=50, warmup=5):
    for _ in range(warmup):
        fn()
    torch.cuda.synchronize()
    times = []
    for _ in range(reps):
        a, b = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        a.record(); fn(); b.record(); b.synchronize()
        times.append(a.elapsed_time(b))
    return statistics.median(times)

def silu_mul_fp8(x, scale):
    d = x.shape[1] // 2
    prod = (torch.nn.functional.silu(x[:, :d]) * x[:, d:]).to(torch.float32)
    return (prod * (1.0 / scale)).clamp(-448.0, 448.0).to(torch.float8_e4m3fn)

def main():
    print("device", torch.cuda.get_device_name(0), "torch", torch.__version__)
    n = 256 * 2**20
    src = torch.randn(n // 4, device="cuda"); dst = torch.empty_like(src)
    ms = median_ms(lambda: dst.copy_(src))
    print(f"torch_copy 256MB: {ms*1e3:.1f} us  {2*n/ms/1e6:.1f} GB/s")
    scale = torch.tensor([0.5], device="cuda")
    for tokens in (1, 16, 256, 512, 4096):
        for inter in (4096, 14336):
            x = torch.randn(tokens, 2 * inter, device="cuda", dtype=torch.bfloat16)
            torch._dynamo.reset()  # one specialized compile per shape (no recompile limit)
            compiled = torch.compile(silu_mul_fp8, dynamic=False)
            ms = median_ms(lambda: compiled(x, scale), reps=100)
            print(f"torch_compile silu_mul_fp8 {tokens}x{inter}: {ms*1e3:.2f} us")
    for size in (() if "--no-matmul" in sys.argv else (4096, 8192)):
        a = torch.randn(size, size, device="cuda", dtype=torch.bfloat16)
        b = torch.randn(size, size, device="cuda", dtype=torch.bfloat16)
        ms = median_ms(lambda: a @ b, reps=20)
        print(f"cublas matmul bf16 {size}^3: {ms*1e3:.1f} us  {2*size**3/ms/1e9:.1f} TFLOP/s")

if __name__ == "__main__":
    main()
