#!/usr/bin/python3
"""λ_max side by side in one run: the original EoSS procedure in Debian's PyTorch 1.13 against `sharpedge measure`.

Original (eoss_spec §6.1, §7.1): a 4,096-sample subset of the 8,192 samples, forward and create_graph backward once,
then LOBPCG with k = 1 (the §6.1 algorithm: SVQB orthonormalisation, Rayleigh-Ritz on [X, P, R] sorted by largest
algebraic value, AX recomputed with fresh HVPs, convergence ‖Hx − θx‖ < reltol/2·(‖Hx‖ + θ)) on double-backward
HVPs, reltol 0.005, cold (random start) and warm (from the previous solve's vector after a small parameter change).
Ours: the FULL 8,192 samples, Lanczos on R-operator HVPs, relative residual 1e-3, via `./sharpedge measure`, cold and
warm (`--warm-start` from our cold vector with the same 5 % perturbation).
Times compared: setup + solve on both sides (PyTorch's graph on the subset plus LOBPCG; our forward/backward at θ plus
Lanczos, as `measure` reports them in `linearization_seconds` and `seconds`); process start and input loading excluded
on both sides, our whole-process time printed beside.

Model: EoSS `mlp` (3072-512-512-10, ReLU), CIFAR-shaped inputs, MSE, float32; same weights and inputs on both sides.
Usage: /usr/bin/python3 bench/compare_lambda_max.py [--threads 2]"""
import argparse, json, os, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "bench"))
from torch_env import import_torch  # noqa: E402

np, torch = import_torch()
from torch_check import write_safetensors  # noqa: E402


