# SPDX-License-Identifier: Apache-2.0
"""The case lists and the check summary of scripts/device/ops-check.sh (no torch needed).

  python3 bench/ops_check_report.py subset DIR OP...  # DIR/cases_<op>.json -> DIR/timed_<op>.json and the
                                                      # check parts DIR/checkpart_<op>.<k>.json
  python3 bench/ops_check_report.py checks DIR OP...  # DIR/check_<op>.<k>.json -> one line per op
  python3 bench/ops_check_report.py where DIR 'F=V,...' OP...  # keep the timed cases whose fields F equal V
  python3 bench/ops_check_report.py compare DIR OP...  # DIR/{before,after}_<op>.<rep>.json -> per case
                                                      # medians over the repeats and after / before
"""
import glob
import json
import os
import statistics
import sys

# Cases per check process: an op with more runs its check in parts, in parallel. silu_mul_fp8's
# 306 cases pick 275 distinct vLLM keys, each a separate NVRTC compile: one process checked
# 275 of them in 225 s on the H100 while 23 other processes ran.
CHECK_PART = 80


def load_records(path):
    """The records of `tessera run --json` (one per line inside one array); a run stopped at
    its time limit leaves a cut-off array whose finished records still count."""
    if not os.path.exists(path):
        return []
    rows = []
    for line in open(path).read().splitlines():
        line = line.strip().rstrip(",")
        if line.startswith("{"):
            try:
                rows.append(json.loads(line))
            except ValueError:
                pass
    return rows


def timed_subset(op, cases):
    """The cases timed against torch.compile: all of them, except silu_mul_fp8's 306 (51 token
    counts x 6 sizes), of which the power-of-two token counts 1..512 (10 x 6) are timed."""
    if op == "silu_mul_fp8":
        return [c for c in cases if c["numtokens"] & (c["numtokens"] - 1) == 0]
    return cases


def check_parts(cases):
    """The cases split into ceil(n / CHECK_PART) parts, round robin (each part gets every size)."""
    n = max(1, -(-len(cases) // CHECK_PART))
    return [cases[k::n] for k in range(n)]


def subset(d, ops):
    for op in ops:
        try:
            cases = json.load(open(os.path.join(d, f"cases_{op}.json")))
        except (OSError, ValueError) as e:
            print(f"{op}: no case list ({e})")
            continue
        timed = timed_subset(op, cases)
        json.dump(timed, open(os.path.join(d, f"timed_{op}.json"), "w"))
        parts = check_parts(cases)
        for k, part in enumerate(parts):
            json.dump(part, open(os.path.join(d, f"checkpart_{op}.{k}.json"), "w"))
        print(f"{op}: {len(cases)} cases in {len(parts)} check parts, {len(timed)} timed")


def checks(d, ops):
    for op in ops:
        rs = [r for path in sorted(glob.glob(os.path.join(d, f"check_{op}.*.json"))) for r in load_records(path)]
        listed = os.path.join(d, f"cases_{op}.json")
        total = len(json.load(open(listed))) if os.path.exists(listed) else "?"
        if not rs:
            paths = sorted(glob.glob(os.path.join(d, f"check_{op}.*.err")))
            err = open(paths[0]).read().strip().splitlines() if paths else []
            print(f"check {op:36s} NO RESULTS: {err[-1] if err else '(no output)'}")
            continue
        fails = [r for r in rs if not r.get("pass", False)]
        worst = {}
        for r in rs:
            for e in r.get("errors", []):
                v = float("inf") if e["max_ulp"] == "inf" else e["max_ulp"]
                worst[e["arg"]] = max(worst.get(e["arg"], 0), v)
        keys = {json.dumps(r["picked_key"], sort_keys=True) for r in rs}
        print(f"check {op:36s} {len(rs) - len(fails)}/{len(rs)} pass (of {total} cases)  max ulp {worst}  "
              f"{len(keys)} picked keys ({sum(r['default_fallback'] for r in rs)} default fallbacks)")
        for r in fails[:3]:
            print(f"   FAIL {json.dumps(r['case'], sort_keys=True)}: {r.get('errors')}")


def where(d, spec, ops):
    """Restricts DIR/timed_<op>.json to the cases whose fields match every F=V of `spec` (a case
    without field F is kept: the filter names fields of some ops only)."""
    want = {f: int(v) for f, v in (kv.split("=") for kv in spec.split(","))}
    for op in ops:
        path = os.path.join(d, f"timed_{op}.json")
        if not os.path.exists(path):
            continue
        cases = [c for c in json.load(open(path)) if all(c.get(f, v) == v for f, v in want.items())]
        json.dump(cases, open(path, "w"))
        print(f"{op}: {len(cases)} timed cases where {spec}")


def compare(d, ops):
    """Per case: the median Tessera time over the repeats of the comparison binary (before_*) and
    of this build (after_*), run alternately in the same call, and after / before."""
    for op in ops:
        times = {}
        for side in ("before", "after"):
            for path in sorted(glob.glob(os.path.join(d, f"{side}_{op}.*.json"))):
                for r in load_records(path):
                    times.setdefault(json.dumps(r["case"], sort_keys=True), {}).setdefault(side, []).append(r["time_us"])
        for case, t in sorted(times.items()):
            if "before" not in t or "after" not in t:
                continue
            b, a = statistics.median(t["before"]), statistics.median(t["after"])
            print(f"compare {op:34s} {case:60s} before {b:8.1f} us  after {a:8.1f} us  after/before {a / b:5.3f}  "
                  f"(runs: before {' '.join(f'{x:.1f}' for x in t['before'])}; after {' '.join(f'{x:.1f}' for x in t['after'])})")


if __name__ == "__main__":
    if len(sys.argv) < 3 or sys.argv[1] not in ("subset", "checks", "where", "compare"):
        sys.exit(__doc__)
    if sys.argv[1] == "where":
        where(sys.argv[2], sys.argv[3], sys.argv[4:])
    else:
        {"subset": subset, "checks": checks, "compare": compare}[sys.argv[1]](sys.argv[2], sys.argv[3:])
