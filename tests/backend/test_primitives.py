"""`kgen.backend` primitives against NumPy and Keras' own implementations."""

import keras
import numpy as np
import pytest
from keras import ops

from kgen import backend
from kgen.utils.binary import bernoulli


def test_global_norm_is_the_norm_of_all_tensors_together(rng):
    arrays = [
        rng.normal(size=shape).astype("float32")
        for shape in [(3, 4), (4,), (2, 2, 2)]
    ]
    expected = np.sqrt(sum(np.sum(a.astype("float64") ** 2) for a in arrays))
    norm = backend.global_norm([ops.convert_to_tensor(a) for a in arrays])
    np.testing.assert_allclose(ops.convert_to_numpy(norm), expected, rtol=1e-6)


def test_without_gradient_gives_the_value_and_no_gradient(rng):
    x = rng.normal(size=(5,)).astype("float32")

    def fn(t):
        # d/dt [t**2 (constant) + 3 t] = 3: only the differentiable term counts.
        return backend.without_gradient(lambda u: u * u, t) + 3.0 * t

    np.testing.assert_allclose(
        ops.convert_to_numpy(fn(ops.convert_to_tensor(x))),
        x * x + 3 * x,
        rtol=1e-6,
    )
    gradient = backend.input_gradients(fn, ops.convert_to_tensor(x))
    np.testing.assert_allclose(
        ops.convert_to_numpy(gradient), np.full(5, 3.0), rtol=1e-6
    )


@pytest.mark.parametrize("shape", [(64, 50), (3, 7), (2, 3, 5)])
@pytest.mark.parametrize("seed", [7, "generator"])
def test_fast_bernoulli_draws_the_states_keras_would(seed, shape, backend_name):
    p = ops.convert_to_tensor(
        np.random.default_rng(0).uniform(size=shape).astype("float32")
    )

    def draw(fn):
        generator = keras.random.SeedGenerator(3)
        given = generator if seed == "generator" else seed
        return [ops.convert_to_numpy(fn(given)) for _ in range(2)]

    fast = draw(lambda s: backend.fast_bernoulli(p, s))
    if backend_name == "tensorflow":
        assert fast == [None, None]
        return
    keras_states = draw(
        lambda s: ops.cast(keras.random.uniform(p.shape, seed=s) < p, p.dtype)
    )
    for states, expected in zip(fast, keras_states):
        assert states.dtype == np.float32
        assert states.shape == shape
        np.testing.assert_array_equal(states, expected)
    # A generator advances between draws; a fixed int seed repeats them.
    assert (seed == 7) == np.array_equal(*fast)


def test_bernoulli_states_have_the_given_frequencies_independently():
    # 4,000 draws of 64 units: each unit's frequency within 5 standard
    # errors of its probability, and neighbouring units (within a draw, and
    # one draw to the next) uncorrelated to within 5 standard errors.
    draws, p = 4000, np.linspace(0.02, 0.98, 64).astype("float32")
    generator = keras.random.SeedGenerator(11)
    probabilities = ops.convert_to_tensor(np.tile(p, (draws, 1)))
    states = ops.convert_to_numpy(bernoulli(probabilities, generator))
    assert set(np.unique(states)) == {0.0, 1.0}
    error = np.sqrt(p * (1 - p) / draws)
    assert np.all(np.abs(states.mean(axis=0) - p) < 5 * error)
    z = (states - p) / np.sqrt(p * (1 - p))
    for a, b in ((z[:, :-1], z[:, 1:]), (z[:-1], z[1:])):
        correlation = np.mean(a * b)
        assert abs(correlation) < 5 / np.sqrt(a.size)
    again = ops.convert_to_numpy(bernoulli(probabilities, generator))
    assert abs(
        np.mean(((states - p) * (again - p)) / (p * (1 - p)))
    ) < 5 / np.sqrt(states.size)


class _LinearLeastSquares(backend.StepFunctions, keras.Model):
    """`compute_loss` ignores `y_pred`; `call` counts its eager calls."""

    def __init__(self, uses_predictions):
        super().__init__(name="least_squares")
        self.loss_uses_predictions = uses_predictions
        self.dense = keras.layers.Dense(2)
        self.calls = 0

    def call(self, x):
        self.calls += 1
        return self.dense(x)

    def compute_loss(
        self, x=None, y=None, y_pred=None, sample_weight=None, training=True
    ):
        return ops.mean(ops.square(self.dense(x) - y))


def test_step_skips_the_unused_forward_pass_on_torch(backend_name):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(12, 3)).astype("float32")
    y = rng.normal(size=(12, 2)).astype("float32")
    results = []
    for uses_predictions in (True, False):
        keras.utils.set_random_seed(0)
        model = _LinearLeastSquares(uses_predictions)
        model.build((None, 3))
        model.compile(optimizer=keras.optimizers.SGD(0.1), run_eagerly=False)
        model.calls = 0
        history = model.fit(x, y, batch_size=4, epochs=2, verbose=0)
        results.append((model, history.history["loss"]))
    (keras_step, keras_loss), (lean, lean_loss) = results
    np.testing.assert_allclose(lean_loss, keras_loss, rtol=1e-6)
    for a, b in zip(lean.get_weights(), keras_step.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-6)
    if backend_name == "torch":
        assert keras_step.calls - lean.calls == 6  # one per step
