"""RBM quality on the binarised digits: kgen against scikit-learn's BernoulliRBM.

Data: `load_digits`, pixels / 16 > 0.5, `train_test_split(test_size=0.25,
random_state=0)`. Reports the mean test log-likelihood in nats:

- 16 hidden units, exact (`kgen.metrics.exact_log_partition`), for several
  scikit-learn settings (learning rate x iterations x batch size; PCD-1) and
  kgen (CD-k with SGD + momentum and a cosine learning-rate decay);
- 256 hidden units, AIS (`kgen.metrics.ais_log_partition`, 14,500
  temperatures, 100 runs) for kgen and the best scikit-learn setting;
- independent pixels (the base-rate model) as the floor.

Usage: `KERAS_BACKEND=jax python bench/rbm_quality.py [--quick]`.
Writes `bench/results/rbm_quality.json`.
"""

import argparse
import itertools
import json
import os
import time

import keras
import numpy as np
from sklearn.neural_network import BernoulliRBM as SklearnRBM

import kgen

RESULTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "results")


def sklearn_as_layer(peer):
    """A kgen layer holding a fitted scikit-learn BernoulliRBM's parameters."""
    layer = kgen.layers.BernoulliRBM(peer.components_.shape[0])
    layer.build((None, peer.components_.shape[1]))
    layer.kernel.assign(peer.components_.T.astype("float32"))
    layer.visible_bias.assign(peer.intercept_visible_.astype("float32"))
    layer.hidden_bias.assign(peer.intercept_hidden_.astype("float32"))
    return layer


def train_kgen(x, num_hidden, epochs, k, batch_size=20, learning_rate=0.05):
    keras.utils.set_random_seed(0)
    model = kgen.models.RBM(
        kgen.layers.BernoulliRBM(num_hidden, seed=0),
        k=k,
        monitor_samples=0,
        seed=0,
    )
    steps = epochs * -(-len(x) // batch_size)
    schedule = keras.optimizers.schedules.CosineDecay(learning_rate, steps)
    model.compile(optimizer=keras.optimizers.SGD(schedule, momentum=0.9))
    model.fit(x, batch_size=batch_size, epochs=epochs, verbose=0)
    return model


def test_log_likelihood(rbm, x_train, x_test, exact, ais_betas):
    if exact:
        return float(kgen.metrics.log_likelihood(rbm, x_test).mean()), 0.0
    log_z, error = kgen.metrics.ais_log_partition(
        rbm, x_train, betas=ais_betas, num_runs=100, seed=0
    )
    return float(kgen.metrics.log_likelihood(rbm, x_test, log_z).mean()), error


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick", action="store_true", help="fewer settings and epochs"
    )
    args = parser.parse_args()
    (x, _), (x_test, _) = kgen.datasets.load_digits("binary")
    rows = []

    def record(name, num_hidden, method, ll, error, seconds):
        rows.append(
            {
                "model": name,
                "hidden": num_hidden,
                "method": method,
                "test_log_likelihood": ll,
                "standard_error": error,
                "seconds": seconds,
            }
        )
        print(
            f"{name:<44} {num_hidden:>4} {method:<6} {ll:9.3f} ± {error:.3f}  ({seconds:.1f} s)",
            flush=True,
        )

    base = kgen.layers.BernoulliRBM(1)
    base.build((None, 64))
    mean = np.clip(x.mean(axis=0), 1e-3, 1 - 1e-3)
    base.visible_bias.assign(np.log(mean / (1 - mean)).astype("float32"))
    record(
        "independent pixels",
        0,
        "exact",
        float(kgen.metrics.log_likelihood(base, x_test).mean()),
        0.0,
        0.0,
    )

    rates, iterations, batches = (
        ((0.01, 0.1), (20, 100), (10,))
        if args.quick
        else ((0.01, 0.03, 0.1), (20, 100, 200), (10, 64))
    )
    best = None
    for lr, n_iter, batch in itertools.product(rates, iterations, batches):
        start = time.perf_counter()
        peer = SklearnRBM(
            16,
            learning_rate=lr,
            n_iter=n_iter,
            batch_size=batch,
            random_state=0,
        ).fit(x)
        ll, _ = test_log_likelihood(
            sklearn_as_layer(peer), x, x_test, True, None
        )
        record(
            f"sklearn lr={lr} n_iter={n_iter} batch={batch}",
            16,
            "exact",
            ll,
            0.0,
            time.perf_counter() - start,
        )
        if best is None or ll > best[0]:
            best = (ll, lr, n_iter, batch)
    epochs = 30 if args.quick else 100
    ais_betas = 3000 if args.quick else 14500
    for k in (1, 10):
        start = time.perf_counter()
        model = train_kgen(x, 16, epochs, k)
        ll, _ = test_log_likelihood(model, x, x_test, True, None)
        record(
            f"kgen CD-{k} {epochs} epochs ({keras.backend.backend()})",
            16,
            "exact",
            ll,
            0.0,
            time.perf_counter() - start,
        )
    start = time.perf_counter()
    model = train_kgen(x, 256, epochs, 1, learning_rate=0.02)
    ll, error = test_log_likelihood(model, x, x_test, False, ais_betas)
    record(
        f"kgen CD-1 {epochs} epochs ({keras.backend.backend()})",
        256,
        "AIS",
        ll,
        error,
        time.perf_counter() - start,
    )
    _, lr, n_iter, batch = best
    start = time.perf_counter()
    peer = SklearnRBM(
        256, learning_rate=lr, n_iter=n_iter, batch_size=batch, random_state=0
    ).fit(x)
    ll, error = test_log_likelihood(
        sklearn_as_layer(peer), x, x_test, False, ais_betas
    )
    record(
        f"sklearn lr={lr} n_iter={n_iter} batch={batch}",
        256,
        "AIS",
        ll,
        error,
        time.perf_counter() - start,
    )
    os.makedirs(RESULTS, exist_ok=True)
    with open(os.path.join(RESULTS, "rbm_quality.json"), "w") as f:
        json.dump(rows, f, indent=2)


if __name__ == "__main__":
    main()
