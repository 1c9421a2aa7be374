"""StyleGAN's layers against NumPy references: modulated convolution,
equalised layers, noise injection and minibatch standard deviation."""

import keras
import numpy as np
import pytest
from keras import ops

import kgen


def conv_same(x, kernel):
    """NumPy 'same' cross-correlation of `(b, h, w, i)` with `(k, k, i, o)`."""
    k = kernel.shape[0]
    pad = k // 2
    padded = np.pad(x, [(0, 0), (pad, pad), (pad, pad), (0, 0)])
    h, w = x.shape[1:3]
    out = np.zeros(x.shape[:3] + kernel.shape[-1:])
    for dy in range(k):
        for dx in range(k):
            patch = padded[:, dy : dy + h, dx : dx + w]
            out += np.einsum("bhwi,io->bhwo", patch, kernel[dy, dx])
    return out


def test_modulated_conv_matches_per_sample_weights():
    """Each sample convolved with its own modulated, demodulated weights."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(3, 5, 4, 2)).astype("float32")
    styles = rng.uniform(0.5, 2.0, size=(3, 2)).astype("float32")
    for demodulate in (True, False):
        layer = kgen.layers.ModulatedConv2D(4, 3, demodulate=demodulate)
        layer.build([x.shape, styles.shape])
        layer.bias.assign(rng.normal(size=4).astype("float32"))
        kernel = ops.convert_to_numpy(layer.kernel).astype("float64")
        kernel = kernel / np.sqrt(3 * 3 * 2)
        expected = []
        for sample, style in zip(x, styles):
            weights = kernel * style[None, None, :, None]
            if demodulate:
                weights = weights / np.sqrt(
                    np.sum(weights**2, axis=(0, 1, 2)) + 1e-8
                )
            expected.append(conv_same(sample[None], weights)[0])
        expected = np.stack(expected) + ops.convert_to_numpy(layer.bias)
        received = ops.convert_to_numpy(layer([x, styles]))
        np.testing.assert_allclose(received, expected, rtol=1e-4, atol=1e-5)


def test_equalized_layers_scale_their_weights_at_run_time():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(2, 4, 4, 3)).astype("float32")
    conv = kgen.layers.EqualizedConv2D(5, 3, lr_multiplier=0.5, gain=2.0)
    conv.build(x.shape)
    conv.bias.assign(np.arange(5, dtype="float32"))
    kernel = ops.convert_to_numpy(conv.kernel) * 2.0 * 0.5 / np.sqrt(27)
    expected = conv_same(x, kernel) + 0.5 * np.arange(5)
    np.testing.assert_allclose(
        ops.convert_to_numpy(conv(x)), expected, rtol=1e-4, atol=1e-5
    )
    dense = kgen.layers.EqualizedDense(
        3, bias_initial_value=1.0, lr_multiplier=0.01
    )
    v = x.reshape(2, -1)[:, :6]
    dense.build(v.shape)
    kernel = ops.convert_to_numpy(dense.kernel)
    assert 50 < kernel.std() < 200  # stored as N(0, 1 / lr_multiplier)
    expected = v @ (kernel * 0.01 / np.sqrt(6)) + 1.0  # effective bias 1
    np.testing.assert_allclose(
        ops.convert_to_numpy(dense(v)), expected, rtol=1e-4, atol=1e-5
    )


def minibatch_std_reference(x, group_size, num_features):
    n = x.shape[0]
    groups = max(d for d in range(1, group_size + 1) if n % d == 0)
    members = n // groups
    out = []
    for i in range(n):
        group = x[i % members :: members]  # the samples of i's group
        std = np.sqrt(group.var(axis=0) + 1e-8)  # (..., c)
        split = std.reshape(*std.shape[:-1], num_features, -1)
        stats = split.mean(axis=tuple(range(split.ndim - 2)) + (-1,))
        tiled = np.broadcast_to(stats, x.shape[1:-1] + (num_features,))
        out.append(np.concatenate([x[i], tiled], axis=-1))
    return np.stack(out)


@pytest.mark.parametrize(
    "shape, group_size, num_features",
    [
        ((8, 3, 3, 4), 4, 2),
        ((6, 5), 3, 1),
        ((3, 2, 2, 2), 4, 1),
        ((6, 5), 4, 1),  # partial batch: groups of 3
        ((7, 2), 4, 1),  # prime batch: groups of 1
    ],
)
def test_minibatch_standard_deviation_matches_numpy(
    shape, group_size, num_features
):
    x = np.random.default_rng(2).normal(size=shape).astype("float32")
    layer = kgen.layers.MinibatchStandardDeviation(group_size, num_features)
    np.testing.assert_allclose(
        ops.convert_to_numpy(layer(x)),
        minibatch_std_reference(x.astype("float64"), group_size, num_features),
        rtol=1e-4,
        atol=1e-5,
    )


def test_minibatch_standard_deviation_partial_last_batch_in_fit():
    # 14 samples in batches of 8: the last batch of 6 is not a multiple of
    # group_size=4 (a raw reshape error inside `fit` on TensorFlow before).
    rng = np.random.default_rng(5)
    x = rng.normal(size=(14, 3)).astype("float32")
    model = keras.Sequential(
        [
            keras.Input((3,)),
            kgen.layers.MinibatchStandardDeviation(4),
            keras.layers.Dense(1),
        ]
    )
    model.compile(optimizer="sgd", loss="mse")
    history = model.fit(x, x[:, :1], batch_size=8, epochs=1, verbose=0)
    assert np.isfinite(history.history["loss"][0])
    np.testing.assert_allclose(
        ops.convert_to_numpy(model.layers[0](x[8:])),
        minibatch_std_reference(x[8:].astype("float64"), 4, 1),
        rtol=1e-4,
        atol=1e-5,
    )


def test_minibatch_standard_deviation_errors():
    with pytest.raises(ValueError, match="multiple of num_features=2"):
        kgen.layers.MinibatchStandardDeviation(2, 2)(
            np.zeros((4, 3), "float32")
        )
    with pytest.raises(ValueError, match="group_size"):
        kgen.layers.MinibatchStandardDeviation(1)


def test_noise_injection_strength_and_switch():
    x = np.zeros((2, 3, 3, 4), "float32")
    layer = kgen.layers.NoiseInjection(per_channel=True, seed=0)
    layer.build(x.shape)
    layer.strength.assign(np.array([0.0, 1.0, 2.0, 3.0], "float32"))
    noise = np.random.default_rng(3).normal(size=(2, 3, 3, 1))
    np.testing.assert_allclose(
        ops.convert_to_numpy(layer(x, noise=noise.astype("float32"))),
        noise * np.array([0.0, 1.0, 2.0, 3.0]),
        rtol=1e-6,
    )
    np.testing.assert_array_equal(
        ops.convert_to_numpy(layer(x, noise=False)), x
    )
    a = ops.convert_to_numpy(layer(x, seed=5))
    b = ops.convert_to_numpy(layer(x, seed=5))
    np.testing.assert_array_equal(a, b)  # reproducible from a seed
    assert a[..., 1].std() > 0.3  # one noise value per pixel
    np.testing.assert_allclose(a[..., 3], 3 * a[..., 1], rtol=1e-5)


@pytest.mark.parametrize(
    "layer",
    [
        kgen.layers.ModulatedConv2D(3, 1, demodulate=False),
        kgen.layers.EqualizedConv2D(3, 3, lr_multiplier=0.1),
        kgen.layers.EqualizedDense(3, "leaky_relu", gain=2.0),
        kgen.layers.NoiseInjection(per_channel=True, seed=4),
        kgen.layers.MinibatchStandardDeviation(2, 2),
    ],
)
def test_round_trip(layer):
    x = np.random.default_rng(4).normal(size=(2, 4, 4, 2)).astype("float32")
    args = (
        [x, x[:, 0, 0]] if isinstance(layer, kgen.layers.ModulatedConv2D) else x
    )
    kwargs = (
        {"noise": False}
        if isinstance(layer, kgen.layers.NoiseInjection)
        else {}
    )
    expected = ops.convert_to_numpy(layer(args, **kwargs))
    clone = keras.layers.deserialize(keras.layers.serialize(layer))
    assert clone.get_config() == layer.get_config()
    if not clone.built:
        clone.build([x.shape, (2, 2)] if isinstance(args, list) else x.shape)
    clone.set_weights(layer.get_weights())
    np.testing.assert_allclose(
        ops.convert_to_numpy(clone(args, **kwargs)), expected, atol=1e-6
    )


def test_bad_arguments():
    with pytest.raises(ValueError, match="must be odd"):
        kgen.layers.EqualizedConv2D(3, 2)
    with pytest.raises(ValueError, match="lr_multiplier"):
        kgen.layers.EqualizedDense(3, lr_multiplier=0)
    with pytest.raises(ValueError, match=r"\[images, styles\]"):
        kgen.layers.ModulatedConv2D(3)(np.zeros((1, 4, 4, 2), "float32"))
    with pytest.raises(ValueError, match=r"\[images, styles\]"):
        kgen.layers.ModulatedConv2D(3)(
            [np.zeros((1, 4, 4, 2), "float32"), np.zeros((1, 3), "float32")]
        )
