#!/usr/bin/python3
"""PyTorch reference for `sharpedge bench engine`: the EoSS `mlp` preset (3072-512-512-10, ReLU) on CIFAR-shaped
inputs, MSE as EoSS defines it, float32. Times (a) forward + autograd.grad over all samples and (b) one
double-backward HVP on a retained create_graph=True graph (the EoSS HessianVectorProduct, eoss_spec §5).

Usage: OPENBLAS_NUM_THREADS=T /usr/bin/python3 bench/engine_torch.py --threads T [--samples 8192,8]
       [--params P.safetensors] [--inputs X.npy] [--device cpu|cuda] [--dtype f32|f64]
On CUDA every timed call ends with torch.cuda.synchronize(), and all tensors stay on the GPU.
Prints {"engine": [{"model": "mlp", "samples": ..., "dtype": "f32", "threads": ..., "grad_seconds": ..., "hvp_seconds": ...}]}
(median over repetitions). With --params/--inputs it uses the given weights (F32 safetensors) and inputs so both
engines run on identical numbers."""
import argparse, json, os, struct, sys, time

try:
    import numpy as np
    import torch
except ImportError as e:
    print(json.dumps({"skip": f"needs python3-numpy and python3-torch ({e})"}))
    sys.exit(0)


def read_safetensors(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        a, b = info["data_offsets"]
        dtype = {"F32": np.float32, "F64": np.float64}[info["dtype"]]
        out[name] = torch.from_numpy(np.frombuffer(data[a:b], dtype=dtype).reshape(info["shape"]).copy())
    return out


class Mlp(torch.nn.Module):
    def __init__(self, sizes):
        super().__init__()
        self.layers = torch.nn.ModuleList(torch.nn.Linear(a, b) for a, b in zip(sizes[:-1], sizes[1:]))

    def forward(self, x):
        x = x.flatten(1)
        for layer in self.layers[:-1]:
            x = torch.relu(layer(x))
        return self.layers[-1](x)


def median_time(fn, reps, sync=lambda: None):
    fn()
    sync()
    times = []
    for _ in range(reps):
        t = time.perf_counter()
        fn()
        sync()
        times.append(time.perf_counter() - t)
    times.sort()
    return times[len(times) // 2]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--samples", default="8192,8")
    p.add_argument("--params")
    p.add_argument("--inputs")
    p.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
    p.add_argument("--dtype", default="f32", choices=["f32", "f64"])
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    dtype = torch.float32 if args.dtype == "f32" else torch.float64
    device = torch.device(args.device)
    sync = torch.cuda.synchronize if args.device == "cuda" else (lambda: None)
    net = Mlp([3072, 512, 512, 10])
    if args.params:
        net.load_state_dict(read_safetensors(args.params))
    net = net.to(device=device, dtype=dtype)
    params = list(net.parameters())
    rows = []
    all_x = torch.from_numpy(np.load(args.inputs)) if args.inputs else None
    for n in [int(s) for s in args.samples.split(",")]:
        x = (all_x[:n] if all_x is not None else torch.randn(n, 3, 32, 32)).to(device=device, dtype=dtype)
        y = torch.nn.functional.one_hot(torch.randint(0, 10, (n,)), 10).to(device=device, dtype=dtype)
        v = [torch.randn_like(q) for q in params]

        def grad():
            loss = ((net(x) - y) ** 2).sum(dim=1).mean()
            return torch.autograd.grad(loss, params)

        loss = ((net(x) - y) ** 2).sum(dim=1).mean()
        g = torch.autograd.grad(loss, params, create_graph=True)
        gv = sum((a * b).sum() for a, b in zip(g, v))

        def hvp():
            return torch.autograd.grad(gv, params, retain_graph=True)

        reps = (5 if n >= 4096 else 200) if args.device == "cpu" else 50
        rows.append({"model": "mlp", "samples": n, "dtype": args.dtype, "threads": args.threads, "device": args.device,
                     "grad_seconds": median_time(grad, reps, sync), "hvp_seconds": median_time(hvp, reps, sync)})
    print(json.dumps({"engine": rows, "torch": torch.__version__}))


if __name__ == "__main__":
    main()
