#!/usr/bin/python3
"""Side-by-side GEMM benchmark in one run: `sharpedge bench gemm` against NumPy's OpenBLAS (bench/gemm_numpy.py),
square n×n×n, f32 and f64, 1 and 2 threads, interleaved per thread count so both see the same machine state.

Usage: /usr/bin/python3 bench/compare_gemm.py [--sizes 512,1024,2048] [--threads 1,2] [--rounds 2]
Prints GFLOP/s (median per run, best of the rounds) and the ratio ours / OpenBLAS (above 1: we are faster)."""
import argparse, json, os, subprocess, sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--sizes", default="512,1024,2048")
    p.add_argument("--threads", default="1,2")
    p.add_argument("--rounds", type=int, default=2)
    args = p.parse_args()
    ours, theirs, kernel = {}, {}, None
    for _ in range(args.rounds):
        for t in args.threads.split(","):
            out = subprocess.run([os.path.join(ROOT, "sharpedge"), "bench", "gemm", "--sizes", args.sizes, "--threads", t, "--json"],
                                 capture_output=True, text=True, check=True).stdout
            for r in json.loads(out)["gemm"]:
                key = (r["n"], r["dtype"], r["threads"])
                ours[key] = max(ours.get(key, 0), r["gflops"])
            result = subprocess.run(["/usr/bin/python3", os.path.join(ROOT, "bench", "gemm_numpy.py"), "--threads", t, "--sizes", args.sizes],
                                    capture_output=True, text=True)
            if result.returncode != 0:
                print(f"SKIP: numpy reference failed: {result.stderr.strip()}")
                sys.exit(0)
            doc = json.loads(result.stdout)
            kernel = doc.get("openblas") or doc.get("blas") or kernel
            for r in doc["gemm"]:
                key = (r["n"], r["dtype"], r["threads"])
                theirs[key] = max(theirs.get(key, 0), r["gflops"])
    print(f"square GEMM GFLOP/s, best of {args.rounds} interleaved rounds (each a median); OpenBLAS: {json.dumps(kernel)}")
    print("    n dtype threads |  sharpedge  openblas  ratio")
    for key in sorted(ours, key=lambda k: (k[1], k[2], k[0])):
        if key in theirs:
            print(f"{key[0]:5d} {key[1]:5s} {key[2]:7d} | {ours[key]:10.1f} {theirs[key]:9.1f} {ours[key] / theirs[key]:6.2f}")


if __name__ == "__main__":
    main()
