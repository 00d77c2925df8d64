#!/usr/bin/python3
"""Teacher-student speed, side by side in one run, single core (issue: whole `phase train` process as a user runs it):
  - NumPy, generate.py-style loop with its redundant passes, and a lean NumPy loop (bench/phase_numpy.py);
  - `taskset -c 0 SHARPEDGE_THREADS=1 ./sharpedge phase train --seeds 1 --epochs 20000` timed end to end
    (process start, data generation, training, writing data.npz).
Prints µs per model-step and the projected core-hours of one 12×12×10 sweep (1.44e11 model-steps) and of the
paper's 100 models per cell (1.44e12).

Usage: /usr/bin/python3 bench/compare_phase.py [--epochs 20000]"""
import argparse, json, os, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SWEEP_STEPS = 144 * 10 * 100_000 * 1000


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--epochs", type=int, default=20000)
    args = p.parse_args()
    pin = ["taskset", "-c", "0"] if subprocess.run(["which", "taskset"], capture_output=True).returncode == 0 else []
    numpy = subprocess.run(pin + ["/usr/bin/python3", os.path.join(ROOT, "bench", "phase_numpy.py")], capture_output=True, text=True)
    if numpy.returncode != 0:
        print(f"SKIP numpy reference: {numpy.stderr.strip()}")
        reference = {}
    else:
        reference = json.loads(numpy.stdout)
    subprocess.run([os.path.join(ROOT, "sharpedge"), "--help"], capture_output=True, check=True)  # build outside the timing
    env = dict(os.environ, SHARPEDGE_THREADS="1")
    with tempfile.TemporaryDirectory() as d:
        env["SHARPEDGE_RESULTS"] = os.path.join(d, "results")
        start = time.perf_counter()
        subprocess.run(pin + [os.path.join(ROOT, "sharpedge"), "phase", "train", "--seeds", "1", "--epochs", str(args.epochs),
                              "--out", os.path.join(d, "out"), "--json"], capture_output=True, text=True, env=env, check=True)
        wall = time.perf_counter() - start
    ours = wall * 1e6 / (args.epochs * 1000)
    print(f"single core{' (taskset -c 0)' if pin else ''}, tanh r=2 K=16 bs=4, µs per model-step")
    rows = [("numpy generate.py-style loop", reference.get("original_us_per_step")),
            ("numpy lean loop", reference.get("lean_us_per_step")),
            (f"sharpedge phase train, whole process, {args.epochs} epochs", ours)]
    for name, us in rows:
        if us is None:
            continue
        print(f"  {name:48s} {us:9.3f} µs   ({us / ours:7.1f}× ours)")
    print(f"projected: one 12×12×10 sweep {SWEEP_STEPS * ours * 1e-6 / 3600:,.1f} core-hours; the paper's 100 models per cell "
          f"{10 * SWEEP_STEPS * ours * 1e-6 / 3600:,.0f} core-hours")


if __name__ == "__main__":
    main()
