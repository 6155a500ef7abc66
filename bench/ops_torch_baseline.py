# SPDX-License-Identifier: Apache-2.0
"""torch.compile baselines for every op of the library, at the cases `tessera run OP --json`
measured, in the same device call (scripts/device/ops-check.sh).

  python3 bench/ops_torch_baseline.py warm OP...       # compile (fills inductor's disk caches)
  python3 bench/ops_torch_baseline.py time DIR [--iters N] [--deadline S]
                                                      # time DIR/time_<op>.json's cases -> DIR/torch_rows.jsonl
  python3 bench/ops_torch_baseline.py summary DIR     # per-op and overall geometric means, slower cases

Each op is written in plain torch with the semantics of ../shared/OPS.md (vLLM's baselines) or,
for rms_norm/layer_norm/softmax/add/matmul, the usual torch spelling, and compiled with
torch.compile's defaults (inductor, no max-autotune: matmul goes to cuBLAS). Shapes: per op
the model dimensions (hidden size, group size, heads, n/k) are static and the token dimension is
marked dynamic (`maybe_mark_dynamic`; 1 token specializes, as torch does), so torch compiles
once per model dimension, as Tessera does (its specialization is the row length).
Timing is what `tessera run` does: CUDA events around N back-to-back calls after one warm-up,
mean per call; host overhead counts on both sides. Speed-up = torch time / Tessera time.
"""
import json
import math
import os
import sys
import time

import torch

from ops_check_report import load_records  # beside this file
import torch.nn.functional as F

FP8 = torch.float8_e4m3fn
FP8_MAX = 448.0
MIN_SCALE = 1.0 / (FP8_MAX * 512.0)
BF16 = torch.bfloat16
TOKEN_FIELDS = ("num_tokens", "numtokens", "num_rows", "m")  # the dynamic dimension of each op's key


# ---- the functions (vLLM's baselines, functional: mutated arguments are returned) -------------
def silu_mul_fp8(x, scale):
    d = x.shape[-1] // 2
    return ((F.silu(x[..., :d]) * x[..., d:]).float() * (1.0 / scale)).to(FP8)


def dynamic_per_token_scaled_fp8_quant(x, ub):
    s = torch.minimum(x.float().abs().amax(-1, keepdim=True), ub) / FP8_MAX
    s = s.clamp(min=MIN_SCALE)
    return (x.float() * (1.0 / s)).clamp(-FP8_MAX, FP8_MAX).to(FP8), s


