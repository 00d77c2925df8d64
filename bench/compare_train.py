#!/usr/bin/python3
"""Training speed with curvature measurements, side by side in one run: `sharpedge train` against a Debian PyTorch
1.13 loop that trains and measures the way the original EoSS code does (HEAD, eoss_spec §7-§9).

The run of the issue's speed acceptance: Fashion-MNIST, 8,192 training samples (numpy's subset rule, dataset seed
888), EoSS `mlp` (784-512-512-10, ReLU, Kaiming × 0.2), MSE summed over outputs, SGD lr 0.01, batch 8, 3,072 steps,
with λ_max every 256 steps and batch sharpness every 128 steps (HEAD's cadence below 10k steps, §8.1).

PyTorch, the original's procedure:
  * a step: zero_grad, forward on the batch, loss, backward, optimizer.step() (torch.optim.SGD), loss.item();
    the batch order is a fresh randperm per epoch;
  * batch sharpness (§7.3): Monte-Carlo over fresh batches randperm(n)[:8]; each sample is a forward, a create_graph
    backward and a double backward for H_B g_B, the ratio g_Bᵀ H_B g_B / ‖g_B‖²; at least 21, at most 1,000 samples,
    stopping once the delta-method relative SE of the ratio of means is below 0.5 % (at batch 8 it never is: 1,000);
  * λ_max (§7.1, §6.1): a random 4,096-sample subset, one forward and create_graph backward, then LOBPCG with k = 1 on
    double-backward HVPs, reltol 0.005 (converged when ‖Hx − θx‖ < reltol/2 · (‖Hx‖ + θ)), at most 100 iterations,
    warm-started from the previous solve's vector; its HVPs as the original counts them: 1 for AX, then A(R) and a
    fresh A(X) in the first iteration, A(P), A(R) and a fresh A(X) in each later one.
Ours: `sharpedge train … --measure lambda-max@head,batch-sharpness@head` on the same 8,192 samples, in two modes:
  * defaults: λ_max on ALL 8,192 samples (Lanczos, relative residual 1e-4, warm-started from the previous solve);
  * like for like (`--curvature-subset 4096 --eig-tol 5e-3`): λ_max on a fresh random 4,096-sample subset at each
    measurement step, to relative residual 5e-3 (Lanczos, warm-started), as the original measures.
Batch sharpness in both with the same 21/1,000/0.5 % rule (on the SE of the mean of ratios: 1,000 samples at b = 8),
batches from all samples; both measurements also at the last step (13 λ_max solves and 25 batch-sharpness estimates to
the original's 12 and 24), so ours does slightly more measurement work per run than the PyTorch side.
Each of our runs reports where its time went (`train --json`'s `time`): steps, λ_max (solves, products per solve),
batch sharpness (ms per Monte-Carlo sample) and the full-data linearizations before the solves.

Steps per second = steps / seconds of the training loop (measurements included; data loading and start-up not).
The load average (1 min) is printed before and after each run: on a shared machine only ratios from one run of this
script mean anything.

Usage: /usr/bin/python3 bench/compare_train.py [--steps 3072] [--ours like:1,like:2,defaults:1,defaults:2]
       [--torch-threads 1] [--fmnist /usr/share/datasets/fashion-mnist] [--json out.json]
The Fashion-MNIST IDX files come from Debian's dataset-fashion-mnist package (or any folder holding them); the
script imports them into a temporary $SHARPEDGE_DATA for our side."""
import argparse, gzip, json, os, resource, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "bench"))
from torch_env import import_torch  # noqa: E402

np, torch = import_torch()

LAMBDA_EVERY, SHARPNESS_EVERY, SUBSET, RELTOL = 256, 128, 4096, 0.005
MC_MIN, MC_MAX, MC_EPS = 20, 1000, 0.005


def load_fmnist(folder, n, seed):
    """The original's fmnist subset: default_rng(seed).choice(60000, n, replace=False), (x/255 − 0.2860)/0.3530, one-hot."""
    with gzip.open(os.path.join(folder, "train-images-idx3-ubyte.gz")) as f:
        images = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 784)
    with gzip.open(os.path.join(folder, "train-labels-idx1-ubyte.gz")) as f:
        labels = np.frombuffer(f.read(), np.uint8, offset=8)
    idx = np.random.default_rng(seed).choice(len(images), n, replace=False)
    x = torch.from_numpy(((images[idx].astype(np.float32) / 255 - 0.2860) / 0.3530).astype(np.float32))
    y = torch.nn.functional.one_hot(torch.from_numpy(labels[idx].astype(np.int64)), 10).float()
    return x, y


