#!/usr/bin/python3
"""Independent check of `sharpedge measure` against PyTorch (Debian python3-torch 1.13), float64.

For several MLPs and both losses it builds the same network in PyTorch (helpers of bench/torch_check.py), writes
weights and data, and compares:
  * lambda-max and top-k=5 (Lanczos and LOBPCG) with the eigenvalues of the dense Hessian from
    torch.autograd.functional.hessian and torch.linalg.eigvalsh: 1e-6 relative per eigenvalue;
  * gn-lambda-max and fisher-lambda-max with the dense Gauss-Newton matrix J^T H_l J / n and (2/n) J J^T from
    torch.autograd.functional.jacobian: 1e-6 relative;
  * batch-sharpness on tiny data (8 samples, batch 2) with the exact expectation over all 28 batches, each
    g_B^T H_B g_B / g_B^T g_B by double backward: within 3 standard errors for at least 9 of 10 seeds.

Usage: /usr/bin/python3 bench/torch_measure_check.py [--sharpedge ./sharpedge] [--quick]
Exits 0 with a SKIP line when PyTorch or NumPy is absent, 1 when any comparison fails."""
import argparse, itertools, json, os, shlex, subprocess, sys, tempfile

try:
    import numpy as np
    import torch
except ImportError as e:
    print(f"SKIP: torch_measure_check needs Debian's python3-numpy and python3-torch ({e})")
    sys.exit(0)

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_check import Mlp, write_safetensors  # noqa: E402  (same network and weight format as the HVP check)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EIGEN_TOLERANCE = 1e-6


def make_problem(sizes, activation, input_shape, n, loss, seed):
    torch.manual_seed(seed)
    net = Mlp(sizes, activation).double()
    with torch.no_grad():
        for p in net.parameters():
            p.normal_(0, 1.0 / np.sqrt(p.shape[-1]))
    x = torch.randn(n, *input_shape, dtype=torch.float64)
    y = torch.randn(n, sizes[-1], dtype=torch.float64) if loss == "mse" else torch.randint(0, sizes[-1], (n,), dtype=torch.int64)
    return net, x, y


def loss_of(out, y, loss):
    if loss == "mse":
        return ((out - y) ** 2).sum(dim=1).mean()   # EoSS SquaredLoss: summed over outputs, mean over samples, no 1/2
    return torch.nn.functional.cross_entropy(out, y)


def functional_net(net, activation):
    """f(flat θ, x): the network as a function of its flat parameter vector (order of named_parameters = `model info`)."""
    shapes = [p.shape for p in net.parameters()]
    act = {"relu": torch.relu, "tanh": torch.tanh, "gelu": torch.nn.functional.gelu, "identity": lambda t: t}[activation]

    def forward(theta, x):
        tensors, offset = [], 0
        for s in shapes:
            count = int(np.prod(s))
            tensors.append(theta[offset:offset + count].reshape(s))
            offset += count
        h = x.flatten(1)
        layers = len(tensors) // 2
        for i in range(layers):
            h = torch.nn.functional.linear(h, tensors[2 * i], tensors[2 * i + 1])
            if i + 1 < layers:
                h = act(h)
        return h
    return forward


def write_files(d, net, x, y):
    files = {k: os.path.join(d, k) for k in ["P.safetensors", "X.npy", "Y.npy"]}
    write_safetensors(files["P.safetensors"], dict(net.named_parameters()))
    np.save(files["X.npy"], x.numpy())
    np.save(files["Y.npy"], y.numpy())
    return files


def run_measure(sharpedge, spec, files, loss, classes, measure, *extra):
    cmd = shlex.split(sharpedge) + ["measure", "--model", spec, "--params", files["P.safetensors"], "--inputs", files["X.npy"],
                                    "--targets", files["Y.npy"], "--loss", loss, "--classes", str(classes), "--measure", measure,
                                    "--dtype", "f64", "--json", *extra]
    result = subprocess.run(cmd, capture_output=True, text=True)
    if result.returncode != 0:
        print(result.stderr, file=sys.stderr)
        raise RuntimeError(f"sharpedge measure failed on {spec} {loss}: {' '.join(cmd)}")
    return json.loads(result.stdout)["measurements"]


def rel(a, b):
    return abs(a - b) / abs(b)


