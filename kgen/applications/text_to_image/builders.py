"""Builders of the text-to-image networks: encoders, generator, discriminator.

The generator and the matching-aware discriminator follow Reed et al.'s
GAN-INT-CLS design: the caption embedding is compressed by a dense layer
with a leaky ReLU, concatenated to the noise in the generator (then a DCGAN
stack of transposed convolutions), and in the discriminator tiled over its
4x4 feature map after the convolutions, where a 1x1 convolution mixes image
and text before the score.

Reference: Reed et al., "Generative Adversarial Text to Image Synthesis",
ICML 2016.
"""

import math

import keras
from keras import layers

from kgen.utils.validation import check_integer


def build_text_encoder(
    vocabulary_size,
    max_length,
    output_dim=64,
    word_dim=64,
    units=128,
    cell="gru",
    name="text_encoder",
):
    """Builds a caption encoder: word embeddings, a recurrent layer, a dense map.

    Word ids (0 = padding, masked) are embedded, read by a GRU or LSTM whose
    last state goes through a dense layer to the joint embedding space.

    Args:
        vocabulary_size: int >= 3, number of word ids (see
            `CaptionTokenizer.vocabulary_size`).
        max_length: int >= 1, ids per caption.
        output_dim: int >= 1, size of the caption embedding.
        word_dim: int >= 1, size of the word embeddings.
        units: int >= 1, units of the recurrent layer.
        cell: `"gru"` or `"lstm"`.
        name: model name.

    Returns:
        A functional `keras.Model` from int ids `(batch, max_length)` to
        embeddings `(batch, output_dim)`.

    Example:

    ```python
    encoder = build_text_encoder(tokenizer.vocabulary_size, 16)
    ```
    """
    recurrent = {"gru": layers.GRU, "lstm": layers.LSTM}.get(cell)
    if recurrent is None:
        raise ValueError(
            f"`cell` must be 'gru' or 'lstm'. Received: cell={cell!r}."
        )
    ids = keras.Input((check_integer(max_length, "max_length"),), dtype="int32")
    words = layers.Embedding(
        check_integer(vocabulary_size, "vocabulary_size", 3),
        check_integer(word_dim, "word_dim"),
        mask_zero=True,
    )(ids)
    state = recurrent(check_integer(units, "units"))(words)
    outputs = layers.Dense(check_integer(output_dim, "output_dim"))(state)
    return keras.Model(ids, outputs, name=name)


def build_image_encoder(
    image_shape, output_dim=64, filters=(16, 32, 64), name="image_encoder"
):
    """Builds an image encoder for the joint embedding: stride-2 convolutions.

    Args:
        image_shape: `(height, width, channels)`.
        output_dim: int >= 1, size of the image embedding.
        filters: filters of the stride-2 convolutions (ReLU), one per halving.
        name: model name.

    Returns:
        A functional `keras.Model` from images to `(batch, output_dim)`.

    Example:

    ```python
    encoder = build_image_encoder((32, 32, 3))
    ```
    """
    images = keras.Input(_check_image_shape(image_shape))
    hidden = images
    for count in filters:
        hidden = layers.Conv2D(
            check_integer(count, "filters"), 3, strides=2, padding="same"
        )(hidden)
        hidden = layers.ReLU()(hidden)
    hidden = layers.Flatten()(hidden)
    outputs = layers.Dense(check_integer(output_dim, "output_dim"))(hidden)
    return keras.Model(images, outputs, name=name)


