"""Builders of GAN networks: MLPs and DCGAN convolutional nets.

Generators take `z` (and one-hot labels when `num_classes` is set);
discriminators return raw scores `(batch, 1)` (and class logits for an
ACGAN with `auxiliary=True`), ready for `kgen.models.GAN`,
`ConditionalGAN` and `ACGAN`.
"""

import math

import keras
from keras import layers

from kgen.layers.spectral_normalization import SpectralNormalization
from kgen.utils.validation import check_integer


def build_mlp_generator(
    latent_dim,
    output_shape,
    hidden_units=(128, 128),
    num_classes=None,
    output_activation="sigmoid",
    batch_normalization=True,
    name="generator",
):
    """Builds a fully connected generator.

    Dense layers with batch normalisation and ReLU, then a dense output
    reshaped to `output_shape`.

    Args:
        latent_dim: int >= 1, size of `z`.
        output_shape: shape of one sample, e.g. `(64,)` or `(8, 8, 1)`.
        hidden_units: sizes of the hidden layers.
        num_classes: for conditional generators, the number of classes of
            the one-hot label input concatenated to `z`; `None` otherwise.
        output_activation: `"sigmoid"` for data in [0, 1], `"tanh"` for
            [-1, 1], `None` for unbounded data.
        batch_normalization: batch-normalise the hidden layers.
        name: model name.

    Returns:
        A functional `keras.Model`.

    Example:

    ```python
    generator = kgen.models.build_mlp_generator(16, (64,))
    ```
    """
    inputs, hidden = _generator_inputs(latent_dim, num_classes)
    for units in hidden_units:
        hidden = layers.Dense(units)(hidden)
        if batch_normalization:
            hidden = layers.BatchNormalization()(hidden)
        hidden = layers.ReLU()(hidden)
    size = math.prod(_check_shape(output_shape, "output_shape"))
    outputs = layers.Dense(size, activation=output_activation)(hidden)
    outputs = layers.Reshape(tuple(output_shape))(outputs)
    return keras.Model(inputs, outputs, name=name)


def build_mlp_discriminator(
    input_shape,
    hidden_units=(128, 128),
    num_classes=None,
    auxiliary=False,
    spectral_normalization=False,
    name="discriminator",
):
    """Builds a fully connected discriminator.

    Dense layers with LeakyReLU(0.2), returning one raw score per sample.

    Args:
        input_shape: shape of one sample.
        hidden_units: sizes of the hidden layers.
        num_classes: number of classes for conditional models (with
            `auxiliary=False` the one-hot label is an input, as in
            `ConditionalGAN`); `None` for unconditional models.
        auxiliary: `True` for an ACGAN discriminator returning
            `[scores, class_logits]` from the sample alone.
        spectral_normalization: wrap every dense layer in
            `kgen.layers.SpectralNormalization`.
        name: model name.

    Returns:
        A functional `keras.Model`.

    Example:

    ```python
    critic = kgen.models.build_mlp_discriminator((64,), spectral_normalization=True)
    ```
    """
    inputs, hidden = _discriminator_inputs(
        input_shape, num_classes, auxiliary, flatten=True
    )
    for units in hidden_units:
        hidden = _maybe_normalized(layers.Dense(units), spectral_normalization)(
            hidden
        )
        hidden = layers.LeakyReLU(0.2)(hidden)
    outputs = _discriminator_head(
        hidden, num_classes, auxiliary, spectral_normalization
    )
    return keras.Model(inputs, outputs, name=name)


def build_dcgan_generator(
    latent_dim,
    image_shape,
    base_filters=64,
    num_classes=None,
    output_activation="sigmoid",
    name="generator",
):
    """Builds a DCGAN generator for any image size and channel count.

    A dense projection to a small feature map, then stride-2 transposed
    convolutions with batch normalisation and ReLU that double the size
    (halving the filters) up to the image size, and a final convolution to
    `channels` (cropped when the size is not a power-of-two multiple).

    Reference: Radford et al., "Unsupervised Representation Learning with
    Deep Convolutional Generative Adversarial Networks", ICLR 2016.

    Args:
        latent_dim: int >= 1, size of `z`.
        image_shape: `(height, width, channels)`.
        base_filters: filters of the last transposed convolution; each
            earlier one has twice as many.
        num_classes: number of classes of a conditional generator, or `None`.
        output_activation: activation of the output convolution.
        name: model name.

    Returns:
        A functional `keras.Model` producing images of shape `image_shape`.

    Example:

    ```python
    generator = kgen.models.build_dcgan_generator(32, (28, 28, 1))
    ```
    """
    height, width, channels = _check_shape(image_shape, "image_shape", rank=3)
    steps = _num_resolution_steps(height, width)
    start = (math.ceil(height / 2**steps), math.ceil(width / 2**steps))
    inputs, hidden = _generator_inputs(latent_dim, num_classes)
    filters = base_filters * 2 ** (steps - 1)
    hidden = layers.Dense(start[0] * start[1] * filters, use_bias=False)(hidden)
    hidden = layers.ReLU()(layers.BatchNormalization()(hidden))
    hidden = layers.Reshape((*start, filters))(hidden)
    for step in range(steps):
        filters = base_filters * 2 ** (steps - 1 - step)
        hidden = layers.Conv2DTranspose(
            filters, 4, strides=2, padding="same", use_bias=False
        )(hidden)
        hidden = layers.ReLU()(layers.BatchNormalization()(hidden))
    outputs = layers.Conv2D(
        channels, 3, padding="same", activation=output_activation
    )(hidden)
    extra = (start[0] * 2**steps - height, start[1] * 2**steps - width)
    if any(extra):
        outputs = layers.Cropping2D(((0, extra[0]), (0, extra[1])))(outputs)
    return keras.Model(inputs, outputs, name=name)


