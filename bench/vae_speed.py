"""VAE training speed: kgen on each backend against a Keras-examples VAE.

The reference is the VAE of the Keras examples (keras-io
`examples/generative/vae.py`): a `keras.Model` whose `train_step` uses a
TensorFlow `GradientTape`, a `Sampling` layer and three `Mean` trackers,
here with the same dense architecture as kgen's model (64-256-128-2x2 /
2-128-256-64, Bernoulli decoder, Adam, batch 128) on the binarised digits
tiled 6 times (10,782 samples). It runs on TensorFlow only.

Each backend runs in its own subprocess; the TensorFlow one alternates the
reference and kgen in the same process. Each configuration trains a warm-up
epoch, then `--epochs` timed epochs; the best epoch gives samples/s, and
the best over `--rounds` rounds is kept. Targets: kgen on TensorFlow >= 1x
the reference, kgen on JAX >= 1.5x.

    python bench/vae_speed.py [--quick] [--rounds 2] [--epochs 3]
"""

import json
import os
import subprocess
import sys
import time

BATCH = 128
LATENT = 2


def reference_vae():
    """The Keras examples' VAE, dense: GradientTape `train_step` (TF only)."""
    import keras
    import tensorflow as tf
    from keras import layers
    from keras import ops

    class Sampling(layers.Layer):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.seed_generator = keras.random.SeedGenerator(1337)

        def call(self, inputs):
            z_mean, z_log_var = inputs
            epsilon = keras.random.normal(
                shape=ops.shape(z_mean), seed=self.seed_generator
            )
            return z_mean + ops.exp(0.5 * z_log_var) * epsilon

    encoder_inputs = keras.Input(shape=(64,))
    x = layers.Dense(256, activation="relu")(encoder_inputs)
    x = layers.Dense(128, activation="relu")(x)
    z_mean = layers.Dense(LATENT, name="z_mean")(x)
    z_log_var = layers.Dense(LATENT, name="z_log_var")(x)
    z = Sampling()([z_mean, z_log_var])
    encoder = keras.Model(
        encoder_inputs, [z_mean, z_log_var, z], name="encoder"
    )
    latent_inputs = keras.Input(shape=(LATENT,))
    x = layers.Dense(128, activation="relu")(latent_inputs)
    x = layers.Dense(256, activation="relu")(x)
    decoder_outputs = layers.Dense(64, activation="sigmoid")(x)
    decoder = keras.Model(latent_inputs, decoder_outputs, name="decoder")

    class VAE(keras.Model):
        def __init__(self, encoder, decoder, **kwargs):
            super().__init__(**kwargs)
            self.encoder = encoder
            self.decoder = decoder
            self.total_loss_tracker = keras.metrics.Mean(name="total_loss")
            self.reconstruction_loss_tracker = keras.metrics.Mean(
                name="reconstruction_loss"
            )
            self.kl_loss_tracker = keras.metrics.Mean(name="kl_loss")

        @property
        def metrics(self):
            return [
                self.total_loss_tracker,
                self.reconstruction_loss_tracker,
                self.kl_loss_tracker,
            ]

        def train_step(self, data):
            with tf.GradientTape() as tape:
                z_mean, z_log_var, z = self.encoder(data)
                reconstruction = self.decoder(z)
                reconstruction_loss = ops.mean(
                    ops.sum(
                        keras.losses.binary_crossentropy(
                            data[..., None], reconstruction[..., None]
                        ),
                        axis=1,
                    )
                )
                kl_loss = -0.5 * (
                    1 + z_log_var - ops.square(z_mean) - ops.exp(z_log_var)
                )
                kl_loss = ops.mean(ops.sum(kl_loss, axis=1))
                total_loss = reconstruction_loss + kl_loss
            grads = tape.gradient(total_loss, self.trainable_weights)
            self.optimizer.apply_gradients(zip(grads, self.trainable_weights))
            self.total_loss_tracker.update_state(total_loss)
            self.reconstruction_loss_tracker.update_state(reconstruction_loss)
            self.kl_loss_tracker.update_state(kl_loss)
            return {m.name: m.result() for m in self.metrics}

    return VAE(encoder, decoder)


def kgen_vae():
    import kgen

    return kgen.models.VAE.dense((64,), LATENT, hidden_units=(256, 128), seed=0)


def samples_per_second(build, x, epochs):
    import keras

    class EpochTimer(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            self.start = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            times.append(time.perf_counter() - self.start)

    times = []
    model = build()
    model.compile(optimizer=keras.optimizers.Adam(1e-3))
    model.fit(
        x,
        epochs=1 + epochs,
        batch_size=BATCH,
        verbose=0,
        shuffle=True,
        callbacks=[EpochTimer()],
    )
    return len(x) / min(times[1:])  # the first epoch compiles


def worker(backend, epochs):
    import numpy as np

    import kgen

    (x, _), _ = kgen.datasets.load_digits("binary", test_size=0)
    x = np.tile(x, (6, 1))
    builds = {"kgen": kgen_vae}
    if backend == "tensorflow":
        builds = {
            "reference (TF GradientTape)": reference_vae,
            "kgen": kgen_vae,
        }
    results = {name: 0.0 for name in builds}
    for _ in range(
        2
    ):  # alternate, so the reference and kgen share the machine's state
        for name, build in builds.items():
            results[name] = max(
                results[name], samples_per_second(build, x, epochs)
            )
    print(
        "RESULT "
        + json.dumps(
            {f"{name} [{backend}]": value for name, value in results.items()}
        )
    )


def main():
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from _report import parse_args
    from _report import report

    args = parse_args(
        __doc__,
        rounds={"type": int, "default": 2},
        epochs={"type": int, "default": 3},
    )
    rounds, epochs = (1, 1) if args.quick else (args.rounds, args.epochs)
    best = {}
    for _ in range(rounds):
        for backend in ("tensorflow", "jax", "torch"):
            env = {**os.environ, "KERAS_BACKEND": backend}
            out = subprocess.run(
                [sys.executable, __file__, "--worker", backend, str(epochs)],
                env=env,
                capture_output=True,
                text=True,
                check=True,
            ).stdout
            line = next(l for l in out.splitlines() if l.startswith("RESULT "))
            for name, value in json.loads(line[7:]).items():
                best[name] = max(best.get(name, 0.0), value)
    reference = best["reference (TF GradientTape) [tensorflow]"]
    rows = [
        {
            "model": name,
            "samples_per_s": value,
            "vs_reference": value / reference,
        }
        for name, value in best.items()
    ]
    report(
        "vae_speed",
        rows,
        rounds=rounds,
        epochs=epochs,
        batch_size=BATCH,
        targets={"kgen [tensorflow]": 1.0, "kgen [jax]": 1.5},
    )


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--worker":
        worker(sys.argv[2], int(sys.argv[3]))
    else:
        main()
