#!/usr/bin/python3
"""Check SharpEdge teacher-student output files (sharpedge phase train) with NumPy.

Usage (Debian's python3 with python3-numpy):
    /usr/bin/python3 bench/phase_npz_check.py FILE_OR_DIR [FILE_OR_DIR ...]

Every data.npz found is loaded the way its reader would load it:
  * plain format (SharpEdge default): numpy.load(path, allow_pickle=False), named float64/int64 members;
  * phase_ml format (--format phase_ml): numpy.load(path, allow_pickle=True)['arr_0'].item(), the original
    generate.py layout (phase_ml_spec section 3.4) that empirical_phase.ipynb reads.
It checks the members, dtypes and shapes of section 3.4 (W, dW: (seeds, slots, K, L); loss: (seeds, slots);
Wt: (seeds, K, L); Z: (seeds, 1, K); M: (seeds, L, D)), the save schedule of section 3.2, the divergence fill
of section 3.3 and, for the plain format, that the folder name is r{r}K{K}_{actf}_lr{lr:%.5g}_bs{bs:%.5g}_eps{eps:%.5g}.
When the same cell exists in both formats (same path below different roots), their arrays must be equal.
Exit status 1 on any failure.
"""
import os
import sys
import zipfile

import numpy as np

HISTORY_KEYS = ("W", "dW", "loss", "Wt", "Z", "M")


def find_files(arguments):
    for argument in arguments:
        if os.path.isdir(argument):
            for directory, _, files in os.walk(argument):
                if "data.npz" in files:
                    yield os.path.join(directory, "data.npz")
        else:
            yield argument


def expected_save_epochs(epochs):
    """Completed epochs per slot, from the original's code (section 3.2), for epochs the schedule handles."""
    save_points = min(20, epochs)
    grid = np.linspace(0, epochs, save_points + 1)
    interval = epochs // save_points
    completed = [0]
    for e in range(epochs):
        if e in grid:
            assert e // interval + 1 == len(completed), "slot order"
            completed.append(e + 1)
    return completed


def check_history(history, failures, where):
    for key in HISTORY_KEYS:
        if key not in history:
            failures.append(f"{where}: member {key} missing")
            return None
        if history[key].dtype != np.float64:
            failures.append(f"{where}: {key} has dtype {history[key].dtype}, expected float64")
    seeds, slots, k, l = history["W"].shape
    d = history["M"].shape[2]
    expected = {"W": (seeds, slots, k, l), "dW": (seeds, slots, k, l), "loss": (seeds, slots),
                "Wt": (seeds, k, l), "Z": (seeds, 1, k), "M": (seeds, l, d)}
    for key, shape in expected.items():
        if history[key].shape != shape:
            failures.append(f"{where}: {key} has shape {history[key].shape}, expected {shape}")
    return seeds, slots, k, l, d


