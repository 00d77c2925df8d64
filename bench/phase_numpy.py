#!/usr/bin/python3
"""NumPy timings of the phase_ml teacher-student SGD step, to compare with SharpEdge's fast trainer.

Usage (Debian's python3 with python3-numpy; runs on one thread):
    /usr/bin/python3 bench/phase_numpy.py [--epochs-per-rep 1] [--reps 7] [--seed 0]

Two loops over the default configuration (tanh, K = 16, L = r*K = 32, D = 3, bs = 4, 1000 batches, lr = eps = 1),
both written from the specification (docs: phase_ml_spec sections 1, 3.1, 9.1, 9.2), not copied from generate.py:

  original  generate.py's per-step work with all its redundant passes (section 9.1): the teacher's forward pass
            recomputes the batch labels, MSE() and dL_dW() each redo the forward pass, tanh(M x) three times per
            step, the student pre-activation twice inside dL_dW, einsum for every contraction, and the epoch
            gradient accumulated every step.
  lean      the minimal NumPy step (section 9.2): features tanh(M x) and labels precomputed once, then per step
            z = f Wp^T, a = tanh z, r = y - a Z^T, divergence test, Wp += (lr/bs) (r Z (1 - a^2))^T f.

Prints JSON with the median microseconds per SGD step of each loop (medians over --reps repetitions of
--epochs-per-rep epochs of 1000 steps each, after one warm-up repetition).
"""
import argparse
import json
import os
import time

for variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[variable] = "1"

import numpy as np  # noqa: E402  (after the thread settings)

D, K, R, O, BS, N_BATCHES = 3, 16, 2, 1, 4, 1000
L = R * K
LR, EPS = 1.0, 1.0


def draw_model(rng):
    """Section 1.2: M, teacher W, Z, x_data, student Wp in the original's draw order."""
    M = rng.normal(0.0, 1.0 / np.sqrt(D), size=(L, D))
    W = rng.normal(0.0, 1.0 / np.sqrt(L), size=(K, L))
    Z = rng.normal(0.0, 1.0 / np.sqrt(K), size=(O, K))
    x_data = rng.normal(0.0, 1.0, size=(BS * N_BATCHES, D))
    Wp = rng.normal(0.0, EPS / np.sqrt(L), size=(K, L))
    return M, W, Z, x_data, Wp


# ---- generate.py's functions as the specification describes them (sections 1.3, 1.4, 9.1)

def forward(x, M, V, Z):
    hi = np.tanh(np.einsum("li,ni->nl", M, x))
    h = np.tanh(np.einsum("kl,nl->nk", V, hi))
    return np.einsum("ok,nk->no", Z, h)


def mse(y, yp):
    return 0.5 * np.mean(np.sum((y - yp) ** 2, axis=1))


def dl_dw(x, y, M, V, Z):
    hi = np.tanh(np.einsum("li,ni->nl", M, x))
    h = np.tanh(np.einsum("kl,nl->nk", V, hi))
    dh = 1.0 - np.tanh(np.einsum("kl,nl->nk", V, hi)) ** 2
    yp = np.einsum("ok,nk->no", Z, h)
    zty = np.einsum("ko,no->nk", Z.T, y)
    ztzh = np.einsum("ko,no->nk", Z.T, yp)
    return -np.mean(np.einsum("nk,nl->nkl", (zty - ztzh) * dh, hi), axis=0)


def original_epoch(M, W, Z, x_data, Wp):
    loss_acc, grad_acc = 0.0, np.zeros_like(Wp)
    for b in range(N_BATCHES):
        x_batch = x_data[b * BS:(b + 1) * BS]
        y_batch = forward(x_batch, M, W, Z)  # teacher labels, recomputed every step
        batch_loss = mse(y_batch, forward(x_batch, M, Wp, Z))
        batch_grad = dl_dw(x_batch, y_batch, M, Wp, Z)
        if batch_loss > 100.0:
            raise RuntimeError("diverged")
        Wp = Wp - LR * batch_grad
        loss_acc += batch_loss
        grad_acc += batch_grad
    return Wp, loss_acc / N_BATCHES


# ---- the lean loop (section 9.2)

def lean_epoch(features, labels, Z, Wp):
    z_row, scale, loss_acc = Z[0], LR / BS, 0.0
    for b in range(N_BATCHES):
        f = features[b * BS:(b + 1) * BS]
        a = np.tanh(f @ Wp.T)
        r = labels[b * BS:(b + 1) * BS] - a @ z_row
        batch_loss = 0.5 * np.mean(r * r)
        if batch_loss > 100.0:
            raise RuntimeError("diverged")
        Wp += scale * (((r[:, None] * z_row) * (1.0 - a * a)).T @ f)
        loss_acc += batch_loss
    return Wp, loss_acc / N_BATCHES


def median_us_per_step(run_epoch, reps, epochs_per_rep):
    run_epoch()  # warm-up
    times = []
    for _ in range(reps):
        start = time.perf_counter()
        for _ in range(epochs_per_rep):
            run_epoch()
        times.append((time.perf_counter() - start) / (epochs_per_rep * N_BATCHES) * 1e6)
    return float(np.median(times)), float(min(times))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--epochs-per-rep", type=int, default=1)
    parser.add_argument("--reps", type=int, default=7)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    M, W, Z, x_data, Wp0 = draw_model(np.random.default_rng(args.seed))
    features = np.tanh(x_data @ M.T)
    labels = forward(x_data, M, W, Z)[:, 0]

    # Both loops compute the same SGD: one epoch from the same start must agree to rounding.
    wp_original, loss_original = original_epoch(M, W, Z, x_data, Wp0.copy())
    wp_lean, loss_lean = lean_epoch(features, labels, Z, Wp0.copy())
    agreement = float(np.max(np.abs(wp_original - wp_lean)) / np.max(np.abs(wp_original)))

    state = {"original": Wp0.copy(), "lean": Wp0.copy()}

    def run_original():
        state["original"], _ = original_epoch(M, W, Z, x_data, state["original"])

    def run_lean():
        state["lean"], _ = lean_epoch(features, labels, Z, state["lean"])

    original = median_us_per_step(run_original, args.reps, args.epochs_per_rep)
    lean = median_us_per_step(run_lean, args.reps, args.epochs_per_rep)
    print(json.dumps({
        "config": {"actf": "tanh", "K": K, "L": L, "D": D, "bs": BS, "n_batches": N_BATCHES, "lr": LR, "eps": EPS},
        "numpy": np.__version__,
        "threads": 1,
        "statistic": "median (min) microseconds per SGD step",
        "original_us_per_step": round(original[0], 2),
        "original_us_per_step_min": round(original[1], 2),
        "lean_us_per_step": round(lean[0], 2),
        "lean_us_per_step_min": round(lean[1], 2),
        "one_epoch_relative_difference": agreement,
        "one_epoch_loss": [loss_original, loss_lean],
    }, indent=1))


if __name__ == "__main__":
    main()
