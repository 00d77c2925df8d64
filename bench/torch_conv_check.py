#!/usr/bin/python3
"""Independent check of the conv presets of `sharpedge model hvp` against PyTorch (Debian python3-torch 1.13), float64.

Builds EoSS's `cnn`, `resnet` (ResNet-20, BatchNorm replaced by Identity), `resnet_bn` (ResNet-14 with BatchNorm),
`wrn` and `wrn_no_bn` (Fixup) in PyTorch with the original's module names (eoss_spec §3.2-§3.3, written here from
the spec, not imported), checks that `sharpedge model info` lists the same parameter names and shapes in the same
order, writes the state_dict (BatchNorm buffers included) as safetensors and X, Y, V as .npy, runs
`sharpedge model hvp`, and compares loss, gradient and H·v (PyTorch: double backward) to 1e-8 relative.
BatchNorm runs in training mode (batch statistics, the default) and, with `--bn frozen`, in evaluation mode
against random running statistics.

Usage: /usr/bin/python3 bench/torch_conv_check.py [--sharpedge ./sharpedge] [--quick]
Exits 0 with a SKIP line when PyTorch or NumPy is absent, 1 when any comparison fails."""
import argparse, json, os, shlex, subprocess, sys, tempfile

try:
    import numpy as np
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
except ImportError as e:
    print(f"SKIP: torch_conv_check needs Debian's python3-numpy and python3-torch ({e})")
    sys.exit(0)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TOLERANCE = 1e-8
sys.path.insert(0, os.path.join(ROOT, "bench"))
from torch_check import write_safetensors  # noqa: E402  (one safetensors writer for every bench script)


ACT = {"relu": nn.ReLU, "silu": nn.SiLU, "tanh": nn.Tanh}