def make_mlp(init_scale):
    layers = torch.nn.Sequential(torch.nn.Linear(784, 512), torch.nn.ReLU(), torch.nn.Linear(512, 512), torch.nn.ReLU(), torch.nn.Linear(512, 10))
    with torch.no_grad():
        for m in layers:
            if isinstance(m, torch.nn.Linear):
                torch.nn.init.kaiming_normal_(m.weight, nonlinearity="relu")
                m.weight.mul_(init_scale)
                m.bias.zero_()
    return layers


def mse(out, y):
    return ((out - y) ** 2).sum(dim=1).mean()   # EoSS SquaredLoss: summed over outputs, mean over samples


def flat(tensors):
    return torch.cat([t.reshape(-1) for t in tensors])


def batch_sharpness(net, params, x, y, b, gen):
    """§7.3: mean of ratios over fresh batches; the original's stop rule (delta-method RSE of the ratio of means)."""
    xs, ys = [], []
    n = x.shape[0]
    for j in range(MC_MAX):
        idx = torch.randperm(n, generator=gen)[:b]
        loss = mse(net(x[idx]), y[idx])
        g = flat(torch.autograd.grad(loss, params, create_graph=True))
        hg = flat(torch.autograd.grad(g @ g.detach(), params))
        xs.append((g @ hg).item())
        ys.append((g @ g).item())
        if j >= MC_MIN:
            ax, ay = np.array(xs), np.array(ys)
            mx, my = ax.mean(), ay.mean()
            cov = np.cov(ax, ay, ddof=1)
            var = (cov[0, 0] / my ** 2 - 2 * cov[0, 1] * mx / my ** 3 + cov[1, 1] * mx ** 2 / my ** 4) / j
            if np.sqrt(max(var, 0)) / abs(mx / my) < MC_EPS:
                break
    return float(np.mean(np.array(xs) / np.array(ys))), len(xs)


def lobpcg_top1(apply, x0, reltol=RELTOL, max_iter=100):
    """k = 1 LOBPCG with the original's products (eoss_spec §6.1): A(X) once, then per iteration A(P), A(R) and a fresh
    A(X); Rayleigh-Ritz on the orthonormalised [X, P, R], largest algebraic Ritz value."""
    x = x0 / x0.norm()
    ax = apply(x)
    theta = x @ ax
    r = ax - theta * x
    p = None
    for _ in range(max_iter):
        basis = [x] if p is None else [x, p]
        for _ in range(2):
            for v in basis:
                r = r - (r @ v) * v
        if r.norm() < 1e-20:
            break
        r = r / r.norm()
        s = torch.stack(basis + [r], dim=1)
        a_s = torch.stack([ax] + [apply(v) for v in basis[1:] + [r]], dim=1)
        t = s.T @ a_s
        _, q = torch.linalg.eigh((t + t.T) / 2)
        c = q[:, -1]
        x_new = s @ c
        x_new = x_new / x_new.norm()
        p = s[:, 1:] @ c[1:]
        p = p - (p @ x_new) * x_new
        p = p / p.norm() if p.norm() > 1e-20 else None
        x = x_new
        ax = apply(x)   # recomputed with a fresh HVP, as the original does
        theta = x @ ax
        r = ax - theta * x
        if r.norm() < reltol / 2 * (ax.norm() + theta.abs()):
            break
    return theta.item(), x


def lambda_max(net, params, x, y, gen, cache):
    n = x.shape[0]
    idx = torch.randperm(n, generator=gen)[:SUBSET] if n > SUBSET else torch.arange(n)
    loss = mse(net(x[idx]), y[idx])
    g = flat(torch.autograd.grad(loss, params, create_graph=True))
    count = 0

    def hvp(v):
        nonlocal count
        count += 1
        return flat(torch.autograd.grad(g @ v, params, retain_graph=True))

    start = cache[0] if cache else torch.randn(g.numel(), generator=gen)
    value, vec = lobpcg_top1(hvp, start.clone())
    cache[:] = [vec.detach()]
    return value, count


