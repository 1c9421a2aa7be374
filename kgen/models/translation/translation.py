"""What the image-to-image models share: input checks and batched calls."""

from keras import ops

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
