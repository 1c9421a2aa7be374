"""What the image-to-image models share: input checks and batched calls."""

import keras
from keras import ops

from kgen import backend
from kgen.utils.serialization import deserialize_network
from kgen.utils.validation import check_array
from kgen.utils.validation import check_integer
from kgen.utils.validation import is_array

RANGE_HINT = (
    "The generators end in tanh: scale images to [-1, 1], e.g. "
    "`x / 127.5 - 1` for 8-bit images or `2 * x - 1` for [0, 1]."
)


def image_shape(network, name):
    """The image shape a network takes, checked to be `(h, w, c)`."""
    shape = tuple(network.inputs[0].shape[1:]) if _has_inputs(network) else ()
    if len(shape) != 3 or None in shape:
        raise ValueError(
            f"The {name} must be a functional model taking images of a fixed "
            f"shape (height, width, channels). Received input shape {shape}. "
            "Build it with `kgen.models.build_unet_generator`, "
            "`build_resnet_generator` or `build_patchgan_discriminator`."
        )
    return shape


def _has_inputs(network):
    try:
        return bool(network.inputs)
    except (AttributeError, ValueError):
        return False


def check_images(images, shape, name):
    """Checks a batch of images against `shape` and the [-1, 1] range."""
    if is_array(images):
        return check_array(
            images,
            name,
            feature_shape=shape,
            low=-1.0,
            high=1.0,
            range_hint=RANGE_HINT,
        )
    return images


def translate(network, images, shape, batch_size):
    """`network(images)` in inference mode, in batches, as a NumPy array."""
    images = check_images(images, shape, "images")
    batch_size = check_integer(batch_size, "batch_size")
    return network.predict(images, batch_size=batch_size, verbose=0)


def mean_absolute_error(a, b):
    """Mean of `|a - b|` over every element."""
    return ops.mean(ops.abs(a - b))


def feature_loss(extractor, images, targets, loss):
    """`loss` between the features of `images` and of `targets`.

    Args:
        extractor: a fixed feature network, or `None` for the pixels.
        images: the batch the gradient flows through.
        targets: the reference batch (its features carry no gradient).
        loss: `loss(a, b)` of two feature tensors, a scalar.

    Returns:
        The loss, averaged over the extractor's outputs if it has several.
    """
    if extractor is None:
        return loss(images, targets)
    features = keras.tree.flatten(extractor(images, training=False))
    reference = keras.tree.flatten(
        backend.without_gradient(extractor, targets, training=False)
    )
    losses = [loss(a, b) for a, b in zip(features, reference)]
    return sum(losses) / len(losses)


def fixed_feature_extractor(extractor, image_shape):
    """A content loss's feature network: deserialised, frozen and checked.

    Args:
        extractor: `None`, a Keras model or its serialised config.
        image_shape: the `(h, w, c)` images it must take.

    Returns:
        The model with `trainable = False`, or `None`.
    """
    if extractor is None:
        return None
    extractor = deserialize_network(extractor, "feature_extractor")
    extractor.trainable = False
    _check_extractor(extractor, image_shape)
    return extractor


def _check_extractor(extractor, image_shape):
    """Calls the extractor on one image batch; a clear error if it fails."""
    expected = f"images of shape {image_shape}"
    try:
        inputs = extractor.inputs
    except (AttributeError, ValueError):  # subclassed: no symbolic inputs
        inputs = None
    if inputs:
        received = tuple(inputs[0].shape[1:])
        if len(received) != len(image_shape) or any(
            r is not None and r != e for r, e in zip(received, image_shape)
        ):
            raise ValueError(
                f"The feature extractor must take {expected} (the "
                f"generator's), in [-1, 1]. Received a model with input "
                f"shape {received}. Build it on "
                f"`keras.Input({image_shape})`, resizing or preprocessing "
                "inside it if needed."
            )
    try:
        extractor(ops.zeros((1, *image_shape)), training=False)
    except Exception as error:  # any failure: say what it was called with
        raise ValueError(
            f"The feature extractor failed on a batch of {expected}: "
            f"{type(error).__name__}: {error}"
        ) from error
