#!/usr/bin/env bash
# THE prepared check for a CUDA machine, no .NET needed there. Finishes in about 8 minutes on an H100.
#   1. unpacks the bundle built by scripts/publish-linux-x64.sh (artifacts/publish/sharpedge-linux-x64.tar.xz or .tar.gz,
#      or $SHARPEDGE_BUNDLE) and prints the GPU it sees;
#   2. correctness: the ensemble kernel on the GPU against the CPU trainer (8 models × 2 epochs of 1,000 steps,
#      every slot of W, dW and loss), and `phase train --device cuda` against `--device cpu` on one cell;
#   3. throughput of our kernel on the paper's ensemble (14,400 models × 3,000 epochs of 1,000 steps, about a minute
#      of training on an H100; GPU_CHECK_EPOCHS to change), saves included, with the projection to 14,400 models × 10⁸
#      steps and the CPU trainer on all cores beside it; then the paper-shape kernel at 1, 3 and 4 thread blocks per SM
#      (GPU_CHECK_BLOCKS="1 3" to choose; 2 equals 1) and on one stream, 10⁶ steps each;
#   4. the PyTorch ensemble (bench/phase_torch_ensemble.py, with and without CUDA graphs) if torch is importable;
#   5. curvature: the EoSS mlp's gradient and H·v on the GPU beside PyTorch's (bench/compare_engine.py --device cuda),
#      float32 and float64, at 8,192 samples and at batch 8, and the GPU's H·v against the CPU engine's; then
#      `train --device cuda` beside `--device cpu` with λ_max, gn-λ_max, trace and batch sharpness scheduled;
#   6. one table. Everything also goes to $OUT (if set) as JSON and logs.
# Usage: bench/gpu_check.sh            (on a GPU node: srun --gres=gpu:1 bench/gpu_check.sh)
#        (to ship it to a GPU machine, scripts/publish-linux-x64.sh --xz writes the smaller .tar.xz; about 8 minutes on an H100)
#        Where only a few files can come back from $OUT, keep the details elsewhere and pack them afterwards:
#          d=$(mktemp -d); OUT=$d timeout 560 bench/gpu_check.sh; tar -C "$d" -czf "$OUT/gpu_check.tar.gz" .
#        GPU_CHECK_DRY_RUN=1 bench/gpu_check.sh   runs every step without a GPU, on ILGPU's CPU accelerator at toy sizes
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bundle="${SHARPEDGE_BUNDLE:-$root/artifacts/publish/sharpedge-linux-x64.tar.xz}"
[ -f "$bundle" ] || bundle="${SHARPEDGE_BUNDLE:-$root/artifacts/publish/sharpedge-linux-x64.tar.gz}"
out="${OUT:-$(mktemp -d)}"
mkdir -p "$out"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# The first Python with NumPy (for the npz comparison and the table), and the first with torch for the comparison.
pick_python() { for p in python3 /usr/bin/python3 /usr/local/bin/python3; do command -v "$p" > /dev/null && "$p" -c "import $1" 2> /dev/null && { command -v "$p"; return; }; done; }
python="$(pick_python numpy || command -v python3 || true)"
torch_python="$(pick_python torch || true)"
log() { echo "gpu_check: $*" | tee -a "$out/gpu_check.log" >&2; }
json_field() { "$python" -c "import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2], {}, {'d': d}))" "$@"; }

# Sizes: the paper's ensemble on a GPU; toy sizes on ILGPU's CPU accelerator for a dry run of the script itself.
if [ "${GPU_CHECK_DRY_RUN:-0}" = 1 ]; then
  device=ilgpu-cpu models=4 check_models=2 check_epochs=1 steps=20 epochs=40 variant_epochs=4 cpu_epochs=20 torch_device=cpu
  export SHARPEDGE_CUDA_EMULATION=1
else
  device=cuda models=14400 check_models=8 check_epochs=2 steps=1000 epochs=${GPU_CHECK_EPOCHS:-3000} variant_epochs=4000 cpu_epochs=400 torch_device=cuda
