#!/usr/bin/python3
"""Independent check of `sharpedge model hvp` against PyTorch (Debian python3-torch 1.13), float64.

For several MLPs and both losses it builds the same network in PyTorch (nn.ModuleList of Linear layers, so the
parameter names are layers.{i}.weight/bias), writes the weights as safetensors and X, Y, V as .npy, runs
`./sharpedge model hvp`, and compares loss, gradient and H·v (PyTorch: double backward) to 1e-9 relative.

Usage: /usr/bin/python3 bench/torch_check.py [--sharpedge ./sharpedge] [--quick]
Exits 0 with a SKIP line when PyTorch or NumPy is absent, 1 when any comparison fails."""
import argparse, json, os, shlex, struct, subprocess, sys, tempfile

try:
    import numpy as np
    import torch
except ImportError as e:
    print(f"SKIP: torch_check needs Debian's python3-numpy and python3-torch ({e})")
    sys.exit(0)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TOLERANCE = 1e-9


def write_safetensors(path, tensors, dtype="F64"):
    """The safetensors layout written by hand (header length, JSON header, packed little-endian data): floating
    tensors as F64 (or F32), integer ones (BatchNorm's num_batches_tracked) as I64. The other bench scripts import it."""
    header, offset, blobs = {}, 0, []
    floating = {"F64": "<f8", "F32": "<f4"}[dtype]
    for name, t in tensors.items():
        a = t.detach().cpu().numpy()
        kind, data = ("I64", a.astype("<i8").tobytes()) if a.dtype.kind in "iu" else (dtype, a.astype(floating).tobytes())
        header[name] = {"dtype": kind, "shape": list(a.shape), "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
        blobs.append(data)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for b in blobs:
            f.write(b)


class Mlp(torch.nn.Module):
    """The EoSS MLP: flatten, Linear+activation for every layer but the last (eoss_spec §3.1)."""

    def __init__(self, sizes, activation):
        super().__init__()
        self.layers = torch.nn.ModuleList(torch.nn.Linear(a, b) for a, b in zip(sizes[:-1], sizes[1:]))
        self.act = {"relu": torch.relu, "tanh": torch.tanh, "silu": torch.nn.functional.silu,
                    "gelu": torch.nn.functional.gelu, "identity": lambda x: x}[activation]

    def forward(self, x):
        x = x.flatten(1)
        for layer in self.layers[:-1]:
            x = self.act(layer(x))
        return self.layers[-1](x)


def run_case(sharpedge, spec, sizes, activation, input_shape, n, loss, seed):
    torch.manual_seed(seed)
    net = Mlp(sizes, activation).double()
    with torch.no_grad():
        for p in net.parameters():
            p.normal_(0, 1.0 / np.sqrt(p.shape[-1]))
    x = torch.randn(n, *input_shape, dtype=torch.float64)
    classes = sizes[-1]
    if loss == "mse":
        y = torch.randn(n, classes, dtype=torch.float64)
        loss_fn = lambda out: ((out - y) ** 2).sum(dim=1).mean()   # EoSS SquaredLoss: no 1/2, mean over samples
    else:
        y = torch.randint(0, classes, (n,), dtype=torch.int64)
        loss_fn = lambda out: torch.nn.functional.cross_entropy(out, y)
    params = list(net.parameters())
    v = torch.randn(sum(p.numel() for p in params), dtype=torch.float64)

    value = loss_fn(net(x))
    grads = torch.autograd.grad(value, params, create_graph=True)
    g = torch.cat([t.reshape(-1) for t in grads])
    hv = torch.cat([t.reshape(-1) for t in torch.autograd.grad(g @ v, params)])

    with tempfile.TemporaryDirectory() as d:
        files = {k: os.path.join(d, k) for k in ["P.safetensors", "X.npy", "Y.npy", "V.npy", "HV.npy", "G.npy"]}
        write_safetensors(files["P.safetensors"], dict(net.named_parameters()))
        np.save(files["X.npy"], x.numpy())
        np.save(files["Y.npy"], y.numpy())
        np.save(files["V.npy"], v.numpy())
        cmd = shlex.split(sharpedge) + ["model", "hvp", "--model", spec, "--params", files["P.safetensors"], "--inputs", files["X.npy"],
               "--targets", files["Y.npy"], "--loss", loss, "--vector", files["V.npy"], "--out", files["HV.npy"],
               "--grad-out", files["G.npy"], "--dtype", "f64", "--json"]
        if loss == "ce":
            cmd += ["--classes", str(classes)]
        result = subprocess.run(cmd, capture_output=True, text=True)
        if result.returncode != 0:
            print(result.stderr, file=sys.stderr)
            raise RuntimeError(f"sharpedge failed on {spec} {loss}")
        ours = json.loads(result.stdout)
        ours_hv, ours_g = np.load(files["HV.npy"]), np.load(files["G.npy"])
    rel = lambda a, b: float(np.linalg.norm(a - b) / np.linalg.norm(b))
    errors = {"loss": abs(ours["loss"] - value.item()) / abs(value.item()),
              "gradient": rel(ours_g, g.detach().numpy()), "hvp": rel(ours_hv, hv.numpy())}
    ok = all(e < TOLERANCE for e in errors.values())
    print(f"{'ok  ' if ok else 'FAIL'} {spec:28s} {loss:3s} n={n:5d} P={v.numel():>9,d}  "
          + "  ".join(f"{k} rel.err {e:.1e}" for k, e in errors.items()))
    return ok


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sharpedge", default=os.path.join(ROOT, "sharpedge"), help="command that runs the CLI")
    parser.add_argument("--quick", action="store_true", help="small cases only")
    args = parser.parse_args()
    torch.set_num_threads(1)
    cases = [
        ("mlp:20-16-12-5:tanh", [20, 16, 12, 5], "tanh", [20], 64),
        ("mlp:20-16-12-5:silu", [20, 16, 12, 5], "silu", [20], 64),
        ("mlp:20-16-12-5:gelu", [20, 16, 12, 5], "gelu", [20], 64),
        ("mlp:20-16-12-5:relu", [20, 16, 12, 5], "relu", [20], 64),
        ("mlp:48-32-10:identity", [48, 32, 10], "identity", [3, 4, 4], 50),
    ]
    if not args.quick:
        cases.append(("mlp", [784, 512, 512, 10], "relu", [1, 28, 28], 256))
        cases.append(("mlp_tanh", [3072, 512, 512, 10], "tanh", [3, 32, 32], 128))
    ok = True
    for i, (spec, sizes, act, shape, n) in enumerate(cases):
        for loss in ["mse", "ce"]:
            ok &= run_case(args.sharpedge, spec, sizes, act, shape, n, loss, seed=100 + i)
    print("all agree with PyTorch to 1e-9" if ok else "MISMATCH against PyTorch")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
