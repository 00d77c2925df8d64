#!/usr/bin/python3
"""Converts phase_ml's own output (data.npz holding one pickled dict in arr_0, phase_ml_spec §3.4) into
SharpEdge's plain layout, so `sharpedge phase analyze` can read the original's released data
(e.g. Zenodo's fixed_eps_Ttf.tar.gz). The original stores no parameters: lr, bs, eps, actf, r and K come from
the cell folder's name (r{r}K{K}_{actf}_lr{lr}_bs{bs}_eps{eps}), the epoch count from --epochs.

Usage: bench/phase_ml_to_npz.py SRC_ROOT DST_ROOT [--epochs 100000]
Every */data.npz below SRC_ROOT is written to the same relative path below DST_ROOT (pickle is loaded here,
in Python, once; SharpEdge itself never unpickles these files)."""
import argparse, os, re, sys
import numpy as np

NAME = re.compile(r'^r(\d+)K(\d+)_([a-z]+)_lr([^_]+)_bs([^_]+)_eps([^_/]+)$')

def slot_epochs(epochs):
    save_points = min(20, epochs)
    interval = epochs // save_points
    return np.array([0] + [(i - 1) * interval + 1 for i in range(1, save_points + 1)], dtype=np.int64)

def convert(src, dst, epochs):
    m = NAME.match(os.path.basename(os.path.dirname(src)))
    if not m:
        raise SystemExit(f'{src}: folder name is not r{{r}}K{{K}}_{{actf}}_lr{{lr}}_bs{{bs}}_eps{{eps}}')
    r, K, actf, lr, bs, eps = int(m[1]), int(m[2]), m[3], float(m[4]), int(float(m[5])), float(m[6])
    history = np.load(src, allow_pickle=True)['arr_0'].item()
    W = np.asarray(history['W'], dtype=np.float64)
    seeds, slots = W.shape[0], W.shape[1]
    if slots != min(20, epochs) + 1:
        raise SystemExit(f'{src}: {slots} slots do not fit --epochs {epochs}')
    os.makedirs(os.path.dirname(dst), exist_ok=True)
    tmp = dst + '.tmp.npz'
    np.savez(tmp, W=W, dW=np.asarray(history['dW'], dtype=np.float64), loss=np.asarray(history['loss'], dtype=np.float64),
             Wt=np.asarray(history['Wt'], dtype=np.float64), Z=np.asarray(history['Z'], dtype=np.float64),
             M=np.asarray(history['M'], dtype=np.float64), seeds=-np.arange(1, seeds + 1, dtype=np.int64),
             save_epochs=slot_epochs(epochs), actf=np.frombuffer(actf.encode('ascii'), dtype=np.uint8),
             lr=np.array([lr]), eps=np.array([eps]), bs=np.array([bs], dtype=np.int64), T=np.array([lr / bs]),
             r=np.array([r], dtype=np.int64), K=np.array([K], dtype=np.int64), L=np.array([r * K], dtype=np.int64),
             D=np.array([W.shape[3] and history['M'].shape[-1]], dtype=np.int64), epochs=np.array([epochs], dtype=np.int64))
    os.replace(tmp, dst)

def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('src'); parser.add_argument('dst'); parser.add_argument('--epochs', type=int, default=100000)
    a = parser.parse_args()
    count = 0
    for folder, _, files in os.walk(a.src):
        if 'data.npz' in files:
            src = os.path.join(folder, 'data.npz')
            convert(src, os.path.join(a.dst, os.path.relpath(src, a.src)), a.epochs)
            count += 1
    print(f'converted {count} cells into {a.dst}')
    if count == 0: sys.exit(1)

if __name__ == '__main__':
    main()
