"""AIS speed on every backend: one run of `kgen.metrics.ais_log_partition`.

An RBM of 64 visible and 64 hidden units with random weights (the time does
not depend on the weights), 100 AIS runs, the standard 14,500-temperature
schedule of Salakhutdinov & Murray (2008). One subprocess per backend; on
TensorFlow also the eager loop (`keras.ops.fori_loop` called outside any
graph, as kgen ran it before `kgen.backend.fori_loop`), over a shorter
schedule scaled up, since it runs op by op from Python.

Usage: `python bench/ais_speed.py [--betas 14500] [--eager-betas 1000]`.
Writes `bench/results/ais_speed.json`.
"""

import argparse
import json
import os
import subprocess
import sys

RESULTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "results")

_CHILD = """
import json, sys, time
import keras, numpy as np
import kgen
import kgen.backend
betas, eager = int(sys.argv[1]), sys.argv[2] == "eager"
if eager:
    kgen.backend.fori_loop = keras.ops.fori_loop
rng = np.random.default_rng(0)
x = (rng.random((500, 64)) < 0.3).astype("float32")
model = kgen.models.RBM(kgen.layers.BernoulliRBM(64, seed=0), seed=0)
model.build((None, 64))
for v in model.layer.trainable_variables:
    v.assign(0.1 * rng.normal(size=v.shape).astype("float32"))
kgen.metrics.ais_log_partition(model, x, betas=50, seed=0)  # warm-up
start = time.perf_counter()
kgen.metrics.ais_log_partition(model, x, betas=betas, seed=0)
print(json.dumps({"seconds": time.perf_counter() - start, "betas": betas}))
"""


def _run(backend, betas, eager=False):
    env = dict(os.environ, KERAS_BACKEND=backend, TF_CPP_MIN_LOG_LEVEL="3")
    result = subprocess.run(
        [sys.executable, "-c", _CHILD, str(betas), "eager" if eager else ""],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--betas", type=int, default=14500)
    parser.add_argument("--eager-betas", type=int, default=1000)
    args = parser.parse_args()
    rows = {b: _run(b, args.betas) for b in ("jax", "tensorflow", "torch")}
    eager = _run("tensorflow", args.eager_betas, eager=True)
    rows["tensorflow (eager loop, scaled)"] = {
        "seconds": eager["seconds"] * args.betas / eager["betas"],
        "betas": args.betas,
    }
    fastest = min(row["seconds"] for row in rows.values())
    print(f"{'backend':34s} {'seconds':>8s} {'x fastest':>9s}")
    for name, row in rows.items():
        ratio = row["seconds"] / fastest
        print(f"{name:34s} {row['seconds']:8.2f} {ratio:9.2f}")
    os.makedirs(RESULTS, exist_ok=True)
    with open(os.path.join(RESULTS, "ais_speed.json"), "w") as file:
        json.dump(rows, file, indent=2)


if __name__ == "__main__":
    main()
