#!/usr/bin/python3
"""Checks the three phases of phase_ml_spec §7 on a `phase analyze` output (issue 4's science acceptance):
  ordered:       median test MSE <= 1e-5                       for 1/sigma_W >= 2   and T <= 1/8
  spin glass:    median q_time >= 0.5 and singular values within a factor 2 of their initial values
                                                               for 1/sigma_W <= 1/32 and T <= 1/8
  paramagnetic:  median test MSE >= 3e-3                       for T >= 8
  Tc (68 %) at 1/sigma_W = 8 within a factor 2 of 0.375.
Usage: bench/phase_science_check.py ANALYSIS_DIR   (the folder holding cells.csv and phase.json)"""
import csv, json, os, sys

def main():
    folder = sys.argv[1]
    cells = list(csv.DictReader(open(os.path.join(folder, 'cells.csv'))))
    f = lambda c, k: float(c[k])
    ok = True

    def report(name, selected, test, describe):
        nonlocal ok
        passed = [test(c) for c in selected]
        good = bool(selected) and all(passed)
        ok &= good
        print(f"{'PASS' if good else 'FAIL'} {name}: {sum(passed)}/{len(selected)} cells")
        for c, p in zip(selected, passed):
            print(f"     {'ok ' if p else 'BAD'} 1/sigma_W={f(c, 'inv_sigma_w'):<9.5g} T={f(c, 'T'):<8.5g} {describe(c)}")

    report('ordered (median test MSE <= 1e-5)',
           [c for c in cells if f(c, 'inv_sigma_w') >= 2 and f(c, 'T') <= 0.125],
           lambda c: f(c, 'test_loss_median') <= 1e-5, lambda c: f"median test MSE {f(c, 'test_loss_median'):.3g}")
    report('spin glass (median q_time >= 0.5, singular values within x2 of initial)',
           [c for c in cells if f(c, 'inv_sigma_w') <= 1 / 32 and f(c, 'T') <= 0.125],
           lambda c: f(c, 'q_time_median') >= 0.5 and f(c, 'sv_ratio_max') <= 2 and f(c, 'sv_ratio_min') >= 0.5,
           lambda c: f"median q_time {f(c, 'q_time_median'):.3f}, sigma_a(t_f)/sigma_a(0) in [{f(c, 'sv_ratio_min'):.3f}, {f(c, 'sv_ratio_max'):.3f}] (median over models, every rank a)")
    report('paramagnetic (median test MSE >= 3e-3)',
           [c for c in cells if f(c, 'T') >= 8],
           lambda c: f(c, 'test_loss_median') >= 3e-3, lambda c: f"median test MSE {f(c, 'test_loss_median'):.3g}")
    phase = json.load(open(os.path.join(folder, 'phase.json')))
    row = next((r for r in phase['critical_temperatures'] if abs(r['inv_sigma_w'] - 8) < 1e-9), None)
    tc = row and row['levels'][0]['tc']
    good = tc is not None and 0.375 / 2 <= tc <= 0.375 * 2
    ok &= good
    print(f"{'PASS' if good else 'FAIL'} Tc (68 %) at 1/sigma_W = 8: {tc} (paper 0.375; {phase['variant']})")
    print('ALL PASS' if ok else 'SOME FAIL')
    sys.exit(0 if ok else 1)

if __name__ == '__main__':
    main()
