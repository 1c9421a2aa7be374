"""Trains each family on one device and under a data-parallel strategy.

Run as a script in a fresh process (the device count must be fixed before
the backend starts): `python data_parallel_worker.py NUM_DEVICES FAMILY...`.
It prints one line `RESULTS{json}` mapping each family either to
`{"difference": d, "finite": f}`, where `d` is the largest absolute
difference between the weights (and non-trainable state) trained on one
device and those trained with each batch split over `NUM_DEVICES` CPU
devices, from the same seed and data (`keras.utils.set_random_seed` before
each build), and `f` says whether the latter are finite; or to the
traceback of the error.
"""

import json
import os
import sys
import time
import traceback

NUM_DEVICES = int(sys.argv[1])
BACKEND = os.environ["KERAS_BACKEND"]
if BACKEND == "jax":
    # First: XLA stops reading flags at a malformed one.
    os.environ["XLA_FLAGS"] = (
        f"--xla_force_host_platform_device_count={NUM_DEVICES} "
        + os.environ.get("XLA_FLAGS", "")
    )

import keras  # noqa: E402
import numpy as np  # noqa: E402

import kgen  # noqa: E402
from kgen.backend import distribution  # noqa: E402

RNG = np.random.default_rng(0)
BATCH = 2 * NUM_DEVICES
NUM = 2 * BATCH  # two steps
BINARY = (RNG.random((NUM, 6)) < 0.4).astype("float32")
UNIT = RNG.random((NUM, 6)).astype("float32")
IMAGES = RNG.uniform(-1, 1, (NUM, 2, 2, 1)).astype("float32")
TARGETS = RNG.uniform(-1, 1, (NUM, 2, 2, 1)).astype("float32")


def pixel_network(in_channels, out_channels):
    return keras.Sequential(
        [keras.Input((2, 2, in_channels)), keras.layers.Dense(out_channels)]
    )


def families():
    """name -> (build the model, the fit data, extra fit arguments)."""
    models, layers = kgen.models, kgen.layers

    def gan():
        return models.GAN(
            models.build_mlp_generator(2, (6,), hidden_units=(4,)),
            models.build_mlp_discriminator((6,), (4,)),
            latent_dim=2,
            seed=0,
        )

    return {
        "rbm": (
            lambda: models.RBM(
                layers.BernoulliRBM(3), persistent_chains=BATCH, seed=0
            ),
            (BINARY,),
            {},
        ),
        "boltzmann_machine": (
            lambda: models.BoltzmannMachine(6, 2, seed=0),
            (BINARY,),
            {},
        ),
        "dbn": (lambda: models.DBN(6, [4, 3], seed=0), (BINARY,), {}),
        "dbm": (
            lambda: models.DBM(6, [4, 3], persistent_chains=BATCH, seed=0),
            (BINARY,),
            {},
        ),
        "autoencoder": (
            lambda: models.Autoencoder.dense(
                (6,), latent_dim=2, hidden_units=(4,)
            ),
            (UNIT,),
            {},
        ),
        "vae": (
            lambda: models.VAE.dense(
                (6,), latent_dim=2, hidden_units=(4,), seed=0
            ),
            (BINARY,),
            {},
        ),
        "gan": (gan, (UNIT,), {}),
        "made": (
            lambda: models.MADE(6, hidden_units=(8,), seed=0),
            (BINARY,),
            {},
        ),
        "real_nvp": (
            lambda: models.RealNVP(
                (6,), num_couplings=2, hidden_units=(8,), seed=0
            ),
            (UNIT,),
            {},
        ),
        "pix2pix": (
            lambda: models.Pix2Pix(
                pixel_network(1, 1), pixel_network(2, 1), seed=0
            ),
            (IMAGES, TARGETS),
            {},
        ),
    }


def train(build, data, fit_kwargs, strategy):
    keras.utils.set_random_seed(0)
    with distribution.scope(strategy):
        model = build()
        model.compile(optimizer=keras.optimizers.SGD(0.1))
        model.fit(
            *data,
            batch_size=BATCH,
            epochs=1,
            shuffle=False,
            verbose=0,
            **fit_kwargs,
        )
    return [keras.ops.convert_to_numpy(v) for v in model.weights]


def main():
    if BACKEND == "tensorflow":
        distribution.split_host_cpu(NUM_DEVICES)
    strategy = distribution.data_parallel(NUM_DEVICES, "cpu")
    results = {}
    for name in sys.argv[2:]:
        build, data, fit_kwargs = families()[name]
        start = time.perf_counter()
        try:
            one = train(build, data, fit_kwargs, None)
            many = train(build, data, fit_kwargs, strategy)
            results[name] = {
                "difference": max(
                    float(np.max(np.abs(a - b))) for a, b in zip(one, many)
                ),
                "finite": all(np.isfinite(w).all() for w in many),
            }
            print(name, round(time.perf_counter() - start, 1), file=sys.stderr)
        except Exception:
            results[name] = traceback.format_exc()[-2000:]
    print("RESULTS" + json.dumps(results))


if __name__ == "__main__":
    main()
