"""SpectralNormalization: same re-parametrised update on every backend."""

import keras
import numpy as np
import pytest

import kgen


def normalize(v):
    return v / np.sqrt(np.sum(v**2) + 1e-12)


def test_converges_to_the_largest_singular_value():
    layer = kgen.layers.SpectralNormalization(
        keras.layers.Dense(4), power_iterations=1
    )
    x = np.random.default_rng(0).normal(size=(3, 5)).astype("float32")
    for _ in range(30):
        layer(x, training=True)
    kernel = keras.ops.convert_to_numpy(layer.layer.kernel)
    bias = keras.ops.convert_to_numpy(layer.layer.bias)
    sigma = np.linalg.svd(kernel, compute_uv=False)[0]
    expected = x @ (kernel / sigma) + bias
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(layer(x)), expected, rtol=1e-4, atol=1e-5
    )
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(layer.layer.kernel), kernel
    )


def test_fit_step_matches_numpy_reference():
    """W moves by the gradient through W / sigma(W), with u and v constant."""
    layer = kgen.layers.SpectralNormalization(
        keras.layers.Dense(2, use_bias=False)
    )
    model = keras.Sequential([keras.Input((3,)), layer])
    model.compile(optimizer=keras.optimizers.SGD(0.5), loss="mse")
    rng = np.random.default_rng(0)
    x, y = (
        rng.normal(size=(4, 3)).astype("float32"),
        rng.normal(size=(4, 2)).astype("float32"),
    )
    w = keras.ops.convert_to_numpy(layer.layer.kernel).astype("float64")
    u = keras.ops.convert_to_numpy(layer.vector_u).astype("float64")
    v = normalize(u @ w.T)
    u = normalize(v @ w)
    v = normalize(u @ w.T)
    sigma = (v @ w @ u.T).item()
    residual = x @ (w / sigma) - y
    grad_normalized = x.T @ (2 * residual / residual.size)
    grad = grad_normalized / sigma - np.sum(grad_normalized * w) / sigma**2 * (
        v.T @ u
    )
    model.fit(x, y, batch_size=4, epochs=1, verbose=0)
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(layer.layer.kernel),
        w - 0.5 * grad,
        rtol=1e-4,
        atol=1e-6,
    )
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(layer.vector_u), u, rtol=1e-4, atol=1e-6
    )


def test_round_trip_and_errors(tmp_path):
    model = keras.Sequential(
        [
            keras.Input((5, 3)),
            kgen.layers.SpectralNormalization(
                keras.layers.Conv1D(2, 1), power_iterations=2
            ),
        ]
    )
    path = str(tmp_path / "sn.keras")
    model.save(path)
    loaded = keras.models.load_model(path)
    assert loaded.layers[0].power_iterations == 2
    with pytest.raises(
        ValueError, match="`power_iterations` must be an integer >= 1"
    ):
        kgen.layers.SpectralNormalization(
            keras.layers.Dense(2), power_iterations=0
        )
    with pytest.raises(ValueError, match="has neither"):
        kgen.layers.SpectralNormalization(keras.layers.ReLU())(
            np.zeros((1, 2), "float32")
        )
