#!/usr/bin/python3
"""Builds data/fmnist-mini from Debian's dataset-fashion-mnist package: the first 4,096 training images and
the first 1,024 test images of Fashion-MNIST, in the original IDX format (gzip), so every reader of the full
data set reads this one too. Run: /usr/bin/python3 data/make_fmnist_mini.py"""
import gzip, os, struct, sys

SOURCE = "/usr/share/datasets/fashion-mnist"
HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fmnist-mini")

def subset(name, count):
    with gzip.open(os.path.join(SOURCE, name), "rb") as f:
        data = f.read()
    magic = struct.unpack(">I", data[:4])[0]
    dims = magic & 0xFF
    shape = list(struct.unpack(">" + "I" * dims, data[4:4 + 4 * dims]))
    row = 1
    for s in shape[1:]:
        row *= s
    header = struct.pack(">I", magic) + struct.pack(">" + "I" * dims, count, *shape[1:])
    body = data[4 + 4 * dims: 4 + 4 * dims + count * row]
    assert len(body) == count * row
    # mtime=0 keeps the files byte-identical from run to run
    with gzip.GzipFile(os.path.join(HERE, name), "wb", mtime=0) as out:
        out.write(header + body)

if not os.path.isdir(SOURCE):
    sys.exit(f"{SOURCE} not found: apt-get install dataset-fashion-mnist")
os.makedirs(HERE, exist_ok=True)
subset("train-images-idx3-ubyte.gz", 4096)
subset("train-labels-idx1-ubyte.gz", 4096)
subset("t10k-images-idx3-ubyte.gz", 1024)
subset("t10k-labels-idx1-ubyte.gz", 1024)