def check_plain(path, failures):
    with np.load(path, allow_pickle=False) as data:
        arrays = {key: data[key] for key in data.files}
    shapes = check_history(arrays, failures, path)
    if shapes is None:
        return arrays
    seeds, slots, k, l, d = shapes
    for key in ("seeds", "diverged_epoch", "save_epochs", "lr", "eps", "bs", "T", "r", "K", "L", "D",
                "n_batches", "epochs", "M_mu", "M_sig", "W_mu", "W_sig", "Z_mu", "Z_sig", "actf"):
        if key not in arrays:
            failures.append(f"{path}: parameter member {key} missing")
            return arrays
    lr, eps, bs = float(arrays["lr"]), float(arrays["eps"]), int(arrays["bs"])
    r, K, epochs = int(arrays["r"]), int(arrays["K"]), int(arrays["epochs"])
    actf = bytes(arrays["actf"]).decode("ascii")
    if (K, r * K, int(arrays["D"])) != (k, l, d):
        failures.append(f"{path}: K/L/D parameters {K}, {r * K}, {int(arrays['D'])} disagree with shapes {k}, {l}, {d}")
    if abs(float(arrays["T"]) - lr / bs) > 1e-15 * lr:
        failures.append(f"{path}: T != lr/bs")
    if arrays["seeds"].shape != (seeds,) or arrays["seeds"].dtype != np.int64:
        failures.append(f"{path}: seeds must be int64 of shape ({seeds},)")
    if list(arrays["save_epochs"]) != expected_save_epochs(epochs):
        failures.append(f"{path}: save_epochs {list(arrays['save_epochs'])} differ from generate.py's schedule")
    name = f"r{r}K{K}_{actf}_lr{'%.5g' % lr}_bs{'%.5g' % bs}_eps{'%.5g' % eps}"
    folder = os.path.basename(os.path.dirname(os.path.abspath(path)))
    group = os.path.basename(os.path.dirname(os.path.dirname(os.path.abspath(path))))
    if folder != name or group != f"r{r}K{K}":
        failures.append(f"{path}: folder {group}/{folder}, expected r{r}K{K}/{name}")
    for seed, diverged in enumerate(arrays["diverged_epoch"]):
        if diverged < 0:
            if np.any(arrays["loss"][seed, 1:] == 100.0):
                failures.append(f"{path}: seed {seed} did not diverge but has loss slots at the sentinel 100")
            continue
        first = int(diverged) // (epochs // min(20, epochs)) + 1
        W = arrays["W"][seed]
        if not all(np.array_equal(W[first], W[s]) for s in range(first, slots)):
            failures.append(f"{path}: seed {seed} diverged in epoch {diverged} but W slots {first}.. are not one state")
        if not np.all(arrays["loss"][seed, first + 1:] == 100.0):
            failures.append(f"{path}: seed {seed} diverged but later loss slots are not the sentinel 100")
    return arrays


def check_phase_ml(path, failures):
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
    if names != ["arr_0.npy"]:
        failures.append(f"{path}: members {names}, expected ['arr_0.npy']")
    with np.load(path, allow_pickle=True) as data:
        array = data["arr_0"]
    if array.dtype != object or array.shape != ():
        failures.append(f"{path}: arr_0 is {array.dtype} {array.shape}, expected a 0-d object array")
    history = array.item()
    if not isinstance(history, dict) or sorted(history) != sorted(HISTORY_KEYS):
        failures.append(f"{path}: arr_0 holds {type(history).__name__} with keys {sorted(history)}, expected {sorted(HISTORY_KEYS)}")
        return {}
    check_history(history, failures, path)
    return history


def main():
    if len(sys.argv) < 2:
        print(__doc__)
        return 2
    failures, loaded = [], {}
    files = list(find_files(sys.argv[1:]))
    if not files:
        print("no data.npz found")
        return 1
    for path in files:
        with zipfile.ZipFile(path) as archive:
            phase_ml = archive.namelist() == ["arr_0.npy"]
        before = len(failures)
        arrays = check_phase_ml(path, failures) if phase_ml else check_plain(path, failures)
        cell = os.path.join(*os.path.abspath(path).split(os.sep)[-3:])
        loaded.setdefault(cell, []).append((path, arrays))
        shapes = ", ".join(f"{key} {arrays[key].shape}" for key in HISTORY_KEYS if key in arrays)
        print(f"{'OK  ' if len(failures) == before else 'FAIL'} {'phase_ml' if phase_ml else 'plain   '} {path}: {shapes}")
    for cell, versions in loaded.items():
        for (path_a, a), (path_b, b) in zip(versions, versions[1:]):
            for key in HISTORY_KEYS:
                if key in a and key in b and not np.array_equal(a[key], b[key]):
                    failures.append(f"{key} differs between {path_a} and {path_b}")
            print(f"compared {path_a} with {path_b}")
    for failure in failures:
        print("FAIL:", failure)
    print(f"{len(files)} file(s), {len(failures)} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