def eigen_case(sharpedge, spec, sizes, activation, input_shape, n, loss, seed):
    net, x, y = make_problem(sizes, activation, input_shape, n, loss, seed)
    forward = functional_net(net, activation)
    theta = torch.cat([p.detach().reshape(-1) for p in net.parameters()])
    hessian = torch.autograd.functional.hessian(lambda t: loss_of(forward(t, x), y, loss), theta)
    expected = torch.linalg.eigvalsh(hessian).flip(0).numpy()
    # Gauss-Newton and NTK from the Jacobian of all outputs
    jac = torch.autograd.functional.jacobian(lambda t: forward(t, x), theta)          # [n, C, P]
    out = forward(theta, x).detach()
    classes = sizes[-1]
    if loss == "mse":
        h_out = [2.0 * torch.eye(classes, dtype=torch.float64)] * n
    else:
        p = torch.softmax(out, dim=1)
        h_out = [torch.diag(p[i]) - torch.outer(p[i], p[i]) for i in range(n)]
    gn = sum(jac[i].T @ h_out[i] @ jac[i] for i in range(n)) / n
    gn_expected = torch.linalg.eigvalsh(gn)[-1].item()
    j = jac.reshape(n * classes, -1)
    fisher_expected = 2.0 / n * torch.linalg.eigvalsh(j @ j.T)[-1].item()

    ok = True
    with tempfile.TemporaryDirectory() as d:
        files = write_files(d, net, x, y)
        for method in ["lanczos", "lobpcg"]:
            m = run_measure(sharpedge, spec, files, loss, classes, "lambda-max,top-k=5,gn-lambda-max,fisher-lambda-max", "--method", method)
            top = m["top-k"]["value"]
            errors = [rel(m["lambda-max"]["value"], expected[0])] + [rel(top[i], expected[i]) for i in range(5)]
            errors += [rel(m["gn-lambda-max"]["value"], gn_expected), rel(m["fisher-lambda-max"]["value"], fisher_expected)]
            good = max(errors) < EIGEN_TOLERANCE and m["lambda-max"]["se"] is None
            ok &= good
            print(f"{'ok  ' if good else 'FAIL'} {spec:24s} {loss:3s} {method:7s} n={n:4d} P={theta.numel():>6,d}  "
                  f"λ_max {m['lambda-max']['value']:.10g} (torch {expected[0]:.10g}), top-5 max rel.err {max(errors[1:6]):.1e}, "
                  f"GN rel.err {errors[6]:.1e}, Fisher rel.err {errors[7]:.1e}")
    return ok


def batch_sharpness_case(sharpedge, seeds):
    spec, sizes, activation, n, b = "mlp:5-6-4-3:tanh", [5, 6, 4, 3], "tanh", 8, 2
    net, x, y = make_problem(sizes, activation, [5], n, "mse", 7)
    params = list(net.parameters())
    ratios = []
    for batch in itertools.combinations(range(n), b):
        idx = list(batch)
        g = torch.cat([t.reshape(-1) for t in torch.autograd.grad(loss_of(net(x[idx]), y[idx], "mse"), params, create_graph=True)])
        hg = torch.cat([t.reshape(-1) for t in torch.autograd.grad(g @ g.detach(), params)])
        ratios.append((g.detach() @ hg).item() / (g.detach() @ g.detach()).item())
    exact = float(np.mean(ratios))
    within = 0
    with tempfile.TemporaryDirectory() as d:
        files = write_files(d, net, x, y)
        for seed in range(seeds):
            e = run_measure(sharpedge, spec, files, "mse", 3, "batch-sharpness", "--batch", str(b), "--seed", str(seed))["batch-sharpness"]
            within += abs(e["value"] - exact) <= 3 * e["se"]
            last = e
    ok = within >= seeds - seeds // 10
    print(f"{'ok  ' if ok else 'FAIL'} batch sharpness over all {len(ratios)} batches of {n} samples (b={b}) = {exact:.8g}; "
          f"ours {last['value']:.8g} ± {last['se']:.2g} ({last['samples']} samples); within 3 SE for {within} of {seeds} seeds")
    return ok


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sharpedge", default=os.path.join(ROOT, "sharpedge"), help="command that runs the CLI")
    parser.add_argument("--quick", action="store_true", help="small cases only")
    args = parser.parse_args()
    torch.set_num_threads(1)
    cases = [
        ("mlp:20-16-12-5:tanh", [20, 16, 12, 5], "tanh", [20], 64),
        ("mlp:20-16-12-5:gelu", [20, 16, 12, 5], "gelu", [20], 64),
    ]
    if not args.quick:
        cases.append(("mlp:20-16-12-5:relu", [20, 16, 12, 5], "relu", [20], 64))
        cases.append(("mlp:48-24-10:tanh", [48, 24, 10], "tanh", [3, 4, 4], 100))
    ok = True
    for i, (spec, sizes, act, shape, n) in enumerate(cases):
        for loss in ["mse", "ce"]:
            ok &= eigen_case(args.sharpedge, spec, sizes, act, shape, n, loss, seed=200 + i)
    ok &= batch_sharpness_case(args.sharpedge, 5 if args.quick else 10)
    print("measure agrees with PyTorch (eigenvalues to 1e-6, batch sharpness within 3 SE)" if ok else "MISMATCH against PyTorch")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
