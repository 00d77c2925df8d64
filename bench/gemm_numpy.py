#!/usr/bin/python3
"""Reference GEMM timings from numpy's BLAS (OpenBLAS on Debian), to compare with SharpEdge's GemmBench.

Usage (Debian's python, which has python3-numpy; python3-threadpoolctl is optional but recommended):
    /usr/bin/python3 bench/gemm_numpy.py [--threads N] [--sizes 512,1024,2048] [--dtypes f32,f64] [--shapes]

Threads default to $SHARPEDGE_THREADS, else the core count. The script removes OPENBLAS_CORETYPE and
OPENBLAS_L2_SIZE from its own environment before numpy loads OpenBLAS, so OpenBLAS picks the kernel it detects
for this CPU (pass --keep-openblas-env to keep them); the JSON says which kernel ran.

Prints JSON: {"gemm": [{"n", "dtype", "threads", "gflops"}, ...], "statistic": "median", ...}.
Each figure is the median over repetitions (after a warm-up) that together take >= ~0.5 s.
--shapes adds "shapes": the SharpEdge engine's GEMM shapes, in milliseconds per call (median).
"""
import argparse
import json
import os
import sys
import time

OPENBLAS_OVERRIDES = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
TARGET_SECONDS = 0.5
MIN_REPS, MAX_REPS = 5, 500

# (name, transA, transB, m, n, k): C[m,n] = op(A) op(B), as the engine calls it.
ENGINE_SHAPES = [
    ("forward y=xW^T", False, True, 8192, 512, 3072),
    ("weight grad dW=dy^T x", True, False, 512, 3072, 8192),
    ("input grad dx=dy W", False, False, 8192, 3072, 512),
    ("small forward", False, True, 8, 512, 3072),
    ("small weight grad", True, False, 512, 3072, 8),
]


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    default_threads = int(os.environ.get("SHARPEDGE_THREADS") or os.cpu_count() or 1)
    parser.add_argument("threads_pos", nargs="?", type=int, help="thread count (same as --threads)")
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--sizes", default="512,1024,2048")
    parser.add_argument("--dtypes", default="f32,f64")
    parser.add_argument("--shapes", action="store_true", help="also time the engine's GEMM shapes")
    parser.add_argument("--keep-openblas-env", action="store_true", help="keep OPENBLAS_CORETYPE/OPENBLAS_L2_SIZE")
    args = parser.parse_args()
    args.threads = args.threads or args.threads_pos or default_threads
    return args


args = parse_args()
removed = {}
if not args.keep_openblas_env:
    for name in OPENBLAS_OVERRIDES:
        if name in os.environ:
            removed[name] = os.environ.pop(name)
# Fallback thread control when threadpoolctl is missing; must be set before numpy loads OpenBLAS.
for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[name] = str(args.threads)

import numpy as np  # noqa: E402  (must follow the environment edits above)

try:
    import threadpoolctl
except ImportError:
    threadpoolctl = None

DTYPES = {"f32": np.float32, "f64": np.float64}


def median_seconds(call):
    call()  # warm-up: thread pool start, page faults
    start = time.perf_counter()
    call()
    estimate = max(time.perf_counter() - start, 1e-6)
    reps = int(min(MAX_REPS, max(MIN_REPS, TARGET_SECONDS / estimate)))
    samples = []
    for _ in range(reps):
        start = time.perf_counter()
        call()
        samples.append(time.perf_counter() - start)
    samples.sort()
    return samples[len(samples) // 2]


def run():
    rng = np.random.default_rng(1)
    report = {"gemm": [], "statistic": "median", "threads": args.threads, "numpy": np.__version__,
              "openblas_env_removed": removed}
    for dtype_name in args.dtypes.split(","):
        dtype = DTYPES[dtype_name.strip()]
        for n in (int(s) for s in args.sizes.split(",")):
            a = rng.random((n, n), dtype=np.float64).astype(dtype) - 0.5
            b = rng.random((n, n), dtype=np.float64).astype(dtype) - 0.5
            c = np.empty((n, n), dtype=dtype)
            seconds = median_seconds(lambda: np.matmul(a, b, out=c))
            report["gemm"].append({"n": n, "dtype": dtype_name, "threads": args.threads,
                                   "gflops": round(2.0 * n ** 3 / seconds / 1e9, 2)})
        if args.shapes:
            for name, trans_a, trans_b, m, n, k in ENGINE_SHAPES:
                a = rng.random((k, m) if trans_a else (m, k)).astype(dtype)
                b = rng.random((n, k) if trans_b else (k, n)).astype(dtype)
                op_a = a.T if trans_a else a  # transposed views: numpy passes the flag to BLAS, no copy
                op_b = b.T if trans_b else b
                c = np.empty((m, n), dtype=dtype)
                seconds = median_seconds(lambda: np.matmul(op_a, op_b, out=c))
                report.setdefault("shapes", []).append({
                    "name": name, "transA": trans_a, "transB": trans_b, "m": m, "n": n, "k": k,
                    "dtype": dtype_name, "threads": args.threads, "ms": round(seconds * 1e3, 4),
                    "gflops": round(2.0 * m * n * k / seconds / 1e9, 2)})
    return report


if threadpoolctl is not None:
    with threadpoolctl.threadpool_limits(limits=args.threads, user_api="blas"):
        result = run()
        result["blas"] = [{key: info.get(key) for key in ("internal_api", "version", "architecture", "num_threads", "filepath")}
                          for info in threadpoolctl.threadpool_info() if info.get("user_api") == "blas"]
else:
    result = run()
    result["blas"] = "threadpoolctl not installed; threads set via OPENBLAS_NUM_THREADS"

json.dump(result, sys.stdout)
print()
