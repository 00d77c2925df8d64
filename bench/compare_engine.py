#!/usr/bin/python3
"""Side-by-side engine benchmark in one run: `sharpedge bench engine` against Debian's PyTorch 1.13
(bench/engine_torch.py) on the same weights and inputs: EoSS `mlp` (3072-512-512-10, ReLU), CIFAR-shaped
inputs, MSE, float32, at 8,192 samples and at batch 8, 1 and 2 threads.

Usage: /usr/bin/python3 bench/compare_engine.py [--samples 8192,8] [--threads 1,2] [--json out.json]
       python3 bench/compare_engine.py --device cuda [--dtypes f32,f64] [--sharpedge PATH] [--python PATH]
           on a CUDA machine: the GPU engine (vectors on the device) against PyTorch on the same GPU, and in f64 the
           GPU's H·v checked against our CPU engine's (bench/gpu_check.sh runs this)
Prints a table with the time ratios (ours / PyTorch; below 1 means we are faster)."""
import argparse, json, os, subprocess, sys, tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "bench"))
from torch_env import import_torch, torch_worker_env  # noqa: E402

np, torch = import_torch()
from torch_check import write_safetensors  # noqa: E402


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--samples", default="8192,8")
    p.add_argument("--threads", default="1,2")
    p.add_argument("--json")
    p.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
    p.add_argument("--dtypes", default="f32")
    p.add_argument("--sharpedge", default=os.path.join(ROOT, "sharpedge"), help="our CLI (e.g. an unpacked bundle's)")
    p.add_argument("--python", default="/usr/bin/python3", help="the Python whose torch runs bench/engine_torch.py")
    args = p.parse_args()
    load_before = f"{os.getloadavg()[0]:.2f}"
    n_max = max(int(s) for s in args.samples.split(","))
    torch.manual_seed(0)
    layers = [torch.nn.Linear(a, b) for a, b in zip([3072, 512, 512], [512, 512, 10])]
    with torch.no_grad():
        for layer in layers:   # EoSS init: kaiming normal (fan_in, relu), bias 0
            torch.nn.init.kaiming_normal_(layer.weight, nonlinearity="relu")
            layer.bias.zero_()
    with tempfile.TemporaryDirectory() as d:
        params, inputs = os.path.join(d, "P.safetensors"), os.path.join(d, "X.npy")
        tensors = {}
        for i, layer in enumerate(layers):
            tensors[f"layers.{i}.weight"] = layer.weight
            tensors[f"layers.{i}.bias"] = layer.bias
        write_safetensors(params, tensors)
        np.save(inputs, torch.randn(n_max, 3, 32, 32).numpy().astype(np.float32))
        rows = []
        for dtype in args.dtypes.split(","):
            for t in [int(x) for x in args.threads.split(",")]:
                out = subprocess.run([args.python, os.path.join(ROOT, "bench", "engine_torch.py"), "--threads", str(t), "--samples", args.samples,
                                      "--params", params, "--inputs", inputs, "--device", args.device, "--dtype", dtype],
                                     capture_output=True, text=True, env=torch_worker_env(t), check=True).stdout
                theirs = json.loads(out)["engine"]
                ours_cmd = [args.sharpedge, "bench", "engine", "--samples", args.samples, "--threads", str(t), "--dtypes", dtype,
                            "--params", params, "--inputs", inputs, "--json"]
                if args.device == "cuda":
                    ours_cmd += ["--device", "cuda", "--grad-hvp-only"]
                ours = json.loads(subprocess.run(ours_cmd, capture_output=True, text=True, check=True).stdout)["engine"]
                for a, b in zip(ours, theirs):
                    rows.append({"samples": a["samples"], "threads": t, "dtype": dtype, "device": a.get("device", "cpu"),
                                 "ours_grad_ms": a["grad_seconds"] * 1e3, "torch_grad_ms": b["grad_seconds"] * 1e3,
                                 "ours_hvp_ms": a["hvp_seconds"] * 1e3, "torch_hvp_ms": b["hvp_seconds"] * 1e3,
                                 "ours_sample_ms": a["sharpness_sample_seconds"] * 1e3 if a.get("sharpness_sample_seconds") else None,
                                 "hvp_difference_from_cpu": a.get("hvp_difference_from_cpu"),
                                 "ours_gauss_newton_ms": a["gauss_newton_seconds"] * 1e3 if a.get("gauss_newton_seconds") else None})
    print(f"EoSS mlp, CIFAR-shaped, MSE; PyTorch {torch.__version__} vs sharpedge on {args.device}, same weights and inputs; medians;"
          f" load average {load_before} before, {os.getloadavg()[0]:.2f} after")
    if rows and rows[0]["device"] != "cpu":
        print(f"ours: {rows[0]['device']}")
    print("samples dtype threads | grad ours  torch  ratio | hvp ours  torch  ratio | ours hvp/grad | grad+hvp ours  torch  speed-up | gᵀHg/gᵀg sample ours  speed-up | H·v vs CPU")
    for r in rows:
        g, h = r["ours_grad_ms"] + r["ours_hvp_ms"], r["torch_grad_ms"] + r["torch_hvp_ms"]
        sample = f"{r['ours_sample_ms']:20.2f} {h / r['ours_sample_ms']:8.1f}x" if r["ours_sample_ms"] else f"{'-':>20} {'-':>9}"
        check = f"{r['hvp_difference_from_cpu']:.1e}" if r["hvp_difference_from_cpu"] is not None else "-"
        print(f"{r['samples']:7d} {r['dtype']:>5} {r['threads']:7d} | {r['ours_grad_ms']:9.2f} {r['torch_grad_ms']:7.2f} {r['ours_grad_ms'] / r['torch_grad_ms']:6.2f} |"
              f" {r['ours_hvp_ms']:8.2f} {r['torch_hvp_ms']:7.2f} {r['ours_hvp_ms'] / r['torch_hvp_ms']:6.2f} |"
              f" {r['ours_hvp_ms'] / r['ours_grad_ms']:13.2f} | {g:13.2f} {h:7.2f} {h / g:8.1f}x | {sample} | {check}")
    print("speed-up = PyTorch (forward+grad, then double-backward HVP) / ours; a batch-sharpness sample needs both on PyTorch's side")
    for r in rows:
        if r["ours_gauss_newton_ms"] is not None:
            print(f"ours, {r['samples']} samples {r['dtype']}: one Gauss-Newton product G·v {r['ours_gauss_newton_ms']:.2f} ms (H·v {r['ours_hvp_ms']:.2f} ms)")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(rows, f, indent=1)


if __name__ == "__main__":
    main()
