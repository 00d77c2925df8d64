#!/usr/bin/python3
"""Independent NumPy check of `sharpedge phase analyze`: recomputes the notebook's per-model observables
(empirical_phase.ipynb cells 5, 19 and the last cell; phase_ml_spec §5) literally with einsum, np.var and
np.linalg.svd from the plain-format data.npz files, and compares them with the analysis' models.csv.

Usage: bench/phase_analyze_check.py SWEEP_DIR [ANALYSIS_DIR]   (ANALYSIS_DIR defaults to SWEEP_DIR/analysis)

The as-coded V_t uses off-diagonal entries of U^T V U, whose signs depend on the eigenvector signs that LAPACK's
SVD happens to return; SharpEdge fixes each eigenvector's largest component positive instead. The script compares
V_t under that same convention (must agree to rounding) and reports how often the criterion changes with
LAPACK's signs."""
import csv, glob, os, sys
import numpy as np

def x_test():
    np.random.seed(42)
    return np.random.normal(0., 1., size=(128, 3))

def fix_signs(u):
    idx = np.argmax(np.abs(u), axis=0)
    signs = np.sign(u[idx, np.arange(u.shape[1])])
    signs[signs == 0] = 1
    return u * signs

def vt(v_til, corrected=False):
    K = v_til.shape[-1]
    H = 0.
    for k in range(1, K - 1):
        H += (v_til[0, k] + v_til[-1, (K - 1 - k) if corrected else (K - k)]) / k
    return 2 * v_til[0, -1] / (K - 1) + H

def model(W0, Wf, Wt, Z, M, lr, bs, eps, r, xt):
    s0 = np.tanh(np.einsum('li,ni->nl', M, xt))
    st = np.tanh(np.einsum('kl,nl->nk', Wt, s0))
    s_pre = np.einsum('kl,nl->nk', Wf, s0)
    s = np.tanh(s_pre)
    s_init = np.tanh(np.einsum('kl,nl->nk', W0, s0))
    yt = np.einsum('ok,nk->no', Z, st)
    y = np.einsum('ok,nk->no', Z, s)
    sigp = 1 - np.tanh(s_pre) ** 2
    out = {}
    out['test_loss'] = np.mean((yt - y) ** 2)
    out['q_time'] = np.sum(s_init * s) / (128 * 16)
    h = np.einsum('no,ok->nk', yt, Z)
    out['hs'] = np.sum(h / np.linalg.norm(h) * s / np.linalg.norm(s)) / 128
    out['hsd'] = np.sum(h / np.linalg.norm(h, axis=0) * s / np.linalg.norm(s, axis=0)) / 16
    phi = np.einsum('no,ok,nk->nk', yt - y, Z, sigp)
    grad = np.einsum('nk,nl->nkl', phi, s0)
    dX_l = np.einsum('al,nbl->nab', Wf, grad)
    dX = dX_l + np.transpose(dX_l, (0, 2, 1))
    Kab = np.mean(dX, axis=0)
    Vab = np.var(dX, axis=0)
    X = Wf @ Wf.T
    U_lapack, x, _ = np.linalg.svd(X)
    K = 16
    res = {}
    for name, U in (('lapack', U_lapack), ('fixed', fix_signs(U_lapack))):
        K_til = np.einsum('ba,bc,cd->ad', U, Kab, U)
        V_til = np.einsum('ba,bc,cd->ad', U, Vab, U)
        K_t = np.abs(K_til[0, 0]) - np.abs(K_til[-1, -1])
        V_t = vt(V_til)
        res[name] = (K_t, V_t, K_t / np.sqrt(r) / (K - 1) >= (lr / bs) * V_t / eps ** 2 / 4)
    # corrected: variance of the rotated per-sample dX (sign-invariant)
    U = fix_signs(U_lapack)
    rot = np.einsum('ba,nbc,cd->nad', U, dX, U)
    V_t_corr = vt(np.var(rot, axis=0), corrected=True)
    out['K_t'], out['V_t'], _ = res['fixed']
    out['V_t_corrected'] = V_t_corr
    out['criterion_lapack'] = res['lapack'][2]
    out['criterion_fixed'] = res['fixed'][2]
    ev0 = np.sort(np.linalg.eigvalsh(W0 @ W0.T)); evf = np.sort(np.linalg.eigvalsh(X))
    out['rate_ratio'] = np.log(((evf[-1] - evf[0]) / 15) / ((ev0[-1] - ev0[0]) / 15))
    return out

def main():
    sweep = sys.argv[1]
    analysis = sys.argv[2] if len(sys.argv) > 2 else os.path.join(sweep, 'analysis')
    ours = {}
    for row in csv.DictReader(open(os.path.join(analysis, 'models.csv'))):
        ours[(float(row['lr']), float(row['eps']), int(row['seed']))] = row
    xt = x_test()
    worst = {}
    flips = total = 0
    for path in sorted(glob.glob(os.path.join(sweep, '**', 'data.npz'), recursive=True)):
        d = np.load(path)
        lr, eps, bs, r, epochs = float(d['lr']), float(d['eps']), int(d['bs']), int(d['r']), int(d['epochs'])
        for m in range(d['W'].shape[0]):
            ref = model(d['W'][m, 0], d['W'][m, -1], d['Wt'][m], d['Z'][m], d['M'][m], lr, bs, eps, r, xt)
            row = ours[(lr, eps, int(d['seeds'][m]))]
            for key, col in (('test_loss', 'test_loss'), ('q_time', 'q_time'), ('hs', 'hs'), ('hsd', 'hsd'), ('K_t', 'K_t'),
                             ('V_t', 'V_t'), ('V_t_corrected', 'V_t_corrected')):
                a, b = float(row[col]), float(ref[key])
                rel = abs(a - b) / max(abs(b), 1e-300)
                worst[col] = max(worst.get(col, 0.), rel)
            rate = float(row['rate']) * epochs
            worst['rate'] = max(worst.get('rate', 0.), abs(rate - ref['rate_ratio']) / max(abs(ref['rate_ratio']), 1e-300))
            if (row['ordered'] == '1') != bool(ref['criterion_fixed']):
                worst['criterion_mismatch'] = worst.get('criterion_mismatch', 0) + 1
            flips += bool(ref['criterion_lapack']) != bool(ref['criterion_fixed'])
            total += 1
    print(f'{total} models compared with a literal NumPy transcription of the notebook')
    for key, value in worst.items():
        print(f'  max relative difference {key:16s} {value:.3e}' if key != 'criterion_mismatch' else f'  criterion mismatches {value}')
    print(f'  criterion with LAPACK SVD signs differs from the fixed-sign convention in {flips}/{total} models')

if __name__ == '__main__':
    main()
