"""`build_style_discriminator` against a NumPy forward pass of StyleGAN2's
residual discriminator, written from the paper's description."""

import math

import keras
import numpy as np
import pytest
from keras import ops

import kgen

SLOPE = 0.2


def leaky_relu(x):
    return np.where(x > 0, x, SLOPE * x)


def conv_same(x, kernel):
    """'same' stride-1 convolution, `x (b, h, w, c)`, `kernel (k, k, c, o)`."""
    k = kernel.shape[0]
    pad = k // 2
    padded = np.pad(x, ((0, 0), (pad, pad), (pad, pad), (0, 0)))
    height, width = x.shape[1:3]
    out = np.zeros((*x.shape[:3], kernel.shape[-1]))
    for i in range(k):
        for j in range(k):
            patch = padded[:, i : i + height, j : j + width]
            out += patch @ kernel[i, j]
    return out


def average_pool(x):
    b, h, w, c = x.shape
    return x.reshape(b, h // 2, 2, w // 2, 2, c).mean(axis=(2, 4))


def weights(model, name):
    return [
        ops.convert_to_numpy(v).astype("float64")
        for v in model.get_layer(name).weights
    ]


def equalized_conv(model, name, x, activation=True):
    """He-scaled conv (gain sqrt(2) before leaky ReLU, 1 for linear)."""
    kernel, *bias = weights(model, name)
    gain = math.sqrt(2.0) if activation else 1.0
    fan_in = kernel.shape[0] ** 2 * kernel.shape[2]
    y = conv_same(x, kernel * gain / math.sqrt(fan_in))
    if bias:
        y = y + bias[0]
    return leaky_relu(y) if activation else y


def equalized_dense(model, name, x, activation=True):
    kernel, bias = weights(model, name)
    gain = math.sqrt(2.0) if activation else 1.0
    y = x @ (kernel * gain / math.sqrt(kernel.shape[0])) + bias
    return leaky_relu(y) if activation else y


def minibatch_std(x, group_size):
    """Sample n joins group n mod (batch / group_size); one feature."""
    groups = x.reshape(group_size, -1, *x.shape[1:])
    std = np.sqrt(groups.var(axis=0) + 1e-8).mean(axis=(1, 2, 3))
    feature = np.tile(std, group_size)[:, None, None, None]
    return np.concatenate([x, np.broadcast_to(feature, x.shape[:3] + (1,))], -1)


def reference(model, images, group_size):
    """StyleGAN2 (Karras et al. 2020, fig. 7c): each block is conv0 3x3 at
    the block's resolution, then conv1 3x3 *down-sampling* (the filter and
    stride come before conv1's kernel and activation), beside a down-sampled
    linear 1x1 skip; the sum times 1/sqrt(2)."""
    x = equalized_conv(model, "from_rgb", images)
    size = images.shape[1]
    while size > 4:
        skip = equalized_conv(
            model, f"skip_{size}", average_pool(x), activation=False
        )
        y = equalized_conv(model, f"conv0_{size}", x)
        y = equalized_conv(model, f"conv1_{size}", average_pool(y))
        x = (y + skip) / math.sqrt(2.0)
        size //= 2
    x = equalized_conv(model, "conv_4", minibatch_std(x, group_size))
    x = equalized_dense(model, "dense", x.reshape(len(x), -1))
    return equalized_dense(model, "score", x, activation=False)


@pytest.fixture(scope="module")
def model():
    """One discriminator for the module. JAX compiles every initializer
    once per weight shape, so equal widths keep the build quick."""
    keras.utils.set_random_seed(0)
    return kgen.models.build_style_discriminator(
        (16, 16, 1), filters=4, group_size=2
    )


def test_discriminator_matches_numpy_stylegan2_reference(model):
    rng = np.random.default_rng(0)
    # Non-zero biases, so that their place (before the activation) counts.
    for variable in model.weights:
        if variable.path.endswith("bias"):
            variable.assign(rng.normal(size=variable.shape) * 0.5)
    images = rng.normal(size=(4, 16, 16, 1))
    np.testing.assert_allclose(
        model.predict(images.astype("float32"), batch_size=4, verbose=0),
        reference(model, images, group_size=2),
        rtol=1e-4,
        atol=1e-4,
    )


def test_block_convolutions_run_at_their_resolutions(model):
    shapes = {
        layer.name: tuple(layer.output.shape[1:3])
        for layer in model.layers
        if layer.name.startswith(("conv0", "conv1", "skip_1", "skip_8"))
    }
    assert shapes == {
        "conv0_16": (16, 16),
        "conv1_16": (8, 8),
        "skip_16": (8, 8),
        "conv0_8": (8, 8),
        "conv1_8": (4, 4),
        "skip_8": (4, 4),
    }