def build_text_conditioned_generator(
    latent_dim,
    embedding_dim,
    image_shape,
    base_filters=32,
    condition_units=64,
    name="generator",
):
    """Builds a GAN-INT-CLS generator: `[z, caption embedding]` to an image.

    Args:
        latent_dim: int >= 1, size of `z`.
        embedding_dim: int >= 1, size of the caption embedding.
        image_shape: `(height, width, channels)`; height and width multiples
            of 8 work best (the map is 4x4 before the upsampling steps, and
            the output is cropped otherwise).
        base_filters: filters of the last transposed convolution; each
            earlier one has twice as many.
        condition_units: size of the compressed caption embedding.
        name: model name.

    Returns:
        A functional `keras.Model` with sigmoid outputs in [0, 1].

    Example:

    ```python
    generator = build_text_conditioned_generator(32, 64, (32, 32, 3))
    ```
    """
    height, width, channels = _check_image_shape(image_shape)
    steps = _steps(height, width)
    start = (math.ceil(height / 2**steps), math.ceil(width / 2**steps))
    z = keras.Input((check_integer(latent_dim, "latent_dim"),), name="latent")
    text = keras.Input(
        (check_integer(embedding_dim, "embedding_dim"),), name="caption"
    )
    condition = layers.Dense(check_integer(condition_units, "condition_units"))(
        text
    )
    hidden = layers.Concatenate()([z, layers.LeakyReLU(0.2)(condition)])
    filters = check_integer(base_filters, "base_filters") * 2 ** (steps - 1)
    hidden = layers.Dense(start[0] * start[1] * filters, use_bias=False)(hidden)
    hidden = layers.ReLU()(layers.BatchNormalization()(hidden))
    hidden = layers.Reshape((*start, filters))(hidden)
    for step in range(steps):
        hidden = layers.Conv2DTranspose(
            base_filters * 2 ** (steps - 1 - step),
            4,
            strides=2,
            padding="same",
            use_bias=False,
        )(hidden)
        hidden = layers.ReLU()(layers.BatchNormalization()(hidden))
    images = layers.Conv2D(channels, 3, padding="same", activation="sigmoid")(
        hidden
    )
    extra = (start[0] * 2**steps - height, start[1] * 2**steps - width)
    if any(extra):
        images = layers.Cropping2D(((0, extra[0]), (0, extra[1])))(images)
    return keras.Model([z, text], images, name=name)


def build_matching_discriminator(
    image_shape,
    embedding_dim,
    base_filters=32,
    condition_units=64,
    name="discriminator",
):
    """Builds a matching-aware discriminator: `[image, caption]` to a score.

    Stride-2 convolutions (LeakyReLU 0.2, batch normalisation after the
    first) down to a map of about 4x4, the compressed caption tiled over it
    and concatenated, a 1x1 convolution, then one raw score: high for real
    images with a caption that matches them.

    Args:
        image_shape: `(height, width, channels)`.
        embedding_dim: int >= 1, size of the caption embedding.
        base_filters: filters of the first convolution, doubled at each step.
        condition_units: size of the compressed caption embedding.
        name: model name.

    Returns:
        A functional `keras.Model` returning scores `(batch, 1)`.

    Example:

    ```python
    discriminator = build_matching_discriminator((32, 32, 3), 64)
    ```
    """
    height, width, _ = _check_image_shape(image_shape)
    images = keras.Input((height, width, image_shape[-1]), name="samples")
    text = keras.Input(
        (check_integer(embedding_dim, "embedding_dim"),), name="caption"
    )
    hidden = images
    base_filters = check_integer(base_filters, "base_filters")
    for step in range(_steps(height, width)):
        hidden = layers.Conv2D(
            base_filters * 2**step, 4, strides=2, padding="same"
        )(hidden)
        if step:
            hidden = layers.BatchNormalization()(hidden)
        hidden = layers.LeakyReLU(0.2)(hidden)
    units = check_integer(condition_units, "condition_units")
    condition = layers.LeakyReLU(0.2)(layers.Dense(units)(text))
    condition = layers.Reshape((1, 1, units))(condition)
    condition = layers.UpSampling2D(tuple(hidden.shape[1:3]))(condition)
    hidden = layers.Concatenate()([hidden, condition])
    hidden = layers.Conv2D(hidden.shape[-1] - units, 1)(hidden)
    hidden = layers.LeakyReLU(0.2)(hidden)
    scores = layers.Dense(1)(layers.Flatten()(hidden))
    return keras.Model([images, text], scores, name=name)


def _steps(height, width):
    return max(1, int(math.log2(min(height, width) / 4)))


def _check_image_shape(image_shape):
    shape = tuple(image_shape) if isinstance(image_shape, (tuple, list)) else ()
    if len(shape) != 3 or not all(
        isinstance(s, int) and not isinstance(s, bool) and s >= 1 for s in shape
    ):
        raise ValueError(
            "`image_shape` must be (height, width, channels) of positive "
            f"ints. Received: image_shape={image_shape!r}."
        )
    return shape
