"""Test log-likelihood of an RBM, a DBN and a DBM on the binarised digits.

Binarised 8x8 digits, `kgen.datasets.load_digits("binary")` (the RBM
benchmark's split: `test_size=0.25, random_state=0`). In the same run it
trains and scores, in nats per test image:

- an RBM with 16 hidden units (CD-1): exact log-likelihood, by enumeration;
- a DBN 64-16-32 (its bottom RBM trained like the RBM, then a top RBM):
  the variational lower bound with the top RBM's exact `log Z`;
- a DBM 64-16-32 (doubled pre-training, then mean field + PCD): the
  variational lower bound and the exact log-likelihood, both with the exact
  `log Z` (the 16 odd units are enumerated).

Usage: `python bench/deep_boltzmann_likelihood.py [--quick]` (Keras backend
from `KERAS_BACKEND`, JAX by default). Writes
`bench/results/deep_boltzmann_likelihood.json`.
"""

import argparse
import json
import os

os.environ.setdefault("KERAS_BACKEND", "jax")

import keras  # noqa: E402

from kgen.datasets import load_digits  # noqa: E402
from kgen.layers import BernoulliRBM  # noqa: E402
from kgen.metrics import exact_log_partition  # noqa: E402
from kgen.metrics import log_likelihood  # noqa: E402
from kgen.models.boltzmann import DBM  # noqa: E402
from kgen.models.boltzmann import DBN  # noqa: E402
from kgen.models.boltzmann import RBM  # noqa: E402

RESULTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "results")


def optimizer():
    return keras.optimizers.SGD(0.05, momentum=0.9)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer epochs")
    args = parser.parse_args()
    epochs = 10 if args.quick else 100
    (x, _), (x_test, _) = load_digits("binary")
    fit = {"batch_size": 32, "verbose": 0, "epochs": epochs}
    rows = []

    rbm = RBM(BernoulliRBM(16, seed=0), monitor_samples=0, seed=0)
    rbm.compile(optimizer=optimizer())
    rbm.fit(x, **fit)
    log_z = exact_log_partition(rbm)
    rows.append(
        ("RBM 64-16", "exact", log_likelihood(rbm, x_test, log_z).mean())
    )

    dbn = DBN(64, [16, 32], seed=0)
    dbn.compile(optimizer=optimizer())
    dbn.fit(x, **fit)
    rows.append(
        (
            "DBN 64-16-32",
            "lower bound",
            dbn.log_likelihood_bound(x_test, seed=0).mean(),
        )
    )

    dbm = DBM(64, [16, 32], persistent_chains=100, seed=0)
    dbm.compile(optimizer=keras.optimizers.SGD(0.01, momentum=0.9))
    dbm.pretrain(x, optimizer=optimizer(), **fit)
    log_z = dbm.log_partition()
    rows.append(
        (
            "DBM 64-16-32, pre-trained only",
            "lower bound",
            dbm.log_likelihood_bound(x_test, log_z).mean(),
        )
    )
    rows.append(
        (
            "DBM 64-16-32, pre-trained only",
            "exact",
            dbm.log_likelihood(x_test, log_z=log_z).mean(),
        )
    )
    dbm.fit(x, **fit)
    log_z = dbm.log_partition()
    rows.append(
        (
            "DBM 64-16-32, jointly trained",
            "lower bound",
            dbm.log_likelihood_bound(x_test, log_z).mean(),
        )
    )
    rows.append(
        (
            "DBM 64-16-32, jointly trained",
            "exact",
            dbm.log_likelihood(x_test, log_z=log_z).mean(),
        )
    )

    print(
        f"backend: {keras.backend.backend()}, {epochs} epochs per stage, test images: {len(x_test)}"
    )
    print(f"{'model':<32} {'estimate':<12} {'test log-lik (nats)':>20}")
    for model, kind, value in rows:
        print(f"{model:<32} {kind:<12} {value:>20.2f}")
    os.makedirs(RESULTS, exist_ok=True)
    with open(
        os.path.join(RESULTS, "deep_boltzmann_likelihood.json"), "w"
    ) as f:
        records = [
            {"model": m, "estimate": k, "test_log_likelihood": float(v)}
            for m, k, v in rows
        ]
        json.dump(
            {
                "backend": keras.backend.backend(),
                "epochs": epochs,
                "rows": records,
            },
            f,
            indent=2,
        )


if __name__ == "__main__":
    main()
