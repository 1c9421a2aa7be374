"""Builders of dense and convolutional encoders and decoders.

Each builder returns a functional `keras.Model`. Encoders end in a linear
`Dense(code_size)` layer; decoders end in a linear layer whose output the
model maps to its likelihood's parameters (e.g. logits). With `num_classes`,
the model takes a second input, a one-hot label vector, concatenated to the
features (for a conditional model).
"""

import math

import keras
import numpy as np

from kgen.utils.validation import check_integer


def dense_encoder(
    input_shape,
    code_size,
    hidden_units=(256, 128),
    activation="relu",
    num_classes=None,
    name="encoder",
    seed=None,
):
    """Builds a multilayer perceptron encoder.

    Args:
        input_shape: shape of one sample, e.g. `(64,)` or `(8, 8, 1)`
            (flattened first).
        code_size: int >= 1, size of the output (the code, or twice the
            latent size for a VAE's means and log variances).
        hidden_units: widths of the hidden `Dense` layers, in order.
        activation: activation of the hidden layers.
        num_classes: `None`, or the size of a one-hot label input
            concatenated to the flattened sample.
        name: name of the model.
        seed: `None`, or an int that fixes the initial weights (each layer's
            Glorot-uniform kernel gets its own seed drawn from it).

    Returns:
        A `keras.Model` mapping `(batch, *input_shape)` (and labels) to
        `(batch, code_size)`.

    Example:

    ```python
    encoder = kgen.models.dense_encoder((64,), code_size=8, hidden_units=(128,))
    ```
    """
    code_size = check_integer(code_size, "code_size")
    kernels = _kernel_initializers(seed)
    inputs, features = _inputs(input_shape, num_classes, "x", flatten=True)
    for units in hidden_units:
        features = keras.layers.Dense(
            units, activation=activation, kernel_initializer=next(kernels)
        )(features)
    outputs = keras.layers.Dense(
        code_size, name="code", kernel_initializer=next(kernels)
    )(features)
    return keras.Model(inputs, outputs, name=name)


def dense_decoder(
    latent_dim,
    output_shape,
    hidden_units=(128, 256),
    activation="relu",
    num_classes=None,
    name="decoder",
    seed=None,
):
    """Builds a multilayer perceptron decoder with a linear output.

    Args:
        latent_dim: int >= 1, size of the code it decodes.
        output_shape: shape of one reconstructed sample, e.g. `(64,)`.
        hidden_units: widths of the hidden `Dense` layers, in order.
        activation: activation of the hidden layers.
        num_classes: `None`, or the size of a one-hot label input
            concatenated to the code.
        name: name of the model.
        seed: `None`, or an int that fixes the initial weights (each layer's
            Glorot-uniform kernel gets its own seed drawn from it).

    Returns:
        A `keras.Model` mapping `(batch, latent_dim)` (and labels) to
        `(batch, *output_shape)`.

    Example:

    ```python
    decoder = kgen.models.dense_decoder(8, (64,), hidden_units=(128,))
    ```
    """
    latent_dim = check_integer(latent_dim, "latent_dim")
    kernels = _kernel_initializers(seed)
    inputs, features = _inputs((latent_dim,), num_classes, "z")
    for units in hidden_units:
        features = keras.layers.Dense(
            units, activation=activation, kernel_initializer=next(kernels)
        )(features)
    outputs = keras.layers.Dense(
        math.prod(output_shape), kernel_initializer=next(kernels)
    )(features)
    outputs = keras.layers.Reshape(tuple(output_shape))(outputs)
    return keras.Model(inputs, outputs, name=name)


def conv_encoder(
    input_shape,
    code_size,
    filters=(32, 64),
    kernel_size=3,
    activation="relu",
    num_classes=None,
    name="encoder",
    seed=None,
):
    """Builds a convolutional encoder: strided convolutions, then `Dense`.

    Each `Conv2D(f, kernel_size, strides=2)` halves the height and width.

    Args:
        input_shape: `(height, width, channels)` of one image.
        code_size: int >= 1, size of the output.
        filters: filters of the convolutions, in order.
        kernel_size: size of the convolution kernels.
        activation: activation of the convolutions.
        num_classes: `None`, or the size of a one-hot label input
            concatenated to the flattened convolution features.
        name: name of the model.
        seed: `None`, or an int that fixes the initial weights (each layer's
            Glorot-uniform kernel gets its own seed drawn from it).

    Returns:
        A `keras.Model` mapping `(batch, height, width, channels)` (and
        labels) to `(batch, code_size)`.

    Example:

    ```python
    encoder = kgen.models.conv_encoder((8, 8, 1), code_size=4, filters=(16, 32))
    ```
    """
    code_size = check_integer(code_size, "code_size")
    _check_image_shape(input_shape, filters, "input_shape")
    kernels = _kernel_initializers(seed)
    image = keras.Input(tuple(input_shape), name="x")
    features = image
    for count in filters:
        features = keras.layers.Conv2D(
            count,
            kernel_size,
            strides=2,
            padding="same",
            activation=activation,
            kernel_initializer=next(kernels),
        )(features)
    inputs, features = _with_labels(
        [image], keras.layers.Flatten()(features), num_classes
    )
    outputs = keras.layers.Dense(
        code_size, name="code", kernel_initializer=next(kernels)
    )(features)
    return keras.Model(inputs, outputs, name=name)


