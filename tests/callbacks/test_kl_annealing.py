import keras
import numpy as np
import pytest

from kgen.callbacks import KLAnnealing
from kgen.datasets import load_digits
from kgen.models import VAE
from kgen.models import Autoencoder

(X, _), _ = load_digits("binary")
X = X[:64]


class RecordWeight(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.weights = []

    def on_train_batch_end(self, batch, logs=None):
        self.weights.append(
            float(keras.ops.convert_to_numpy(self.model.kl_weight))
        )


def _fit(callback, epochs, beta=1.0):
    vae = VAE.dense((64,), 2, hidden_units=(8,), beta=beta, seed=0)
    vae.compile(optimizer="adam")
    recorder = RecordWeight()
    history = vae.fit(
        X,
        epochs=epochs,
        batch_size=32,
        callbacks=[callback, recorder],
        verbose=0,
    )
    return vae, history.history, recorder.weights


def test_the_compiled_step_reads_the_annealed_weight():
    vae, logs, weights = _fit(
        KLAnnealing(epochs=2, start=0.0, end=1.0), epochs=3
    )
    np.testing.assert_allclose(weights, [0.0, 0.0, 0.5, 0.5, 1.0, 1.0])
    # beta = 0 in the first epoch: the objective is the reconstruction alone.
    np.testing.assert_allclose(
        logs["loss"][0], logs["reconstruction_loss"][0], rtol=1e-5
    )
    np.testing.assert_allclose(
        logs["loss"][1],
        logs["reconstruction_loss"][1] + 0.5 * logs["kl_loss"][1],
        rtol=1e-4,
    )
    np.testing.assert_allclose(
        logs["loss"][2], logs["negative_elbo"][2], rtol=1e-5
    )


def test_per_batch_ramp_ends_at_the_model_beta():
    _, _, weights = _fit(
        KLAnnealing(epochs=1, per_batch=True), epochs=2, beta=0.4
    )
    np.testing.assert_allclose(weights, [0.0, 0.2, 0.4, 0.4], rtol=1e-6)


def test_needs_a_model_with_a_kl_weight():
    model = Autoencoder.dense((64,), 2, hidden_units=(8,))
    model.compile(optimizer="adam")
    with pytest.raises(ValueError, match="kl_weight"):
        model.fit(X, epochs=1, callbacks=[KLAnnealing()], verbose=0)
    with pytest.raises(ValueError, match="epochs"):
        KLAnnealing(epochs=0)