def torch_run(folder, steps, threads, lr=0.01, b=8, n=8192):
    torch.set_num_threads(threads)
    torch.manual_seed(88881)   # HEAD's global seed
    x, y = load_fmnist(folder, n, 888)
    net = make_mlp(0.2)
    params = list(net.parameters())
    opt = torch.optim.SGD(params, lr=lr)
    gen = torch.Generator().manual_seed(1)
    cache, t_steps, t_bs, t_lm, hvps, mc = [], 0.0, 0.0, 0.0, 0, 0
    log = {"lambda_max": [], "batch_sharpness": []}
    spe = n // b
    t0 = time.perf_counter()
    c0 = time.process_time()
    for step in range(steps):
        if step % spe == 0:
            perm = torch.randperm(n)
        if step % SHARPNESS_EVERY == 0:
            t = time.perf_counter()
            value, samples = batch_sharpness(net, params, x, y, b, gen)
            t_bs += time.perf_counter() - t
            mc += samples
            log["batch_sharpness"].append((step, value))
        if step % LAMBDA_EVERY == 0:
            t = time.perf_counter()
            value, count = lambda_max(net, params, x, y, gen, cache)
            t_lm += time.perf_counter() - t
            hvps += count
            log["lambda_max"].append((step, value))
        t = time.perf_counter()
        batch = perm[(step % spe) * b:(step % spe + 1) * b]
        opt.zero_grad()
        loss = mse(net(x[batch]), y[batch])
        loss.backward()
        opt.step()
        loss.item()
        t_steps += time.perf_counter() - t
    total = time.perf_counter() - t0
    cpu = time.process_time() - c0
    return {"side": "pytorch", "threads": threads, "seconds": total, "cpu_seconds": cpu, "steps_seconds": t_steps, "batch_sharpness_seconds": t_bs,
            "lambda_max_seconds": t_lm, "lambda_max_solves": len(log["lambda_max"]), "hvps": hvps,
            "batch_sharpness_estimates": len(log["batch_sharpness"]), "mc_samples": mc, "last": {k: v[-1][1] for k, v in log.items()}}


MODES = {"defaults": [], "like": ["--curvature-subset", str(SUBSET), "--eig-tol", str(RELTOL)]}


def ours_run(data_dir, steps, threads, mode, results, n=8192):
    env = dict(os.environ, SHARPEDGE_DATA=data_dir, SHARPEDGE_RESULTS=results)
    cmd = [os.path.join(ROOT, "sharpedge"), "train", "--dataset", "fmnist", "--num-data", str(n), "--dataset-seed", "888", "--model", "mlp",
           "--init-scale", "0.2", "--loss", "mse", "--lr", "0.01", "--batch", "8", "--steps", str(steps),
           "--measure", "lambda-max@head,batch-sharpness@head", *MODES[mode], "--threads", str(threads), "--name", f"speed_t{threads}_{mode}", "--json"]
    t0 = time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = subprocess.run(cmd, capture_output=True, text=True, env=env)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    wall = time.perf_counter() - t0
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    if out.returncode != 0:
        print(out.stderr)
        sys.exit(1)
    doc = json.loads(out.stdout)
    csv_path = os.path.join(results, f"run{doc['run']}.csv")
    subprocess.run([os.path.join(ROOT, "sharpedge"), "runs", "export", str(doc["run"]), "--format", "csv", "--out", csv_path],
                   capture_output=True, env=env, check=True)
    rows = [line.split(",") for line in open(csv_path).read().splitlines()[1:]]
    lm = [r for r in rows if r[2] == "lambda_max"]
    bs = [r for r in rows if r[2] == "batch_sharpness"]
    return {"side": "sharpedge", "threads": threads, "mode": mode, "samples": n, "seconds": doc["seconds"], "process_seconds": wall, "cpu_seconds": cpu,
            "lambda_max_solves": len(lm), "batch_sharpness_estimates": len(bs), "mc_samples": sum(int(r[5]) for r in bs),
            "time": {t["name"]: t for t in doc["time"]},
            "last": {"lambda_max": float(lm[-1][3]), "batch_sharpness": float(bs[-1][3])}}