class Cnn(nn.Module):
    """eoss_spec §3.2: convs = Conv3x3, act, Conv3x3, act, MaxPool2, Conv3x3, act, MaxPool2; fcs = Linear, act, Linear."""

    def __init__(self, shape, classes, channels=(64, 64, 128), hidden=512, act="relu"):
        super().__init__()
        c, h, w = shape
        self.convs = nn.Sequential(nn.Conv2d(c, channels[0], 3), ACT[act](), nn.Conv2d(channels[0], channels[1], 3), ACT[act](),
                                   nn.MaxPool2d(2, 2), nn.Conv2d(channels[1], channels[2], 3), ACT[act](), nn.MaxPool2d(2, 2))
        size = lambda s: ((s - 4) // 2 - 2) // 2
        self.fcs = nn.Sequential(nn.Linear(channels[2] * size(h) * size(w), hidden), ACT[act](), nn.Linear(hidden, classes))

    def forward(self, x):
        return self.fcs(self.convs(x).flatten(1))


class OptionA(nn.Module):
    def __init__(self, pad):
        super().__init__()
        self.pad = pad

    def forward(self, x):
        return F.pad(x[:, :, ::2, ::2], (0, 0, 0, 0, self.pad, self.pad), "constant", 0)


class BasicBlock(nn.Module):
    """eoss_spec §3.3: relu(bn2(conv2(relu(bn1(conv1 x)))) + shortcut(x)), option-A shortcut; bn = Identity without BatchNorm."""

    def __init__(self, inp, planes, stride, bn):
        super().__init__()
        norm = (lambda n: nn.BatchNorm2d(n)) if bn else (lambda n: nn.Identity())
        self.conv1 = nn.Conv2d(inp, planes, 3, stride, 1, bias=False)
        self.bn1 = norm(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, 1, 1, bias=False)
        self.bn2 = norm(planes)
        self.shortcut = OptionA(planes // 4) if stride != 1 or inp != planes else nn.Sequential()

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return F.relu(out + self.shortcut(x))


class ResNet(nn.Module):
    def __init__(self, shape, classes, blocks=(3, 3, 3), width=16, bn=False):
        super().__init__()
        self.conv1 = nn.Conv2d(shape[0], width, 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(width) if bn else nn.Identity()
        inp, stages = width, []
        for s, n in enumerate(blocks):
            planes, layer = width << s, []
            for k in range(n):
                layer.append(BasicBlock(inp, planes, 2 if k == 0 and s > 0 else 1, bn))
                inp = planes
            stages.append(nn.Sequential(*layer))
        self.layer1, self.layer2, self.layer3 = stages
        self.linear = nn.Linear(inp, classes)

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.layer3(self.layer2(self.layer1(out)))
        out = F.avg_pool2d(out, out.size()[3])
        return self.linear(out.view(out.size(0), -1))


class WrnBlock(nn.Module):
    def __init__(self, inp, out, stride):
        super().__init__()
        self.bn1 = nn.BatchNorm2d(inp)
        self.conv1 = nn.Conv2d(inp, out, 3, stride, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(out)
        self.conv2 = nn.Conv2d(out, out, 3, 1, 1, bias=False)
        self.shortcut = nn.Conv2d(inp, out, 1, stride, bias=False) if stride != 1 or inp != out else nn.Identity()

    def forward(self, x):
        out = self.conv1(F.relu(self.bn1(x)))
        out = self.conv2(F.relu(self.bn2(out)))
        return out + self.shortcut(x)


class FixupBlock(nn.Module):
    def __init__(self, inp, out, stride):
        super().__init__()
        self.bias1a = nn.Parameter(torch.zeros(1, inp, 1, 1))
        self.bias1b = nn.Parameter(torch.zeros(1, out, 1, 1))
        self.bias2a = nn.Parameter(torch.zeros(1, out, 1, 1))
        self.bias2b = nn.Parameter(torch.zeros(1, out, 1, 1))
        self.scale = nn.Parameter(torch.ones(1, out, 1, 1))
        self.conv1 = nn.Conv2d(inp, out, 3, stride, 1, bias=False)
        self.conv2 = nn.Conv2d(out, out, 3, 1, 1, bias=False)
        self.shortcut = nn.Conv2d(inp, out, 1, stride, bias=False) if stride != 1 or inp != out else nn.Identity()

    def forward(self, x):
        out = self.conv1(F.relu(x + self.bias1a)) + self.bias1b
        out = self.conv2(F.relu(out + self.bias2a))
        return out * self.scale + self.bias2b + self.shortcut(x)


class Wrn(nn.Module):
    """EoSS utils/wrn.py as eoss_spec §3.3 describes it: pre-activation blocks, 1×1 conv shortcuts; Fixup without BatchNorm."""

    def __init__(self, shape, classes, depth=10, k=2, width=16, bn=True):
        super().__init__()
        if not bn:
            self.bias = nn.Parameter(torch.zeros(1, 4 * width * k, 1, 1))
        self.stem = nn.Conv2d(shape[0], width, 3, 1, 1, bias=False)
        inp, block = width, WrnBlock if bn else FixupBlock
        for g in range(3):
            out, layer = (width << g) * k, []
            for b in range((depth - 4) // 6):
                layer.append(block(inp, out, 2 if b == 0 and g > 0 else 1))
                inp = out
            setattr(self, f"group{g + 1}", nn.Sequential(*layer))
        if bn:
            self.bn = nn.BatchNorm2d(inp)
        self.fc = nn.Linear(inp, classes)
        self.use_bn = bn

    def forward(self, x):
        out = self.group3(self.group2(self.group1(self.stem(x))))
        out = F.relu(self.bn(out)) if self.use_bn else F.relu(out + self.bias)
        return self.fc(F.adaptive_avg_pool2d(out, 1).flatten(1))


CHECKED_NAMES = set()


def run_case(sharpedge, spec, net, shape, n, loss, frozen, seed):
    torch.manual_seed(seed)
    net = net.double()
    with torch.no_grad():
        for name, p in net.named_parameters():
            fan = p[0].numel() if p.dim() > 1 else 1
            p.normal_(0, 1.0 / np.sqrt(fan)) if p.dim() > 1 and p.shape[0] > 1 else p.normal_(0.5 if "scale" in name or name.endswith("bn1.weight") else 0, 0.3)
        for name, b in net.named_buffers():
            if name.endswith("running_mean"):
                b.normal_(0, 0.3)
            elif name.endswith("running_var"):
                b.uniform_(0.5, 1.5)
    net.eval() if frozen else net.train()
    x = torch.randn(n, *shape, dtype=torch.float64)
    classes = 10
    if loss == "mse":
        y = torch.randn(n, classes, dtype=torch.float64)
        loss_fn = lambda out: ((out - y) ** 2).sum(dim=1).mean()   # EoSS SquaredLoss: no 1/2, mean over samples
    else:
        y = torch.randint(0, classes, (n,), dtype=torch.int64)
        loss_fn = lambda out: F.cross_entropy(out, y)
    state = {k: v.clone() for k, v in net.state_dict().items()}   # before the forward pass updates running statistics
    params = list(net.parameters())
    v = torch.randn(sum(p.numel() for p in params), dtype=torch.float64)
    value = loss_fn(net(x))
    grads = torch.autograd.grad(value, params, create_graph=True)
    g = torch.cat([t.reshape(-1) for t in grads])
    hv = torch.cat([t.reshape(-1) for t in torch.autograd.grad(g @ v, params)])

    base = shlex.split(sharpedge)
    if (spec, shape) not in CHECKED_NAMES:
        CHECKED_NAMES.add((spec, shape))
        info = subprocess.run(base + ["model", "info", "--model", spec, "--input-shape", "x".join(map(str, shape)), "--classes", str(classes), "--json"],
                              capture_output=True, text=True)
        if info.returncode != 0:
            print(info.stderr, file=sys.stderr)
            raise RuntimeError(f"sharpedge model info failed on {spec}")
        listed = json.loads(info.stdout)
        ours_names = [(t["name"], tuple(t["shape"])) for t in listed["tensors"] + listed["buffers"]]
        torch_names = [(k, tuple(p.shape)) for k, p in net.named_parameters()] + [(k, tuple(b.shape)) for k, b in net.named_buffers()]
        if ours_names != torch_names:
            print(f"FAIL {spec}: parameter and buffer names/shapes differ\n  ours  {ours_names}\n  torch {torch_names}")
            return False
    with tempfile.TemporaryDirectory() as d:
        files = {k: os.path.join(d, k) for k in ["P.safetensors", "X.npy", "Y.npy", "V.npy", "HV.npy", "G.npy"]}
        write_safetensors(files["P.safetensors"], state)
        np.save(files["X.npy"], x.numpy())
        np.save(files["Y.npy"], y.numpy())
        np.save(files["V.npy"], v.numpy())
        cmd = base + ["model", "hvp", "--model", spec, "--params", files["P.safetensors"], "--inputs", files["X.npy"],
                      "--targets", files["Y.npy"], "--loss", loss, "--vector", files["V.npy"], "--out", files["HV.npy"],
                      "--grad-out", files["G.npy"], "--dtype", "f64", "--json", "--classes", str(classes)]
        if frozen:
            cmd += ["--bn", "frozen"]
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
    mode = " bn=frozen" if frozen else ""
    print(f"{'ok  ' if ok else 'FAIL'} {spec + mode:42s} {'x'.join(map(str, shape)):8s} {loss:3s} n={n:3d} P={v.numel():>9,d}  "
          + "  ".join(f"{k} rel.err {e:.1e}" for k, e in errors.items()))
    return ok


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sharpedge", default=os.path.join(ROOT, "sharpedge"), help="command that runs the CLI")
    parser.add_argument("--quick", action="store_true", help="small inputs and batches only")
    args = parser.parse_args()
    torch.set_num_threads(1)
    # (spec, PyTorch model, input shape, samples, losses, BatchNorm modes: False = batch statistics, True = frozen)
    small, full, both = (3, 16, 16), (3, 32, 32), ["mse", "ce"]
    cases = [
        ("cnn", lambda s: Cnn(s, 10), small, 6, both, [False]),
        ("resnet", lambda s: ResNet(s, 10), small, 4, both, [False]),
        ("resnet_bn", lambda s: ResNet(s, 10, (2, 2, 2), bn=True), small, 4, both, [False, True]),
        ("wrn:depth=10:k=1:width=4", lambda s: Wrn(s, 10, 10, 1, 4), (3, 8, 8), 5, ["ce"], [False, True]),
        ("wrn_no_bn:depth=10:k=2:width=4", lambda s: Wrn(s, 10, 10, 2, 4, bn=False), (1, 8, 8), 5, ["mse"], [False]),
    ]
    if not args.quick:
        cases += [
            ("cnn:channels=4-6-5:hidden=7:tanh", lambda s: Cnn(s, 10, (4, 6, 5), 7, "tanh"), (1, 14, 14), 5, both, [False]),
            ("resnet:blocks=1-2-1:width=4", lambda s: ResNet(s, 10, (1, 2, 1), 4), (1, 12, 12), 5, both, [False]),
            ("resnet_bn:blocks=1-1-1:width=4", lambda s: ResNet(s, 10, (1, 1, 1), 4, bn=True), (1, 10, 10), 5, both, [False, True]),
            ("cnn", lambda s: Cnn(s, 10), full, 16, both, [False]),
            ("cnn", lambda s: Cnn(s, 10), (1, 28, 28), 16, both, [False]),
            ("resnet", lambda s: ResNet(s, 10), full, 8, both, [False]),
            ("resnet_bn", lambda s: ResNet(s, 10, (2, 2, 2), bn=True), full, 8, both, [False, True]),
            ("wrn", lambda s: Wrn(s, 10), full, 8, both, [False, True]),
            ("wrn_no_bn", lambda s: Wrn(s, 10, bn=False), full, 8, both, [False]),
        ]
    ok = True
    for i, (spec, build, shape, n, losses, modes) in enumerate(cases):
        for loss in losses:
            for frozen in modes:
                ok &= run_case(args.sharpedge, spec, build(shape), shape, n, loss, frozen, seed=200 + i)
    print("all agree with PyTorch to 1e-8" if ok else "MISMATCH against PyTorch")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