def per_token_group_fp8_quant(x, g: int):
    m, h = x.shape
    xg = x.view(m, h // g, g).float()
    s = xg.abs().amax(-1, keepdim=True).clamp(min=1e-10) / FP8_MAX
    return (xg / s).clamp(-FP8_MAX, FP8_MAX).to(FP8).view(m, h), s.view(m, h // g)


def _rms_quant(x, w, res, ub, g, eps=1e-6):
    xf = x.float() + res.float()
    xn = (xf * torch.rsqrt(xf.pow(2).mean(-1, keepdim=True) + eps)).to(x.dtype) * w
    m, h = x.shape
    xg = xn.float().view(m, h // g, g)
    s = (torch.minimum(xg.abs().amax(-1, keepdim=True), ub) / FP8_MAX).clamp(min=MIN_SCALE)
    return (xg / s).clamp(-FP8_MAX, FP8_MAX).to(FP8).view(m, h), s.view(m, h // g), xf.to(x.dtype)


def rms_norm_dynamic_per_token_quant(x, w, res, ub):
    return _rms_quant(x, w, res, ub, x.shape[-1])


def rms_norm_per_block_quant(x, w, res, ub, g: int):
    return _rms_quant(x, w, res, ub, g)


def silu_and_mul_per_block_quant(x, ub, g: int):
    m, two_i = x.shape
    i = two_i // 2
    a, b = x[:, :i].float(), x[:, i:].float()
    v = (a * torch.sigmoid(a) * b).view(m, i // g, g)
    s = (torch.minimum(v.abs().amax(-1, keepdim=True), ub) / FP8_MAX).clamp(min=MIN_SCALE)
    return (v / s).clamp(-FP8_MAX, FP8_MAX).to(FP8).view(m, i), s.view(m, i // g)


def fused_qk_norm_rope(qkv, qw, kw, cache, pos, hq: int, hkv: int, d: int, eps=1e-6):
    m = qkv.shape[0]
    q, k, v = qkv.split([hq * d, hkv * d, hkv * d], dim=-1)

    def norm(t, w, h):
        t = t.reshape(m, h, d).float()
        return (t * torch.rsqrt(t.pow(2).mean(-1, keepdim=True) + eps)).to(qkv.dtype) * w

    cos, sin = cache[pos].float().chunk(2, dim=-1)
    cos, sin = cos.unsqueeze(1), sin.unsqueeze(1)

    def rope(t):  # neox: pairs (i, i + d/2)
        x1, x2 = t.float().chunk(2, dim=-1)
        return torch.cat([x1 * cos - x2 * sin, x2 * cos + x1 * sin], dim=-1).to(qkv.dtype).reshape(m, -1)

    return torch.cat([rope(norm(q, qw, hq)), rope(norm(k, kw, hkv)), v], dim=-1)


def rms_norm(x, w, eps: float):
    xf = x.float()
    return (xf * torch.rsqrt(xf.pow(2).mean(-1, keepdim=True) + eps) * w.float()).to(x.dtype)


def layer_norm(x, w, b, eps: float):
    return F.layer_norm(x, (x.shape[-1],), w, b, eps)


def softmax(x):
    return torch.softmax(x, dim=-1)


def add(x, y):
    return x + y


def matmul(a, b):
    return a @ b


# ---- inputs at a case key (the shapes the op's input generator makes) ------------------------
def _randn(*shape):
    return torch.randn(*shape, device="cuda", dtype=BF16)


def _ub():
    return torch.tensor([2.0], device="cuda")


def inputs(op, key):
    """(function, tensor arguments, static python arguments) of `op` at case `key`."""
    m = next(key[f] for f in TOKEN_FIELDS if f in key)
    if op == "silu_mul_fp8":
        return silu_mul_fp8, [_randn(m, 2 * key["intermediate"]), torch.ones(1, device="cuda")], []
    if op == "dynamic_per_token_scaled_fp8_quant":
        return dynamic_per_token_scaled_fp8_quant, [_randn(m, key["hidden_size"]), _ub()], []
    if op == "per_token_group_fp8_quant":
        return per_token_group_fp8_quant, [_randn(m, key["hidden_size"])], [key["group_size"]]
    if op == "rms_norm_dynamic_per_token_quant":
        h = key["hidden_size"]
        return rms_norm_dynamic_per_token_quant, [_randn(m, h), _randn(h), _randn(m, h), _ub()], []
    if op == "rms_norm_per_block_quant":
        h = key["hidden_size"]
        return rms_norm_per_block_quant, [_randn(m, h), _randn(h), _randn(m, h), _ub()], [key["group_size"]]
    if op == "silu_and_mul_per_block_quant":
        return silu_and_mul_per_block_quant, [_randn(m, 2 * key["intermediate_size"]), _ub()], [key["group_size"]]
    if op == "fused_qk_norm_rope":
        hq, hkv, d = key["q_heads"], key["kv_heads"], key.get("head_dim", 128)
        cache = _randn(40960, d)
        pos = torch.arange(m, device="cuda", dtype=torch.int64)
        return fused_qk_norm_rope, [_randn(m, (hq + 2 * hkv) * d), _randn(d), _randn(d), cache, pos], [hq, hkv, d]
    if op in ("rms_norm", "add"):
        h = key["hidden_size"]
        if op == "add":
            return add, [_randn(m, h), _randn(m, h)], []
        return rms_norm, [_randn(m, h), _randn(h)], [1e-6]
    if op == "layer_norm":
        h = key["hidden_size"]
        return layer_norm, [_randn(m, h), _randn(h), _randn(h)], [1e-5]
    if op == "softmax":
        return softmax, [_randn(m, key["row_size"])], []
    if op == "matmul":
        return matmul, [_randn(m, key["k"]), _randn(key["k"], key["n"])], []
    raise KeyError(f"no torch baseline for op '{op}'")


_compiled = {}


def call_compiled(op, fn, tensors, static):
    """A thunk calling the compiled function for `op` (one torch.compile per op; its guards
    specialize the model dimensions and keep the token dimension dynamic)."""
    if op not in _compiled:
        _compiled[op] = torch.compile(fn)
    tokens = tensors[0].shape[0]
    if tokens > 1:  # every tensor whose first dimension is the token count
        for t in tensors:
            if t.dim() == 2 and t.shape[0] == tokens and not (op == "matmul" and t is tensors[1]):
                torch._dynamo.maybe_mark_dynamic(t, 0)
    compiled = _compiled[op]
    return lambda: compiled(*tensors, *static)


def time_us(fn, iters):
    fn()
    start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    start.record()
    for _ in range(iters):
        fn()
    end.record()
    end.synchronize()
    return start.elapsed_time(end) * 1e3 / iters


def setup():
    torch._dynamo.config.cache_size_limit = 256
    torch._dynamo.config.automatic_dynamic_shapes = False  # model dims stay static (see above)
    torch.manual_seed(0)


def _case_file(op):
    """The cases of `op` to compile for: $OPS_CASES_DIR/timed_<op>.json (what will be timed), else
    cases_<op>.json (`tessera run OP --list`)."""
    d = os.environ.get("OPS_CASES_DIR", ".")
    for name in (f"timed_{op}.json", f"cases_{op}.json"):
        path = os.path.join(d, name)
        if os.path.exists(path):
            return json.load(open(path))
    return []


def warm(ops):
    """Compiles every op at 1 and 2 tokens per model dimension of its cases (_case_file), so the
    timing process finds inductor's artifacts (FX graph and Triton caches) on disk. One process
    per op runs these in parallel while Tessera's checks run."""
    setup()
    for op in ops:
        seen = set()
        for key in _case_file(op):
            for m in (1, 2):
                k2 = {f: (m if f in TOKEN_FIELDS else v) for f, v in key.items()}
                if json.dumps(k2, sort_keys=True) in seen:
                    continue
                seen.add(json.dumps(k2, sort_keys=True))
                fn, tensors, static = inputs(op, k2)
                call_compiled(op, fn, tensors, static)()
        torch.cuda.synchronize()
        print(f"warm {op}: {len(seen)} shapes", flush=True)


def time_all(result_dir, iters, deadline_s):
    """Times the cases of every DIR/time_<op>.json with torch.compile, appending one record per
    case to DIR/torch_rows.jsonl as it goes; stops starting cases after `deadline_s` seconds."""
    setup()
    t0 = time.time()
    out = open(os.path.join(result_dir, "torch_rows.jsonl"), "a")
    skipped = 0
    for name in sorted(os.listdir(result_dir)):
        if not (name.startswith("time_") and name.endswith(".json")):
            continue
        for r in load_records(os.path.join(result_dir, name)):  # cut-off arrays count too
            op, key, ts_us = r["op"], r["case"], r["time_us"]
            if time.time() - t0 > deadline_s:
                skipped += 1
                continue
            try:
                fn, tensors, static = inputs(op, key)
                t_us = time_us(call_compiled(op, fn, tensors, static), iters)
            except Exception as e:  # a baseline that cannot run is reported, never hidden
                print(f"{op} {json.dumps(key, sort_keys=True)}: torch failed: {type(e).__name__}: {e}", flush=True)
                continue
            ratio = t_us / ts_us if ts_us > 0 else float("nan")
            row = {"op": op, "case": key, "tessera_us": ts_us, "torch_compile_us": t_us, "speedup": ratio}
            out.write(json.dumps(row) + "\n")
            out.flush()
            print(f"{op:36s} {json.dumps(key, sort_keys=True, separators=(',', ':')):60s} "
                  f"tessera {ts_us:9.1f} us  torch.compile {t_us:9.1f} us  speed-up {ratio:6.2f}x", flush=True)
    if skipped:
        print(f"deadline: {skipped} cases not timed with torch.compile (after {deadline_s:.0f} s)", flush=True)


def summary(result_dir):
    """Per op and overall geometric-mean speed-ups of DIR/torch_rows.jsonl, and every case where
    Tessera is slower than torch.compile."""
    rows = [json.loads(l) for l in open(os.path.join(result_dir, "torch_rows.jsonl")) if l.strip()]
    per_op = {}
    for r in rows:
        per_op.setdefault(r["op"], []).append(r)
    gm = lambda xs: math.exp(sum(math.log(x) for x in xs) / len(xs))
    print("per op: cases, geometric-mean speed-up over torch.compile, min, max, cases slower")
    for op, rs in per_op.items():
        xs = [r["speedup"] for r in rs]
        print(f"  {op:36s} {len(xs):4d}  {gm(xs):6.2f}x  {min(xs):6.2f}x  {max(xs):6.2f}x  "
              f"{sum(1 for x in xs if x < 1)}")
    xs = [r["speedup"] for r in rows]
    if xs:
        print(f"ALL: {len(xs)} cases, geometric-mean speed-up over torch.compile {gm(xs):.3f}x; "
              f"{sum(1 for x in xs if x < 1)} cases slower than torch.compile")
    for r in sorted(rows, key=lambda r: r["speedup"]):
        if r["speedup"] >= 1:
            break
        print(f"  slower: {r['op']:36s} {json.dumps(r['case'], sort_keys=True, separators=(',', ':')):60s} "
              f"tessera {r['tessera_us']:9.1f} us  torch.compile {r['torch_compile_us']:9.1f} us  "
              f"{r['speedup']:.2f}x")


if __name__ == "__main__":
    if sys.argv[1] == "summary":
        summary(sys.argv[2])
        sys.exit(0)
    print("device", torch.cuda.get_device_name(0), "torch", torch.__version__, flush=True)
    if sys.argv[1] == "warm":
        warm(sys.argv[2:])
    elif sys.argv[1] == "time":
        iters = int(sys.argv[sys.argv.index("--iters") + 1]) if "--iters" in sys.argv else 20
        deadline = float(sys.argv[sys.argv.index("--deadline") + 1]) if "--deadline" in sys.argv else 1e9
        time_all(sys.argv[2], iters, deadline)
    else:
        sys.exit(__doc__)
