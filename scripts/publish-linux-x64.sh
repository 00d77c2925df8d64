#!/usr/bin/env bash
# Builds a self-contained linux-x64 bundle of the CLI that runs where no .NET is installed (a GPU node, a cluster):
#   artifacts/publish/sharpedge-linux-x64.tar.gz  →  sharpedge-linux-x64/sharpedge
# then checks that the unpacked bundle runs (--help and a tiny `phase train`) and prints its size.
# Usage: scripts/publish-linux-x64.sh [--xz]
#   --xz  also writes artifacts/publish/sharpedge-linux-x64.tar.xz (44 MiB instead of 57: what fits beside the working
#         tree in the 64 MiB a device run carries; bench/gpu_check.sh reads either)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
out="$root/artifacts/publish"
name=sharpedge-linux-x64
rm -rf "${out:?}/$name" "$out/$name.tar.gz"
mkdir -p "$out"
# A plain folder rather than a single-file app: the same size once gzipped (single-file compression is per-assembly
# deflate), and nothing is extracted to the home directory at first start.
dotnet publish "$root/src/SharpEdge.Cli/SharpEdge.Cli.csproj" -c Release -r linux-x64 --self-contained \
  -p:DebugType=none -o "$out/$name" -nologo -v q -clp:ErrorsOnly
tar -C "$out" -czf "$out/$name.tar.gz" "$name"
rm -f "$out/$name.tar.xz"
[ "${1:-}" = --xz ] && tar -C "$out" -cf - "$name" | xz -T0 -6 > "$out/$name.tar.xz"

check="$(mktemp -d)"
trap 'rm -rf "$check"' EXIT
tar -C "$check" -xzf "$out/$name.tar.gz"
# No dotnet on PATH: the bundle carries its own runtime.
env -i PATH=/usr/bin:/bin HOME="$check" "$check/$name/sharpedge" --help > /dev/null
env -i PATH=/usr/bin:/bin HOME="$check" SHARPEDGE_RESULTS="$check/results" "$check/$name/sharpedge" phase train --device cpu \
  --seeds 2 --epochs 2 --batches 20 --out "$check/out" --json > /dev/null 2> "$check/train.log" || { cat "$check/train.log" >&2; exit 1; }
size=$(stat -c %s "$out/$name.tar.gz")
echo "$out/$name.tar.gz: $((size / 1048576)) MiB ($(du -sm "$out/$name" | cut -f1) MiB unpacked); runs without .NET (--help, phase train)"
