"""What the PyTorch comparison scripts share: OpenBLAS left to detect the CPU, and NumPy/PyTorch imported or a SKIP.

This workplace pins OpenBLAS to its AVX2 kernel for old builds (OPENBLAS_CORETYPE, OPENBLAS_L2_SIZE); a fair
comparison lets it detect the CPU, in this process (before torch loads it) or in the worker processes it starts."""
import os
import sys

OPENBLAS_OVERRIDES = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")


def torch_worker_env(threads):
    """os.environ without the OpenBLAS overrides, with OpenBLAS and OpenMP at `threads` threads."""
    env = {k: v for k, v in os.environ.items() if k not in OPENBLAS_OVERRIDES}
    env["OPENBLAS_NUM_THREADS"] = env["OMP_NUM_THREADS"] = str(threads)
    return env


def import_torch():
    """(numpy, torch) with OpenBLAS free to detect the CPU; prints a SKIP line and exits 0 when either is missing."""
    for name in OPENBLAS_OVERRIDES:
        os.environ.pop(name, None)
    try:
        import numpy
        import torch
    except ImportError as e:
        print(f"SKIP: needs python3-numpy and python3-torch ({e})")
        sys.exit(0)
    return numpy, torch
