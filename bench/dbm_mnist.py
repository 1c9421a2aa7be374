"""DBM on binarised MNIST: test log-likelihood bound with AIS for log Z.

In one run (Keras backend from `KERAS_BACKEND`, JAX by default), on
stochastically binarised MNIST (seed 0):

1. Greedy pre-training with the weight-doubling correction (CD-1,
   SGD(0.05, momentum 0.9), batch 100), then joint training (mean field +
   PCD with 100 persistent chains, SGD with momentum 0.9, `--learning-rate`
   and decoupled `--weight-decay`; Salakhutdinov & Hinton's code: 0.001 and
   0.0002).
2. `log Z` by AIS on the even layers with the odd ones summed out
   (`kgen.metrics.dbm_ais_log_partition`, Salakhutdinov & Hinton 2009),
   100 runs.
3. The variational (mean-field) lower bound on the test log-likelihood with
   that `log Z`, in nats per image. Published: DBM 784-500-1000, -84.62
   (Salakhutdinov & Hinton 2009, trained for days).

Usage: `python bench/dbm_mnist.py [--data-dir ../shared/data] [--hidden 500
1000] [--pretrain-epochs 3] [--epochs 3 (0: pre-training only)]
[--ais-betas 5000 20000] [--skip-pretrained-score] [--quick]`. Writes
`bench/results/dbm_mnist.json`.
"""

import argparse
import json
import os
import sys
import time

os.environ.setdefault("KERAS_BACKEND", "jax")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import keras  # noqa: E402
from boltzmann_data import DEFAULT_DATA_DIR  # noqa: E402
from boltzmann_data import RESULTS  # noqa: E402
from boltzmann_data import binarised_mnist  # noqa: E402

from kgen.metrics import dbm_ais_log_partition  # noqa: E402
from kgen.models.boltzmann import DBM  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=DEFAULT_DATA_DIR)
    parser.add_argument("--hidden", type=int, nargs="+", default=[500, 1000])
    parser.add_argument("--pretrain-epochs", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--learning-rate", type=float, default=0.001)
    parser.add_argument("--weight-decay", type=float, default=0.0002)
    parser.add_argument(
        "--gibbs-steps",
        type=int,
        default=1,
        help="Gibbs steps of the persistent chains per update",
    )
    parser.add_argument("--mean-field-steps", type=int, default=10)
    parser.add_argument(
        "--ais-betas",
        type=int,
        nargs="+",
        default=[10000],
        help="temperature counts; the last gives log Z, the others check it",
    )
    parser.add_argument(
        "--skip-pretrained-score",
        action="store_true",
        help="score only the jointly trained DBM (saves one AIS run)",
    )
    parser.add_argument(
        "--tag", default="", help="results go to dbm_mnist[_TAG].json"
    )
    parser.add_argument("--quick", action="store_true", help="tiny run")
    args = parser.parse_args()
    (x, _), (x_test, _) = binarised_mnist(args.data_dir, seed=0)
    if args.quick:
        x, x_test, args.hidden = x[:2000], x_test[:500], [20, 20]
        args.pretrain_epochs = args.epochs = 1
        args.ais_betas = [100, 200]
    rows, start_all = {}, time.perf_counter()
    keras.utils.set_random_seed(0)
    dbm = DBM(
        784,
        args.hidden,
        persistent_chains=100,
        k=args.gibbs_steps,
        mean_field_steps=args.mean_field_steps,
        seed=0,
    )
    dbm.compile(
        optimizer=keras.optimizers.SGD(
            args.learning_rate, momentum=0.9, weight_decay=args.weight_decay
        )
    )
    start = time.perf_counter()
    dbm.pretrain(
        x,
        epochs=args.pretrain_epochs,
        optimizer=keras.optimizers.SGD(0.05, momentum=0.9),
        batch_size=100,
        verbose=2,
    )
    rows["pretrain_seconds"] = time.perf_counter() - start

    def score(stage):
        """AIS per temperature count (the last one is the headline)."""
        rows[stage] = {"ais": {}}
        for betas in args.ais_betas:
            start = time.perf_counter()
            log_z, error = dbm_ais_log_partition(
                dbm, x, betas=betas, num_runs=100, seed=0
            )
            rows[stage]["ais"][betas] = {
                "log_z": log_z,
                "log_z_standard_error": error,
                "seconds": time.perf_counter() - start,
            }
        bound = dbm.log_likelihood_bound(x_test, log_z=log_z)
        rows[stage].update(
            log_z=log_z,
            log_z_standard_error=error,
            test_bound=float(bound.mean()),
            train_bound=float(
                dbm.log_likelihood_bound(x[:10000], log_z=log_z).mean()
            ),
        )
        print(stage, rows[stage], flush=True)

    if not args.skip_pretrained_score:
        score("pretrained")
    if args.epochs:
        start = time.perf_counter()
        dbm.fit(x, epochs=args.epochs, batch_size=100, verbose=2)
        rows["joint_seconds"] = time.perf_counter() - start
        score("jointly_trained")
    rows["wall_seconds"] = time.perf_counter() - start_all
    sizes = "-".join(str(n) for n in [784, *args.hidden])
    print(f"backend {keras.backend.backend()}, DBM {sizes}")
    print(
        f"{'stage':<20} {'log Z (AIS)':>16} {'test bound':>11} {'published':>10}"
    )
    for stage in ("pretrained", "jointly_trained"):
        if stage not in rows:
            continue
        r = rows[stage]
        print(
            f"{stage:<20} {r['log_z']:>9.2f} +-{r['log_z_standard_error']:.2f}"
            f" {r['test_bound']:>11.2f} {-84.62:>10}"
        )
        for betas, ais in r["ais"].items():
            print(
                f"  AIS with {betas} temperatures: log Z {ais['log_z']:.2f}"
                f" +- {ais['log_z_standard_error']:.2f}"
            )
    os.makedirs(RESULTS, exist_ok=True)
    name = f"dbm_mnist_{args.tag}.json" if args.tag else "dbm_mnist.json"
    with open(os.path.join(RESULTS, name), "w") as f:
        json.dump(
            {"backend": keras.backend.backend(), "args": vars(args), **rows},
            f,
            indent=2,
        )


if __name__ == "__main__":
    main()