def build_dcgan_discriminator(
    image_shape,
    base_filters=64,
    num_classes=None,
    auxiliary=False,
    spectral_normalization=False,
    name="discriminator",
):
    """Builds a DCGAN discriminator for any image size and channel count.

    Stride-2 convolutions with LeakyReLU(0.2) that halve the size (doubling
    the filters), batch normalisation after all but the first (none with
    spectral normalisation), then a dense score. A conditional
    discriminator receives the one-hot label as extra constant channels.

    Reference: Radford et al., "Unsupervised Representation Learning with
    Deep Convolutional Generative Adversarial Networks", ICLR 2016.

    Args:
        image_shape: `(height, width, channels)`.
        base_filters: filters of the first convolution.
        num_classes: number of classes of a conditional or ACGAN
            discriminator, or `None`.
        auxiliary: `True` for an ACGAN discriminator returning
            `[scores, class_logits]`.
        spectral_normalization: wrap every convolution and dense layer in
            `kgen.layers.SpectralNormalization` (and drop batch norm).
        name: model name.

    Returns:
        A functional `keras.Model`.

    Example:

    ```python
    critic = kgen.models.build_dcgan_discriminator((8, 8, 1), base_filters=32)
    ```
    """
    height, width, _ = _check_shape(image_shape, "image_shape", rank=3)
    inputs, hidden = _discriminator_inputs(
        image_shape, num_classes, auxiliary, flatten=False
    )
    for step in range(_num_resolution_steps(height, width)):
        convolution = layers.Conv2D(
            base_filters * 2**step, 4, strides=2, padding="same"
        )
        hidden = _maybe_normalized(convolution, spectral_normalization)(hidden)
        if step and not spectral_normalization:
            hidden = layers.BatchNormalization()(hidden)
        hidden = layers.LeakyReLU(0.2)(hidden)
    hidden = layers.Flatten()(hidden)
    outputs = _discriminator_head(
        hidden, num_classes, auxiliary, spectral_normalization
    )
    return keras.Model(inputs, outputs, name=name)


def _generator_inputs(latent_dim, num_classes):
    latent_dim = check_integer(latent_dim, "latent_dim")
    z = keras.Input((latent_dim,), name="latent")
    if num_classes is None:
        return z, z
    labels = keras.Input(
        (check_integer(num_classes, "num_classes", 2),), name="labels"
    )
    return [z, labels], layers.Concatenate()([z, labels])


def _discriminator_inputs(input_shape, num_classes, auxiliary, flatten):
    shape = _check_shape(input_shape, "input_shape")
    x = keras.Input(shape, name="samples")
    features = layers.Flatten()(x) if flatten else x
    if num_classes is None or auxiliary:
        return x, features
    labels = keras.Input(
        (check_integer(num_classes, "num_classes", 2),), name="labels"
    )
    if flatten:
        return [x, labels], layers.Concatenate()([features, labels])
    tiled = layers.Reshape((1, 1, num_classes))(labels)
    tiled = layers.UpSampling2D(shape[:2])(tiled)
    return [x, labels], layers.Concatenate()([features, tiled])


def _discriminator_head(hidden, num_classes, auxiliary, spectral_normalization):
    scores = _maybe_normalized(layers.Dense(1), spectral_normalization)(hidden)
    if not auxiliary:
        return scores
    if num_classes is None:
        raise ValueError(
            "`auxiliary=True` (ACGAN) needs `num_classes`. Received "
            "num_classes=None."
        )
    return [
        scores,
        layers.Dense(check_integer(num_classes, "num_classes", 2))(hidden),
    ]


def _maybe_normalized(layer, spectral_normalization):
    return SpectralNormalization(layer) if spectral_normalization else layer


def _num_resolution_steps(height, width):
    """Stride-2 steps: down to a map of about 4 pixels on the short side."""
    return max(1, int(math.log2(min(height, width) / 4)))


def _check_shape(shape, name, rank=None):
    shape = tuple(shape) if isinstance(shape, (tuple, list)) else (shape,)
    valid = all(
        isinstance(s, int) and not isinstance(s, bool) and s >= 1 for s in shape
    )
    if not valid or (rank is not None and len(shape) != rank):
        expected = (
            "(height, width, channels)"
            if rank == 3
            else "a tuple of positive ints"
        )
        raise ValueError(
            f"`{name}` must be {expected}. Received: {name}={shape!r}."
        )
    return shape