fi

[ -f "$bundle" ] || { log "no bundle at $bundle (build it with scripts/publish-linux-x64.sh)"; exit 1; }
tar -C "$work" -xf "$bundle"
se="$work/sharpedge-linux-x64/sharpedge"
export SHARPEDGE_RESULTS="$work/results"
log "started $(date -u +%FT%TZ) on $(hostname), $(nproc) cores; bundle $(du -m "$bundle" | cut -f1) MiB"
if command -v nvidia-smi > /dev/null; then
  nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv,noheader | tee "$out/nvidia-smi.txt" | sed 's/^/gpu_check: nvidia-smi: /' >&2
fi

# cuBLAS for the curvature engine: the system's or CUDA toolkit's, else the one a PyTorch wheel brings (under
# site-packages/nvidia/*/lib, which the loader does not search by itself).
if [ -z "${SHARPEDGE_CUBLAS:-}" ]; then
  cublas="$( { ldconfig -p 2> /dev/null | awk '/libcublas\.so\.1[23] /{print $NF}'; ls /usr/local/cuda*/lib64/libcublas.so.1[23] 2> /dev/null
               [ -n "$torch_python" ] && "$torch_python" -c "import glob, os, site
dirs = site.getsitepackages() + [site.getusersitepackages()]
print('\n'.join(p for d in dirs for p in sorted(glob.glob(os.path.join(d, 'nvidia', '*', 'lib', 'libcublas.so.1[23]')), reverse=True)))" 2> /dev/null; } | head -1)"
  if [ -n "$cublas" ]; then export SHARPEDGE_CUBLAS="$cublas"; log "cuBLAS: $cublas"; else log "no libcublas found: the curvature engine uses its ILGPU GEMM"; fi
fi

# 1-2. Device, kernel against the CPU trainer; no throughput run yet (--models 2 --epochs 1 --batches 10).
timeout -k 15 120 "$se" bench ensemble --device $device --check-models $check_models --check-epochs $check_epochs --models 2 --epochs 1 --batches $steps --cpu-epochs 0 --json \
  > "$out/check.json" 2> "$out/check.log"
status=$?
cat "$out/check.log" >&2
if [ $status -ne 0 ]; then log "the CUDA check failed (exit $status); see $out/check.log"; exit 1; fi

# phase train through the CLI on both devices, same seeds: the data.npz arrays must agree.
for target in cuda cpu; do
  timeout -k 15 60 "$se" phase train --device $target --lr 2 --eps 0.5 --seeds 4 --epochs 20 --batches $((steps / 10)) --out "$work/cell-$target" --json \
    > "$out/phase-train-$target.json" 2> "$out/phase-train-$target.log" || { cat "$out/phase-train-$target.log" >&2; log "phase train --device $target failed"; }
done
if [ -n "$python" ] && "$python" -c "import numpy" 2> /dev/null; then
  "$python" - "$work/cell-cuda" "$work/cell-cpu" <<'PY' | tee "$out/phase-train-compare.txt" >&2
import glob, sys, numpy as np
a, b = (np.load(glob.glob(f"{d}/**/data.npz", recursive=True)[0]) for d in sys.argv[1:3])
worst = max(float(np.max(np.abs(a[k] - b[k])) / np.max(np.abs(b[k]))) for k in ("W", "dW", "loss"))
same = all(np.array_equal(a[k], b[k]) for k in ("W", "dW", "loss", "Wt", "seeds"))
print(f"gpu_check: phase train --device cuda vs cpu (4 models x 20 epochs): max relative difference {worst:.3g}{', bit-identical' if same else ''}")
PY
fi

