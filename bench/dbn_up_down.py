"""Up-down fine-tuning of a DBN: the generative bound before and after.

A DBN 64-64-16 is pre-trained greedily on the binarised 8x8 digits, then
fine-tuned by the up-down algorithm (`kgen.models.UpDownDBN`). The variational
bound on the test digits' log-likelihood (exact log Z of the 16-unit top RBM)
is reported before fine-tuning (tied weights as `q`) and after it, with the
fine-tuned recognition weights as `q` and, to separate the two effects, with
the tied weights of the fine-tuned generative model. One row per seed.

Usage: `python bench/dbn_up_down.py [--quick] [--seeds 3]` (Keras backend from
`KERAS_BACKEND`, JAX by default). Writes `bench/results/dbn_up_down.json`.
"""

import time

from _report import parse_args
from _report import report

args = parse_args(
    __doc__.splitlines()[0],
    seeds=dict(type=int, default=3, help="number of seeds (default: 3)"),
    epochs=dict(type=int, default=20, help="up-down epochs (default: 20)"),
)

import keras  # noqa: E402

from kgen.datasets import load_digits  # noqa: E402
from kgen.models import DBN  # noqa: E402
from kgen.models import UpDownDBN  # noqa: E402


def run(seed, x, x_test, pretrain_epochs, epochs):
    dbn = DBN(64, [64, 16], seed=seed)
    dbn.compile(optimizer=keras.optimizers.SGD(0.05, momentum=0.5))
    dbn.fit(x, epochs=pretrain_epochs, batch_size=32, verbose=0)
    before = dbn.log_likelihood_bound(x_test, seed=seed).mean()
    tuned = UpDownDBN(dbn, k=10, seed=seed)
    tuned.compile(optimizer=keras.optimizers.SGD(0.01))
    start = time.perf_counter()
    tuned.fit(x, epochs=epochs, batch_size=32, verbose=0)
    seconds = time.perf_counter() - start
    return {
        "seed": seed,
        "bound before": float(before),
        "bound after": float(
            tuned.log_likelihood_bound(x_test, seed=seed).mean()
        ),
        "after, tied q": float(
            dbn.log_likelihood_bound(x_test, seed=seed).mean()
        ),
        "up-down seconds": round(seconds, 1),
    }


def main():
    (x, _), (x_test, _) = load_digits("binary")
    pretrain = [2, 2] if args.quick else [10, 10]
    epochs = 2 if args.quick else args.epochs
    rows = [
        run(seed, x, x_test, pretrain, epochs) for seed in range(args.seeds)
    ]
    report(
        "dbn_up_down",
        rows,
        backend=keras.backend.backend(),
        pretrain_epochs=pretrain,
        up_down_epochs=epochs,
    )


if __name__ == "__main__":
    main()
