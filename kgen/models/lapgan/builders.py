"""Builders of LAPGAN's conditional (finer-level) networks."""

import keras
from keras import layers

from kgen.utils.validation import check_integer


def build_lapgan_generator(
    image_shape,
    noise_channels=1,
    filters=64,
    num_layers=3,
    name="lapgan_generator",
):
    """Builds the generator of one finer LAPGAN level.

    Takes `[noise, condition]`: a noise plane `(height, width,
    noise_channels)` and the upsampled coarser image `(height, width,
    channels)`, concatenated along channels as in Denton et al., then
    `num_layers - 1` 3x3 convolutions with batch normalisation and ReLU, and
    a linear 3x3 convolution to the band-pass residual `(height, width,
    channels)`. Fully convolutional: the same network suits any level size
    divisible as the pyramid needs.

    Reference: Denton et al., "Deep Generative Image Models using a
    Laplacian Pyramid of Adversarial Networks", NeurIPS 2015.

    Args:
        image_shape: `(height, width, channels)` of the level.
        noise_channels: int >= 1, channels of the noise plane.
        filters: int >= 1, filters of the hidden convolutions.
        num_layers: int >= 2, convolutions in all.
        name: model name.

    Returns:
        A functional `keras.Model` with inputs `[noise, condition]`.

    Example:

    ```python
    generator = kgen.models.build_lapgan_generator((32, 32, 1), filters=32)
    ```
    """
    height, width, channels = _check_image_shape(image_shape)
    noise = keras.Input(
        (height, width, check_integer(noise_channels, "noise_channels")),
        name="noise",
    )
    condition = keras.Input((height, width, channels), name="condition")
    hidden = layers.Concatenate()([noise, condition])
    for _ in range(check_integer(num_layers, "num_layers", minimum=2) - 1):
        hidden = layers.Conv2D(
            check_integer(filters, "filters"), 3, padding="same"
        )(hidden)
        hidden = layers.ReLU()(layers.BatchNormalization()(hidden))
    residual = layers.Conv2D(channels, 3, padding="same")(hidden)
    return keras.Model([noise, condition], residual, name=name)


def build_lapgan_discriminator(
    image_shape, filters=64, num_layers=2, name="lapgan_discriminator"
):
    """Builds the discriminator of one finer LAPGAN level.

    Scores `[residual, condition]` pairs: both are concatenated along
    channels, then `num_layers` stride-2 4x4 convolutions with
    LeakyReLU(0.2) (doubling the filters) and a dense raw score `(batch,
    1)`. (The paper's discriminators also use dropout; it is left out so
    that a reloaded model resumes training exactly: Keras does not save a
    dropout layer's random state.)

    Reference: Denton et al., "Deep Generative Image Models using a
    Laplacian Pyramid of Adversarial Networks", NeurIPS 2015.

    Args:
        image_shape: `(height, width, channels)` of the level.
        filters: int >= 1, filters of the first convolution.
        num_layers: int >= 1, stride-2 convolutions.
        name: model name.

    Returns:
        A functional `keras.Model` with inputs `[residual, condition]`.

    Example:

    ```python
    critic = kgen.models.build_lapgan_discriminator((32, 32, 1), filters=32)
    ```
    """
    height, width, channels = _check_image_shape(image_shape)
    residual = keras.Input((height, width, channels), name="residual")
    condition = keras.Input((height, width, channels), name="condition")
    hidden = layers.Concatenate()([residual, condition])
    filters = check_integer(filters, "filters")
    for step in range(check_integer(num_layers, "num_layers")):
        hidden = layers.Conv2D(filters * 2**step, 4, strides=2, padding="same")(
            hidden
        )
        hidden = layers.LeakyReLU(0.2)(hidden)
    scores = layers.Dense(1)(layers.Flatten()(hidden))
    return keras.Model([residual, condition], scores, name=name)


def _check_image_shape(image_shape):
    shape = tuple(image_shape) if isinstance(image_shape, (list, tuple)) else ()
    if len(shape) != 3 or not all(
        isinstance(s, int) and not isinstance(s, bool) and s >= 1 for s in shape
    ):
        raise ValueError(
            "`image_shape` must be (height, width, channels) with positive "
            f"ints. Received: image_shape={image_shape!r}."
        )
    return shape