def conv_decoder(
    latent_dim,
    output_shape,
    filters=(64, 32),
    kernel_size=3,
    activation="relu",
    num_classes=None,
    name="decoder",
    seed=None,
):
    """Builds a convolutional decoder: `Dense`, then transposed convolutions.

    The code is mapped to a `(height / 2**n, width / 2**n, filters[0])`
    tensor, each `Conv2DTranspose(f, kernel_size, strides=2)` doubles the
    height and width, and a linear `Conv2D` gives the output channels.

    Args:
        latent_dim: int >= 1, size of the code it decodes.
        output_shape: `(height, width, channels)` of one image; height and
            width must be divisible by `2 ** len(filters)`.
        filters: filters of the transposed convolutions, in order.
        kernel_size: size of the convolution kernels.
        activation: activation of the hidden layers.
        num_classes: `None`, or the size of a one-hot label input
            concatenated to the code.
        name: name of the model.
        seed: `None`, or an int that fixes the initial weights (each layer's
            Glorot-uniform kernel gets its own seed drawn from it).

    Returns:
        A `keras.Model` mapping `(batch, latent_dim)` (and labels) to
        `(batch, height, width, channels)`.

    Example:

    ```python
    decoder = kgen.models.conv_decoder(4, (8, 8, 1), filters=(32, 16))
    ```
    """
    latent_dim = check_integer(latent_dim, "latent_dim")
    _check_image_shape(output_shape, filters, "output_shape")
    height, width, channels = output_shape
    scale = 2 ** len(filters)
    start = (
        height // scale,
        width // scale,
        filters[0] if filters else channels,
    )
    kernels = _kernel_initializers(seed)
    inputs, features = _inputs((latent_dim,), num_classes, "z")
    features = keras.layers.Dense(
        math.prod(start),
        activation=activation,
        kernel_initializer=next(kernels),
    )(features)
    features = keras.layers.Reshape(start)(features)
    for count in filters:
        features = keras.layers.Conv2DTranspose(
            count,
            kernel_size,
            strides=2,
            padding="same",
            activation=activation,
            kernel_initializer=next(kernels),
        )(features)
    outputs = keras.layers.Conv2D(
        channels, kernel_size, padding="same", kernel_initializer=next(kernels)
    )(features)
    return keras.Model(inputs, outputs, name=name)


def _kernel_initializers(seed):
    """Glorot-uniform initialisers (Keras' default), seeded in turn from
    `seed` when it is an int."""
    rng = None if seed is None else np.random.default_rng(seed)
    while True:
        layer_seed = None if rng is None else int(rng.integers(2**31 - 1))
        yield keras.initializers.GlorotUniform(seed=layer_seed)


def _inputs(shape, num_classes, name, flatten=False):
    """The model inputs and their (flattened, label-concatenated) features."""
    x = keras.Input(tuple(shape), name=name)
    features = keras.layers.Flatten()(x) if flatten and len(shape) > 1 else x
    return _with_labels([x], features, num_classes)


def _with_labels(inputs, features, num_classes):
    if num_classes is None:
        return inputs[0], features
    labels = keras.Input(
        (check_integer(num_classes, "num_classes"),), name="labels"
    )
    return [*inputs, labels], keras.layers.Concatenate()([features, labels])


def _check_image_shape(shape, filters, name):
    scale = 2 ** len(filters)
    if len(shape) != 3 or shape[0] % scale or shape[1] % scale:
        raise ValueError(
            f"`{name}` must be (height, width, channels) with height and width "
            f"divisible by 2 ** len(filters) = {scale}. Received: "
            f"{name}={tuple(shape)}, filters={tuple(filters)}. Use fewer "
            "filters or pad the images."
        )
