#!/usr/bin/env bash
# Fetches NVIDIA's PTX assembler (ptxas, CUDA 11.8, from Debian bookworm's non-free nvidia-cuda-toolkit package) for
# offline register analysis: `./sharpedge bench ptx` runs it on our ILGPU kernels' PTX to show registers per thread and
# spill bytes for sm_90 on a machine without a GPU. ptxas is non-free NVIDIA software, used here only as a developer
# tool: it is never a dependency of the build, the tests or the CLI, and nothing of it is committed or shipped.
# Needs apt-get and dpkg (Debian/Ubuntu) and network access to deb.debian.org; no root: the package is downloaded
# with apt's state kept under DIR and unpacked there, its dependencies left out.
# Usage: scripts/fetch-ptxas.sh [DIR]   (default: artifacts/ptxas under the repository root; git-ignored)
# Prints the path of ptxas; does nothing but print it when it is already there.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dir="${1:-$root/artifacts/ptxas}"
ptxas="$dir/x/usr/bin/ptxas"
if [ -x "$ptxas" ]; then
  echo "$ptxas"
  exit 0
fi
for tool in apt-get dpkg; do
  command -v "$tool" >/dev/null || { echo "fetch-ptxas: $tool not found (needs a Debian or Ubuntu machine)" >&2; exit 1; }
done
mkdir -p "$dir/lists/partial" "$dir/cache/archives/partial"
dir="$(cd "$dir" && pwd)"
ptxas="$dir/x/usr/bin/ptxas"
echo 'deb http://deb.debian.org/debian bookworm main contrib non-free non-free-firmware' > "$dir/nf.list"
# apt's sources, lists and cache redirected into DIR: the system's own apt state is neither read nor changed.
apt_opts=(-o "Dir::Etc::sourcelist=$dir/nf.list" -o Dir::Etc::sourceparts=- -o "Dir::State::Lists=$dir/lists" -o "Dir::Cache=$dir/cache")
echo "fetch-ptxas: downloading nvidia-cuda-toolkit (Debian bookworm non-free) into $dir ..." >&2
if ! log="$(apt-get "${apt_opts[@]}" update 2>&1)"; then
  echo "$log" >&2
  echo "fetch-ptxas: error: apt-get update against deb.debian.org failed (network?)" >&2
  exit 1
fi
rm -f "$dir"/nvidia-cuda-toolkit_*.deb
if ! log="$(cd "$dir" && apt-get "${apt_opts[@]}" download nvidia-cuda-toolkit 2>&1)"; then
  echo "$log" >&2
  echo "fetch-ptxas: error: downloading nvidia-cuda-toolkit failed (is deb.debian.org reachable? the messages above say more)" >&2
  exit 1
fi
deb="$(ls "$dir"/nvidia-cuda-toolkit_*.deb)"
rm -rf "$dir/x"
dpkg -x "$deb" "$dir/x"
if [ ! -x "$ptxas" ]; then
  echo "fetch-ptxas: error: $deb holds no usr/bin/ptxas" >&2
  exit 1
fi
echo "fetch-ptxas: ptxas $("$ptxas" --version | sed -n "s/.*release \([0-9.]*\).*/\1/p")" >&2
echo "$ptxas"
