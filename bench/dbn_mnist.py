"""DBN 784-500-500-2000 on binarised MNIST: classifier and generative bound.

In one run (Keras backend from `KERAS_BACKEND`, JAX by default):

1. Greedy CD-1 pre-training of a DBN 784-500-500-2000 on stochastically
   binarised MNIST (seed 0), SGD(0.05, momentum 0.9), batch 100.
2. The DBN's variational lower bound on the test log-likelihood, with the
   top RBM's `log Z` by AIS (`kgen.metrics.ais_log_partition`); published:
   -86.22 nats (Salakhutdinov & Murray 2008, a DBN trained much longer).
3. `to_classifier(10)` fine-tuned with Adam, beside the same MLP from random
   initialisation trained identically (same optimizer, epochs, batches);
   published: 1.25 % test error (Hinton, Osindero & Teh 2006, up-down
   fine-tuning), goal >= 98.8 % accuracy.

Usage: `python bench/dbn_mnist.py [--data-dir ../shared/data]
[--pretrain-epochs 5] [--tune-epochs 10] [--quick]`. Writes
`bench/results/dbn_mnist.json`.
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

from kgen.metrics import ais_log_partition  # noqa: E402
from kgen.models.boltzmann import DBN  # noqa: E402


def fine_tune(classifier, x, y, x_test, y_test, epochs, seed):
    keras.utils.set_random_seed(seed)
    classifier.compile(
        keras.optimizers.Adam(
            keras.optimizers.schedules.CosineDecay(
                1e-3, epochs * (len(x) // 128)
            )
        ),
        "sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    classifier.fit(x, y, batch_size=128, epochs=epochs, verbose=2)
    return float(classifier.evaluate(x_test, y_test, verbose=0)[1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=DEFAULT_DATA_DIR)
    parser.add_argument("--pretrain-epochs", type=int, default=5)
    parser.add_argument("--tune-epochs", type=int, default=10)
    parser.add_argument("--ais-betas", type=int, default=5000)
    parser.add_argument("--bound-images", type=int, default=2000)
    parser.add_argument("--quick", action="store_true", help="tiny run")
    args = parser.parse_args()
    (x, y), (x_test, y_test) = binarised_mnist(args.data_dir, seed=0)
    sizes = [500, 500, 2000]
    if args.quick:
        x, y, sizes = x[:2000], y[:2000], [50, 50, 100]
        args.pretrain_epochs, args.tune_epochs, args.ais_betas = 1, 1, 200
    rows, start_all = {}, time.perf_counter()

    keras.utils.set_random_seed(0)
    start = time.perf_counter()
    dbn = DBN(784, sizes, seed=0)
    dbn.compile(optimizer=keras.optimizers.SGD(0.05, momentum=0.9))
    dbn.fit(x, epochs=args.pretrain_epochs, batch_size=100, verbose=2)
    rows["pretrain_seconds"] = time.perf_counter() - start

    start = time.perf_counter()
    log_z, error = ais_log_partition(
        dbn.rbm_layers[-1],
        dbn.transform(x[:10000], layer=-2),
        betas=args.ais_betas,
        num_runs=100,
        seed=0,
    )
    bound = dbn.log_likelihood_bound(
        x_test[: args.bound_images], log_z=log_z, num_samples=10, seed=0
    )
    rows.update(
        top_log_z=log_z,
        top_log_z_standard_error=error,
        test_bound=float(bound.mean()),
        test_bound_images=int(len(bound)),
        bound_seconds=time.perf_counter() - start,
    )
    print(
        f"DBN bound {bound.mean():.2f} nats (log Z {log_z:.2f} +- {error:.3f})"
    )

    classifier = dbn.to_classifier(num_classes=10)
    scratch = keras.models.clone_model(classifier)
    start = time.perf_counter()
    rows["dbn_accuracy"] = fine_tune(
        classifier, x, y, x_test, y_test, args.tune_epochs, 0
    )
    rows["dbn_tune_seconds"] = time.perf_counter() - start
    start = time.perf_counter()
    rows["scratch_accuracy"] = fine_tune(
        scratch, x, y, x_test, y_test, args.tune_epochs, 0
    )
    rows["scratch_tune_seconds"] = time.perf_counter() - start
    rows["wall_seconds"] = time.perf_counter() - start_all

    print(f"backend {keras.backend.backend()}, sizes 784-{sizes}")
    print(f"{'model':<40} {'test accuracy':>13} {'published':>10}")
    print(
        f"{'DBN pre-trained + fine-tuned':<40} {rows['dbn_accuracy']:>13.2%} {'98.75%':>10}"
    )
    print(
        f"{'same MLP, random init':<40} {rows['scratch_accuracy']:>13.2%} {'':>10}"
    )
    print(
        f"{'DBN test bound (nats)':<40} {rows['test_bound']:>13.2f} {-86.22:>10}"
    )
    os.makedirs(RESULTS, exist_ok=True)
    with open(os.path.join(RESULTS, "dbn_mnist.json"), "w") as f:
        json.dump(
            {"backend": keras.backend.backend(), "args": vars(args), **rows},
            f,
            indent=2,
        )


if __name__ == "__main__":
    main()
