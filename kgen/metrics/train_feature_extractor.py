"""Trains a small classifier on the user's own data for offline metrics."""

import keras
import numpy as np

from kgen.datasets.digits import load_digits
from kgen.metrics.feature_extractor import FeatureExtractor
from kgen.utils.validation import check_array
from kgen.utils.validation import check_integer


def train_feature_extractor(
    x=None,
    y=None,
    hidden_units=(256, 64),
    conv_filters=(),
    epochs=60,
    batch_size=64,
    seed=0,
    verbose=0,
):
    """Trains a classifier on labelled data and returns its `FeatureExtractor`.

    A fully connected classifier (dropout between layers) is trained with
    Adam; its last hidden layer (named `"features"`) gives the features of
    the Fréchet and kernel distances and precision/recall, and its softmax
    the classifier score. With no data it trains on the training split of
    `kgen.datasets.load_digits()` (pixels in [0, 1]), so every metric works
    offline: a domain-specific analogue of Inception features, as TF-GAN's
    MNIST classifier. With `conv_filters`, image samples first go through
    3x3 convolutions (ReLU), each followed by 2x2 max pooling: a small
    convolutional classifier, which reaches the >= 99 % MNIST test
    accuracy of TF-GAN's classifier in a few epochs.

    Args:
        x: samples, any shape `(num_samples, ...)`; `None` for digits.
        y: integer class labels `(num_samples,)`.
        hidden_units: sizes of the hidden layers; the last one is the
            feature size.
        conv_filters: filters of the convolution blocks before the dense
            layers (empty: none); needs images `(num_samples, height,
            width, channels)`.
        epochs: training epochs.
        batch_size: training batch size.
        seed: seed of the initialisation and shuffling (set globally with
            `keras.utils.set_random_seed`).
        verbose: verbosity of `fit`.

    Returns:
        A `kgen.metrics.FeatureExtractor` (its `model` is the classifier).

    Example:

    ```python
    extractor = kgen.metrics.train_feature_extractor()
    extractor.predict_classes(x_test[:5])
    ```
    """
    if x is None:
        (x, y), _ = load_digits()
    x = check_array(x, "x")
    if y is None:
        raise ValueError(
            "`train_feature_extractor` needs integer class labels `y` for the samples `x`."
        )
    y = np.asarray(y)
    if (
        y.shape != (len(x),)
        or not np.issubdtype(y.dtype, np.integer)
        or y.min() < 0
    ):
        raise ValueError(
            f"`y` must hold {len(x)} integer class labels >= 0, one per sample. "
            f"Received shape {y.shape}, dtype {y.dtype}."
        )
    epochs = check_integer(epochs, "epochs")
    conv_filters = [check_integer(f, "conv_filters") for f in conv_filters]
    if conv_filters and x.ndim != 4:
        raise ValueError(
            "`conv_filters` needs images of shape (num_samples, height, "
            f"width, channels). Received samples of shape {x.shape}; pass "
            "`conv_filters=()` for a dense classifier."
        )
    keras.utils.set_random_seed(seed)
    inputs = keras.Input(x.shape[1:])
    hidden = inputs
    for filters in conv_filters:
        hidden = keras.layers.Conv2D(
            filters, 3, padding="same", activation="relu"
        )(hidden)
        hidden = keras.layers.MaxPooling2D(2)(hidden)
    hidden = keras.layers.Flatten()(hidden)
    for index, units in enumerate(hidden_units):
        hidden = keras.layers.Dropout(0.2)(hidden)
        name = "features" if index == len(hidden_units) - 1 else None
        hidden = keras.layers.Dense(units, activation="relu", name=name)(hidden)
    outputs = keras.layers.Dense(int(y.max()) + 1)(hidden)
    model = keras.Model(inputs, outputs, name="feature_classifier")
    model.compile(
        optimizer=keras.optimizers.Adam(1e-3),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    model.fit(x, y, epochs=epochs, batch_size=batch_size, verbose=verbose)
    return FeatureExtractor(model, feature_layer="features")