def lobpcg_top1(hvp, n, x0, reltol, max_iter=100):
    """k = 1 LOBPCG as the original implements it (§6.1), returning (θ, x, hvps)."""
    hvps = 0

    def apply(v):
        nonlocal hvps
        hvps += 1
        return hvp(v)

    x = x0 / x0.norm()
    ax = apply(x)
    theta = torch.dot(x, ax)
    r = ax - theta * x
    p = None
    for _ in range(max_iter):
        if r.norm() < reltol / 2 * (ax.norm() + theta.abs()):
            break
        basis = [x] + ([p] if p is not None else [])
        for _ in range(2):   # project R out of [X, P] twice
            for b in basis:
                r = r - torch.dot(r, b) * b
        if r.norm() < 1e-12:
            break
        r = r / r.norm()
        s = torch.stack(basis + [r], dim=1)
        q, _ = torch.linalg.qr(s)   # orthonormal S (SVQB in the original; equivalent for this purpose)
        aq = torch.stack([apply(q[:, i]) for i in range(q.shape[1])], dim=1)
        # the original applies A to [P, R] only and reuses AX; count like it does: 2 new products (1 in the first iteration)
        hvps -= 1
        t = q.T @ aq
        w, v = torch.linalg.eigh((t + t.T) / 2)
        c = v[:, -1]
        x_new = q @ c
        x_new = x_new / x_new.norm()
        p = x_new - torch.dot(x_new, x) * x
        p = p / p.norm() if p.norm() > 1e-12 else None
        x = x_new
        ax = apply(x)   # recomputed with a fresh HVP, as the original does
        theta = torch.dot(x, ax)
        r = ax - theta * x
    return theta.item(), x, hvps


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    load_before = f"{os.getloadavg()[0]:.2f}"
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    sizes = [3072, 512, 512, 10]
    layers = torch.nn.ModuleList(torch.nn.Linear(a, b) for a, b in zip(sizes[:-1], sizes[1:]))
    with torch.no_grad():
        for layer in layers:
            torch.nn.init.kaiming_normal_(layer.weight, nonlinearity="relu")
            layer.weight.mul_(0.5)
            layer.bias.zero_()
    n = 8192
    x = torch.randn(n, 3072)
    labels = torch.randint(0, 10, (n,))
    y = torch.nn.functional.one_hot(labels, 10).float()
    params = list(layers.parameters())

    def forward(inp):
        h = inp
        for layer in layers[:-1]:
            h = torch.relu(layer(h))
        return layers[-1](h)

    # ours first, so that no idle PyTorch/OpenBLAS threads of this process compete for the cores
    with tempfile.TemporaryDirectory() as d:
        paths = {k: os.path.join(d, k) for k in ["P.safetensors", "X.npy", "Y.npy"]}
        write_safetensors(paths["P.safetensors"], {f"layers.{i}.{kind}": getattr(l, kind) for i, l in enumerate(layers) for kind in ("weight", "bias")})
        np.save(paths["X.npy"], x.numpy().reshape(n, 3, 32, 32))
        np.save(paths["Y.npy"], y.numpy())
        env = dict(os.environ, SHARPEDGE_THREADS=str(args.threads))
        vectors = os.path.join(d, "V.npy")

        def measure(*extra):
            t0 = time.perf_counter()
            out = subprocess.run([os.path.join(ROOT, "sharpedge"), "measure", "--model", "mlp", "--params", paths["P.safetensors"],
                                  "--inputs", paths["X.npy"], "--targets", paths["Y.npy"], "--loss", "mse", "--lr", "0.01", "--batch", "8",
                                  "--measure", "lambda-max", "--tol", "1e-3", "--dtype", "f32", "--json", *extra],
                                 capture_output=True, text=True, env=env)
            wall = time.perf_counter() - t0
            if out.returncode != 0:
                print(out.stderr)
                sys.exit(1)
            doc = json.loads(out.stdout)
            return doc["measurements"]["lambda-max"], doc["linearization_seconds"], wall

        m, m_lin, ours_wall = measure("--vectors-out", vectors)
        # warm start as the PyTorch side gets it: the previous solve's vector plus 5 % noise
        v = np.load(vectors)[0]
        rng = np.random.default_rng(1)
        np.save(vectors, (v + 0.05 * np.linalg.norm(v) / v.size ** 0.5 * rng.standard_normal(v.size))[None, :])
        w, w_lin, warm_wall = measure("--warm-start", vectors)
    subset = torch.randperm(n)[:4096]
    t0 = time.perf_counter()
    loss = ((forward(x[subset]) - y[subset]) ** 2).sum(dim=1).mean()
    grads = torch.autograd.grad(loss, params, create_graph=True)
    flat = torch.cat([g.reshape(-1) for g in grads])
    setup = time.perf_counter() - t0

    def hvp(v):
        return torch.cat([h.reshape(-1) for h in torch.autograd.grad(flat @ v, params, retain_graph=True)])

    p_count = flat.numel()
    t0 = time.perf_counter()
    cold, vec, cold_hvps = lobpcg_top1(hvp, p_count, torch.randn(p_count), 0.005)
    cold_s = time.perf_counter() - t0 + setup
    t0 = time.perf_counter()
    warm, _, warm_hvps = lobpcg_top1(hvp, p_count, vec + 0.05 * vec.norm() / p_count ** 0.5 * torch.randn(p_count), 0.005)
    warm_s = time.perf_counter() - t0 + setup

    print(f"EoSS mlp, CIFAR-shaped, MSE, float32, {args.threads} threads; PyTorch {torch.__version__} (Debian); "
          f"load average {load_before} before, {os.getloadavg()[0]:.2f} after")
    print("  times are setup + solve on both sides (PyTorch: forward and create_graph backward on the subset, then LOBPCG;"
          " ours: forward and backward at θ without ∂L/∂θ, then Lanczos; the engine's code compiles on a background"
          " thread while the inputs load); process start and loading the inputs are outside on both sides")
    print(f"  PyTorch, original procedure (4,096-sample subset, LOBPCG reltol 0.005), cold: λ_max {cold:10.4f}  {cold_hvps:3d} HVPs  {cold_s:7.2f} s (incl. {setup:.2f} s graph)")
    print(f"  PyTorch, original procedure, warm start:                                  λ_max {warm:10.4f}  {warm_hvps:3d} HVPs  {warm_s:7.2f} s")
    print(f"  sharpedge measure, all 8,192 samples, Lanczos tol 1e-3, cold:            λ_max {m['value']:10.4f}  {m['hvps']:3d} HVPs  "
          f"{m['seconds'] + m_lin:7.2f} s (incl. {m_lin:.2f} s forward+backward), {ours_wall:.2f} s for the whole process (loading 100 MB of inputs included)")
    print(f"  sharpedge measure, all 8,192 samples, warm start (same 5 % perturbation):  λ_max {w['value']:10.4f}  {w['hvps']:3d} HVPs  "
          f"{w['seconds'] + w_lin:7.2f} s (incl. {w_lin:.2f} s forward+backward), {warm_wall:.2f} s for the whole process")


if __name__ == "__main__":
    main()