# 3. Throughput, saves included: a run saves 20 times, so the longer the run, the less they weigh (a run of the paper's
#    10⁸ steps: nothing), and the projection to the paper's sweep is an upper bound. (Timing the intervals between
#    read-backs cannot single out the launches between saves: with two streams one stream's launch runs on while the
#    host records the other's save.) Set-up (drawing 14,400 models, φ1 of 4,000 samples each, 15 GB uploaded) takes
#    about 50 s of the timeout.
log "timed run: $models models x $epochs epochs x $steps steps"
timeout -k 15 300 "$se" bench ensemble --device $device --check-models 0 --models $models --epochs "$epochs" --batches $steps --cpu-epochs $cpu_epochs --json \
  > "$out/ensemble.json" 2> "$out/ensemble.log" || { cat "$out/ensemble.log" >&2; log "throughput run failed"; }

# 3b. Launch settings against the defaults, each on the paper's ensemble for 4,000 × 250 steps: the paper-shape kernel's
#     thread blocks per SM (.minnctapersm, which caps registers per thread at 65,536 / (128 · blocks)), and one stream
#     instead of two (each launch then ends in a partial wave of thread blocks).
time_variant() {   # NAME VARIABLE=VALUE: writes $out/NAME.json
  local name=$1; shift
  env "$@" timeout -k 15 120 "$se" bench ensemble --device $device --check-models 0 --models $models --epochs $variant_epochs \
    --batches $((steps / 4)) --cpu-epochs 0 --json > "$out/$name.json" 2> "$out/$name.log" \
    && log "$name ($*): $(json_field "$out/$name.json" "d['throughput'][0]['model_steps_per_second']" 2> /dev/null) model-steps/s, saves included" \
    || { tail -3 "$out/$name.log" >&2; log "$name ($*) failed"; }
}
for blocks in ${GPU_CHECK_BLOCKS:-1 3 4}; do time_variant "blocks-$blocks" SHARPEDGE_GPU_BLOCKS_PER_SM=$blocks; done   # 2 gives the same 176-register kernel as 1
time_variant one-stream SHARPEDGE_GPU_STREAMS=1

# 4. PyTorch beside it.
torch_rows=()
if [ -n "$torch_python" ] && "$torch_python" -c "import torch; assert '$torch_device' == 'cpu' or torch.cuda.is_available()" 2> /dev/null; then
  for mode in "" $([ $torch_device = cuda ] && echo --graph); do
    file="$out/torch${mode:+-graph}.json"
    timeout -k 15 120 "$torch_python" "$root/bench/phase_torch_ensemble.py" --device $torch_device --models $models --epochs 3 --batches $steps $mode > "$file" 2> "$file.log" \
      && torch_rows+=("$file") || log "PyTorch ensemble $mode failed (see $file.log)"
  done
else
  log "torch with CUDA is not importable here: no PyTorch comparison"
fi

# 5. Curvature on the GPU: the EoSS mlp's gradient and H·v at 8,192 samples and at batch 8, float32 and float64, ours
#    (vectors kept on the device) beside PyTorch's on the same GPU, and our float64 H·v against our CPU engine's.
if [ "${GPU_CHECK_DRY_RUN:-0}" = 1 ]; then
  log "dry run: no curvature comparison (the EoSS mlp on ILGPU's CPU accelerator takes hours)"
elif [ -n "$torch_python" ]; then
  timeout -k 15 300 "$torch_python" "$root/bench/compare_engine.py" --device cuda --dtypes f32,f64 --samples 8192,8 --threads "$(nproc)" \
    --sharpedge "$se" --python "$torch_python" --json "$out/curvature.json" 2> "$out/curvature.log" | tee "$out/curvature.txt" \
    || { cat "$out/curvature.log" >&2; log "curvature comparison failed"; }
fi