def load():
    return os.getloadavg()[0]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=3072)
    ap.add_argument("--ours", default="like:1,like:2,defaults:1,defaults:2", help="our runs as MODE:THREADS (MODE: defaults or like), comma-separated")
    ap.add_argument("--torch-threads", default="1")
    ap.add_argument("--fmnist", default="/usr/share/datasets/fashion-mnist")
    ap.add_argument("--json")
    args = ap.parse_args()
    if not os.path.exists(os.path.join(args.fmnist, "train-images-idx3-ubyte.gz")):
        print(f"SKIP: no Fashion-MNIST IDX files in {args.fmnist} (apt-get install dataset-fashion-mnist, or pass --fmnist DIR)")
        sys.exit(0)
    results = []
    with tempfile.TemporaryDirectory() as d:
        data_dir = os.path.join(d, "data")
        subprocess.run([os.path.join(ROOT, "sharpedge"), "data", "import", "fmnist", args.fmnist, "--data-dir", data_dir], capture_output=True, check=True)
        # ours first, so that no idle PyTorch/OpenBLAS threads of this process compete for the cores
        for mode, t in [s.split(":") for s in args.ours.split(",") if s]:
            if mode not in MODES:
                sys.exit(f"--ours: unknown mode '{mode}' (defaults or like)")
            before = load()
            results.append(ours_run(data_dir, args.steps, int(t), mode, os.path.join(d, "results")))
            results[-1]["load"] = (before, load())
            print(f"sharpedge {mode}, {t} thread(s): {results[-1]['seconds']:.1f} s (load {before:.1f} → {load():.1f})", file=sys.stderr, flush=True)
    for t in [int(s) for s in args.torch_threads.split(",") if s]:
        before = load()
        results.append(torch_run(args.fmnist, args.steps, t))
        results[-1]["load"] = (before, load())
        print(f"pytorch, {t} thread(s): {results[-1]['seconds']:.1f} s (load {before:.1f} → {load():.1f})", file=sys.stderr, flush=True)

    best_torch = min((r for r in results if r["side"] == "pytorch"), key=lambda r: r["seconds"], default=None)
    print(f"Fashion-MNIST, 8,192 samples, mlp, MSE, SGD lr 0.01, batch 8, {args.steps} steps, λ_max every {LAMBDA_EVERY} and batch sharpness "
          f"every {SHARPNESS_EVERY} steps; PyTorch {torch.__version__} (Debian)")
    print("  steps/s = steps / seconds of the training loop; × = PyTorch's fastest wall time (or its CPU time) over this run's")
    for r in results:
        name = "PyTorch, the original's procedure" if r["side"] == "pytorch" else (
            "sharpedge train, defaults" if r["mode"] == "defaults" else "sharpedge train, like for like")
        rate, cpu_rate = args.steps / r["seconds"], args.steps / r["cpu_seconds"]
        ratio = f"{best_torch['seconds'] / r['seconds']:4.1f}× ({best_torch['cpu_seconds'] / r['cpu_seconds']:4.1f}× CPU)" if best_torch else ""
        if r["side"] == "pytorch":
            detail = (f"steps {r['steps_seconds']:.1f} s, batch sharpness {r['batch_sharpness_seconds']:.1f} s ({r['batch_sharpness_estimates']} × "
                      f"{r['mc_samples'] / max(1, r['batch_sharpness_estimates']):.0f} samples), λ_max {r['lambda_max_seconds']:.1f} s "
                      f"({r['lambda_max_solves']} solves on 4,096 samples, {r['hvps']} HVPs)")
        else:
            tm = r["time"]
            lm, bs, lin, st = tm.get("lambda-max"), tm.get("batch-sharpness"), tm.get("linearization"), tm["steps"]
            detail = (f"steps {st['seconds']:.1f} s ({1e3 * st['seconds'] / max(1, st['calls']):.2f} ms each), "
                      f"batch sharpness {bs['seconds']:.1f} s ({bs['calls']} × {bs['samples'] / bs['calls']:.0f} samples, {1e3 * bs['seconds'] / bs['samples']:.2f} ms each), "
                      f"λ_max {lm['seconds']:.1f} s ({lm['calls']} solves on {'4,096 of' if r['mode'] == 'like' else 'all'} {r['samples']:,} samples, "
                      f"{lm['products'] / lm['calls']:.1f} H·v each, the first {lm['first_products']}), linearization {lin['seconds'] if lin else 0:.1f} s; "
                      f"process {r['process_seconds']:.1f} s")
        print(f"  {name:38s} {r['threads']} thread(s), load {r['load'][0]:.1f}→{r['load'][1]:.1f}: {r['seconds']:7.1f} s wall, {r['cpu_seconds']:7.1f} s CPU, {rate:6.2f} steps/s "
              f"({cpu_rate:6.2f} per CPU s)  {ratio}  [{detail}; last λ_max {r['last']['lambda_max']:.3f}, batch sharpness {r['last']['batch_sharpness']:.3f}]")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"steps": args.steps, "runs": results}, f, indent=2)


if __name__ == "__main__":
    main()
