#!/usr/bin/python3
"""Side-by-side speed of the conv presets in one run: `sharpedge bench engine` against Debian's PyTorch 1.13 on
the same weights and inputs, CIFAR-shaped batch, MSE, float32: forward + backward (gradient) and one exact H·v at
the same point (ours: R-operator reusing the cached passes; PyTorch: double backward on a retained create_graph
graph, as EoSS's HessianVectorProduct, eoss_spec §5). The models are bench/torch_conv_check.py's PyTorch builds of
`cnn` and `resnet` (and any other preset named), with EoSS's initialisation at scale 1.

Usage: /usr/bin/python3 bench/compare_conv.py [--models cnn,resnet] [--samples 128] [--threads 2] [--rounds 2]
Each side runs in its own process, alternating, `--rounds` times; the table shows each side's best median.
Prints the time ratios: grad ours/PyTorch (≤ 1: at least as fast), hvp/grad ours, and PyTorch hvp / our hvp."""
import argparse, json, os, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "bench"))
from torch_env import import_torch, torch_worker_env  # noqa: E402

np, torch = import_torch()
from torch_conv_check import Cnn, ResNet, Wrn, write_safetensors  # noqa: E402

BUILD = {
    "cnn": lambda: Cnn((3, 32, 32), 10),
    "resnet": lambda: ResNet((3, 32, 32), 10),
    "resnet_bn": lambda: ResNet((3, 32, 32), 10, (2, 2, 2), bn=True),
    "wrn": lambda: Wrn((3, 32, 32), 10),
    "wrn_no_bn": lambda: Wrn((3, 32, 32), 10, bn=False),
}


def init(net):
    """Kaiming normal (fan_in, relu) on every conv and linear weight, biases 0; BatchNorm (1, 0)."""
    torch.manual_seed(0)
    with torch.no_grad():
        for name, p in net.named_parameters():
            if p.dim() > 1 and p.shape[0] > 1:
                torch.nn.init.kaiming_normal_(p, nonlinearity="relu")
            else:
                p.fill_(1.0 if name.endswith("scale") or (p.dim() == 1 and name.endswith("weight")) else 0.0)


def median_time(fn, budget=3.0):
    start = time.perf_counter()
    fn()
    first = time.perf_counter() - start
    reps = int(min(200, max(5, budget / max(first, 1e-6))))
    times = []
    for _ in range(reps):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    times.sort()
    return times[len(times) // 2]


def torch_worker(model, samples, threads, params, inputs):
    torch.set_num_threads(threads)
    net = BUILD[model]()
    state = {}
    import struct
    with open(params, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    for name, info in header.items():
        a, b = info["data_offsets"]
        dtype = {"F32": np.float32, "I64": np.int64}[info["dtype"]]
        state[name] = torch.from_numpy(np.frombuffer(data[a:b], dtype=dtype).reshape(info["shape"]).copy())
    net.load_state_dict(state)
    net.train()
    params_list = list(net.parameters())
    x = torch.from_numpy(np.load(inputs)[:samples]).float()
    g = torch.Generator().manual_seed(1234)
    y = torch.nn.functional.one_hot(torch.randint(0, 10, (samples,), generator=g), 10).float()
    v = [torch.randn(q.shape, generator=g) for q in params_list]
    loss_fn = lambda: ((net(x) - y) ** 2).sum(dim=1).mean()

    def grad():
        torch.autograd.grad(loss_fn(), params_list)

    holder = {}

    def linearize():
        holder["g"] = torch.autograd.grad(loss_fn(), params_list, create_graph=True)

    def hvp():
        gv = sum((a * b).sum() for a, b in zip(holder["g"], v))
        torch.autograd.grad(gv, params_list, retain_graph=True)

    grad_s = median_time(grad)
    linearize()
    hvp_s = median_time(hvp)
    print(json.dumps({"grad_seconds": grad_s, "hvp_seconds": hvp_s}))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--models", default="cnn,resnet")
    p.add_argument("--samples", type=int, default=128)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--rounds", type=int, default=2)
    p.add_argument("--sharpedge", default=os.path.join(ROOT, "sharpedge"))
    p.add_argument("--worker", nargs=5, help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.worker:
        m, n, t, params, inputs = args.worker
        torch_worker(m, int(n), int(t), params, inputs)
        return
    env = torch_worker_env(args.threads)
    rows = []
    with tempfile.TemporaryDirectory() as d:
        inputs = os.path.join(d, "X.npy")
        torch.manual_seed(0)
        np.save(inputs, torch.randn(args.samples, 3, 32, 32).numpy().astype(np.float32))
        for model in args.models.split(","):
            net = BUILD[model]()
            init(net)
            params = os.path.join(d, f"{model}.safetensors")
            write_safetensors(params, {k: (v.float() if v.is_floating_point() else v) for k, v in net.state_dict().items()}, dtype="F32")
            ours, theirs = [], []
            for _ in range(args.rounds):
                out = subprocess.run(["/usr/bin/python3", os.path.abspath(__file__), "--worker", model, str(args.samples), str(args.threads), params, inputs],
                                     capture_output=True, text=True, env=env, check=True).stdout
                theirs.append(json.loads(out))
                out = subprocess.run([args.sharpedge, "bench", "engine", "--model", model, "--samples", str(args.samples), "--threads", str(args.threads),
                                      "--dtypes", "f32", "--params", params, "--inputs", inputs, "--grad-hvp-only", "--json"],
                                     capture_output=True, text=True, check=True).stdout
                ours.append(json.loads(out)["engine"][0])
            rows.append({"model": model, "samples": args.samples, "threads": args.threads,
                         "ours_grad_ms": min(r["grad_seconds"] for r in ours) * 1e3, "ours_hvp_ms": min(r["hvp_seconds"] for r in ours) * 1e3,
                         "torch_grad_ms": min(r["grad_seconds"] for r in theirs) * 1e3, "torch_hvp_ms": min(r["hvp_seconds"] for r in theirs) * 1e3})
    print(f"conv presets, CIFAR-shaped batch of {args.samples}, MSE, float32, {args.threads} threads; PyTorch {torch.__version__} (Debian) "
          f"vs sharpedge, same weights and inputs; best of {args.rounds} medians")
    print("model      | grad ours  torch  ours/torch | hvp ours  torch  torch/ours | ours hvp/grad")
    for r in rows:
        print(f"{r['model']:10s} | {r['ours_grad_ms']:9.1f} {r['torch_grad_ms']:7.1f} {r['ours_grad_ms'] / r['torch_grad_ms']:10.2f} |"
              f" {r['ours_hvp_ms']:8.1f} {r['torch_hvp_ms']:7.1f} {r['torch_hvp_ms'] / r['ours_hvp_ms']:10.2f} | {r['ours_hvp_ms'] / r['ours_grad_ms']:13.2f}")
    print(json.dumps(rows))


if __name__ == "__main__":
    main()