# 5b. train --device cuda beside --device cpu (this machine's cores): the EoSS mlp on the shipped fmnist-mini, λ_max,
#     the Gauss-Newton λ_max, the trace and batch sharpness (on the CPU workers at batch 8 either way) and its Gauss-Newton
#     form at steps 0, 100 and 200 on each; the last values side by side
#     (float32 engines with different summation orders: agreement to ~1e-4) and the time of each measurement.
# (The dry run measures only the eigenvalues: ILGPU's CPU accelerator takes seconds per product, and the trace and batch
# sharpness take hundreds.)
if [ "${GPU_CHECK_DRY_RUN:-0}" = 1 ]; then train_size=(--model mlp:784-4-10:tanh --num-data 32 --steps 1 --eig-tol 1e-3) measured="lambda-max@1,gn-lambda-max@1"
else train_size=(--model mlp --steps 200) measured="lambda-max@100,gn-lambda-max@100,trace@100,batch-sharpness@100,gn-batch-sharpness@100"; fi
for target in cuda cpu; do
  timeout -k 15 240 "$se" train --dataset fmnist-mini "${train_size[@]}" --lr 0.05 --batch 8 --device $target --json \
    --measure "$measured" > "$out/train-$target.json" 2> "$out/train-$target.log" \
    || { tail -3 "$out/train-$target.log" >&2; log "train --device $target failed (see $out/train-$target.log)"; }
done
if [ -n "$python" ]; then
  "$python" - "$out/train-cuda.json" "$out/train-cpu.json" <<'PY' | tee "$out/train-compare.txt" >&2
import json, sys
try: gpu, cpu = (json.load(open(f)) for f in sys.argv[1:3])
except Exception as e: print(f"gpu_check: train --device cuda/cpu: no comparison ({e})"); sys.exit(0)
times = lambda d: {t["name"]: t["seconds"] for t in d["time"]}
tg, tc = times(gpu), times(cpu)
for name in gpu["last"]:
    a, b = gpu["last"][name], cpu["last"].get(name)
    rel = abs(a - b) / abs(b) if b else float("nan")
    key = name.replace("_", "-")
    print(f"gpu_check: train {name}: cuda {a:.8g}  cpu {b:.8g}  relative difference {rel:.2g}; seconds cuda {tg.get(key, float('nan')):.2f}  cpu {tc.get(key, float('nan')):.2f}")
PY
fi

# 6. One table.
"$python" - "$out" "${torch_rows[@]}" <<'PY' | tee "$out/table.txt"
import json, os, sys
out, torch_files = sys.argv[1], sys.argv[2:]
def load(name):
    try: return json.load(open(os.path.join(out, name)))
    except Exception: return None
check, ensemble = load("check.json"), load("ensemble.json")
print(f"device: {check['device'] if check else '?'}")
if check and check.get("check"):
    c = check["check"]
    print(f"correctness: kernel vs CPU trainer ({c['cpu_kernel']}), {c['models']} models x {c['epochs']} epochs x {c['steps_per_epoch']} steps: "
          f"max relative difference {c['max_relative_difference']:.3g}{', bit-identical' if c['bit_identical'] else ''}")
# Rates with the runs' 20 saves included; the projection to the paper's sweep is an upper bound (see step 3).
rows = [(r["device"] + suffix, r["models"], r["epochs"] * r["steps_per_epoch"], r["training_seconds"], r["model_steps_per_second"], r["paper_hours"])
        for doc, suffix in [(ensemble, "")] + [(load(f"blocks-{b}.json"), f" [{b} blocks/SM]") for b in range(1, 9)]
                           + [(load("one-stream.json"), " [one stream]")]
        for r in (doc or {}).get("throughput", [])]
for f in torch_files:
    t = json.load(open(f))
    rows.append((t["trainer"], t["models"], t["epochs"] * t["steps_per_epoch"], t["seconds"], t["model_steps_per_second"], t["paper_hours"]))
print(f"{'trainer':<74} {'models':>7} {'steps':>8} {'seconds':>8} {'model-steps/s':>14} {'14,400 x 1e8 steps, at most':>28}")
for name, models, steps, seconds, rate, hours in rows:
    print(f"{name:<74} {models:>7} {steps:>8} {seconds:>8.2f} {rate:>14.3g} {hours:>26.2f} h")
PY
log "finished $(date -u +%FT%TZ); results in $out"
