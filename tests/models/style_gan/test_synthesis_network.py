"""`SynthesisNetwork` at 4x4 against a NumPy forward pass of StyleGAN2's
first block, written from the paper and the official networks."""

import math

import keras
import numpy as np
import pytest
from keras import ops

import kgen

STYLE_DIM, FILTERS, CHANNELS = 5, 3, 2


def conv_same(x, kernel):
    """'same' stride-1 convolution, `x (h, w, c)`, `kernel (k, k, c, o)`."""
    k = kernel.shape[0]
    pad = k // 2
    padded = np.pad(x, ((pad, pad), (pad, pad), (0, 0)))
    out = np.zeros((*x.shape[:2], kernel.shape[-1]))
    for i in range(k):
        for j in range(k):
            out += padded[i : i + x.shape[0], j : j + x.shape[1]] @ kernel[i, j]
    return out


def weights(layer):
    return [ops.convert_to_numpy(v).astype("float64") for v in layer.weights]


def style(layer, w):
    """A style affine: He-scaled dense layer, bias initialised to 1."""
    kernel, bias = weights(layer)
    return w @ kernel / math.sqrt(kernel.shape[0]) + bias


def reference(synthesis, w):
    """StyleGAN2's 4x4 block for one `w` (noise off): the constant, a
    modulated, demodulated 3x3 convolution, bias, leaky ReLU times sqrt(2),
    then toRGB, a modulated 1x1 convolution without demodulation whose
    weight is `K * s / sqrt(in_channels)`, `s` the raw affine output (the
    official networks scale the style by the weight gain, bias included)."""
    constant = ops.convert_to_numpy(synthesis.constant).astype("float64")
    kernel, bias = weights(synthesis.convolutions[0])
    modulated = kernel * style(synthesis.affines[0], w)[None, None, :, None]
    modulated /= np.sqrt(np.sum(modulated**2, axis=(0, 1, 2)) + 1e-8)
    x = conv_same(constant, modulated) + bias
    x = np.where(x > 0, x, 0.2 * x) * math.sqrt(2.0)
    kernel, bias = weights(synthesis.rgb_convolutions[0])
    s = style(synthesis.rgb_affines[0], w) / math.sqrt(FILTERS)
    return conv_same(x, kernel * s[None, None, :, None]) + bias


@pytest.mark.parametrize(
    "activation, function", [(None, lambda x: x), ("tanh", np.tanh)]
)
def test_first_block_matches_numpy_stylegan2_reference(activation, function):
    keras.utils.set_random_seed(0)
    synthesis = kgen.models.SynthesisNetwork(
        STYLE_DIM,
        (4, 4, CHANNELS),
        filters=FILTERS,
        output_activation=activation,
    )
    rng = np.random.default_rng(0)
    for variable in synthesis.weights:  # non-zero biases, trained affines
        if variable.path.endswith("bias"):
            variable.assign(rng.normal(size=variable.shape) + 1.0)
    w = rng.normal(size=(2, STYLE_DIM))
    styles = np.repeat(w[:, None], synthesis.num_styles, axis=1)
    received = ops.convert_to_numpy(
        synthesis(styles.astype("float32"), noise=False)
    )
    expected = function(
        np.stack([reference(synthesis, sample) for sample in w])
    )
    np.testing.assert_allclose(received, expected, rtol=1e-4, atol=1e-4)
