#!/usr/bin/python3
"""The teacher-student ensemble as a PyTorch user would write it, for comparison with `sharpedge bench ensemble`:
all models in lockstep as batched tensors (W: models×K×L), float64, first-layer features φ1 = tanh(M x)
precomputed once (models×N×L), one SGD step = bmm forward, tanh, the hand-written gradient of the MSE
(−(1/bs) Σ_n Z_k r_n (1 − φ2²) φ1ᵀ, generate.py's dL_dW) and the update; optionally a whole epoch of steps
captured as one CUDA graph. Same shapes as the paper: tanh, K = 16, L = 32, D = 3, bs = 4, 1,000 batches.

Prints one JSON document: model-steps per second (timed epochs after a warm-up epoch) and the projection to the
paper's 14,400 models × 10⁸ steps.

Usage: python3 bench/phase_torch_ensemble.py [--models 14400] [--epochs 3] [--graph] [--device cuda]"""
import argparse, json, sys, time

PAPER_MODEL_STEPS = 14_400 * 1e8


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--models", type=int, default=14_400)
    p.add_argument("--epochs", type=int, default=3, help="timed epochs (after one warm-up epoch)")
    p.add_argument("--batches", type=int, default=1000)
    p.add_argument("--graph", action="store_true", help="capture one epoch of steps as a CUDA graph")
    p.add_argument("--device", default="cuda")
    args = p.parse_args()
    import torch
    if args.device == "cuda" and not torch.cuda.is_available():
        sys.exit("phase_torch_ensemble: no CUDA device visible to PyTorch")
    dev = torch.device(args.device)
    torch.manual_seed(0)
    f64 = dict(dtype=torch.float64, device=dev)
    n_models, K, L, D, bs, batches, lr = args.models, 16, 32, 3, 4, args.batches, 1.0
    N = bs * batches
    # Per model: its own M, teacher W, Z, data and student (phase_ml_spec §1.2).
    M = torch.randn(n_models, L, D, **f64) / D ** 0.5
    Wt = torch.randn(n_models, K, L, **f64) / L ** 0.5
    Z = torch.randn(n_models, 1, K, **f64) / K ** 0.5
    x = torch.randn(n_models, N, D, **f64)
    W = torch.randn(n_models, K, L, **f64) / L ** 0.5
    with torch.no_grad():
        phi = torch.tanh(torch.bmm(x, M.transpose(1, 2)))                      # models×N×L, constant
        y = torch.bmm(torch.tanh(torch.bmm(phi, Wt.transpose(1, 2))), Z.transpose(1, 2))   # models×N×1
    del x, M, Wt
    Zt = Z.transpose(1, 2)                                                     # models×K×1
    loss_sum = torch.zeros(n_models, **f64)

    def step(b):
        f = phi[:, b * bs:(b + 1) * bs, :]                                     # models×bs×L
        h = torch.tanh(torch.bmm(f, W.transpose(1, 2)))                        # models×bs×K
        r = y[:, b * bs:(b + 1) * bs, :] - torch.bmm(h, Zt)                    # models×bs×1
        loss_sum.add_(0.5 * (r * r).mean(dim=(1, 2)))
        e = r * Z * (1.0 - h * h)                                              # models×bs×K: minus dℓ/dz
        W.add_(torch.bmm(e.transpose(1, 2), f), alpha=lr / bs)                 # W −= lr·(−(1/bs) Σ_n e_n φ1_nᵀ)

    def epoch():
        for b in range(batches):
            step(b)

    with torch.no_grad():
        run = epoch
        if args.graph:
            side = torch.cuda.Stream()
            side.wait_stream(torch.cuda.current_stream())
            with torch.cuda.stream(side):
                epoch()                                                        # warm-up before capture
            torch.cuda.current_stream().wait_stream(side)
            graph = torch.cuda.CUDAGraph()
            with torch.cuda.graph(graph):
                epoch()
            run = graph.replay
        run()                                                                  # warm-up epoch
        if dev.type == "cuda":
            torch.cuda.synchronize()
        start = time.perf_counter()
        for _ in range(args.epochs):
            run()
        if dev.type == "cuda":
            torch.cuda.synchronize()
        seconds = time.perf_counter() - start
    steps = n_models * args.epochs * batches
    rate = steps / seconds
    print(json.dumps({
        "trainer": f"PyTorch {torch.__version__} lockstep bmm, float64{', CUDA graph per epoch' if args.graph else ''}",
        "device": torch.cuda.get_device_name(0) if dev.type == "cuda" else "cpu",
        "models": n_models, "epochs": args.epochs, "steps_per_epoch": batches, "seconds": seconds,
        "model_steps_per_second": rate, "paper_hours": PAPER_MODEL_STEPS / rate / 3600.0,
        "finite": bool(torch.isfinite(W).all().item()),
    }))


if __name__ == "__main__":
    main()
