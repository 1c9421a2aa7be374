"""Image-to-image tasks with known answers, built from real images.

Paired translation sets (facades, edges2shoes) cannot be downloaded
everywhere; these helpers build tasks whose ground truth is known from the
photos bundled with kgen's dependencies and from MNIST. Every image is
scaled to [-1, 1], the range of the translation generators' tanh output.
"""

import numpy as np

from kgen.datasets.mnist import load_mnist
from kgen.datasets.photos import PHOTOS
from kgen.datasets.photos import load_photos
from kgen.utils.validation import check_integer

# Test photos of `edges_to_photos`: three unrelated scenes. The two
# motorcycle photos are a stereo pair, so they stay on the same side.
TEST_PHOTOS = ("chelsea", "coffee", "rocket")


def edges_to_photos(
    patch_size=64,
    scale=0.5,
    sigma=2.0,
    test_photos=TEST_PHOTOS,
    names=None,
    stride=None,
):
    """Edge maps and the photo patches they come from (Pix2Pix's edges2photo).

    Each photo is downscaled by `scale` (anti-aliased), its edges are found
    by the Canny detector (`skimage.feature.canny` on the grey levels, with
    Gaussian smoothing `sigma`), and both are cut into `patch_size` squares
    `stride` pixels apart (non-overlapping by default). The split is by source photo: no test photo
    contributes a training pixel.

    Reference: Isola et al., "Image-to-Image Translation with Conditional
    Adversarial Networks", CVPR 2017 (edges2shoes, edges2handbags); Canny,
    "A Computational Approach to Edge Detection", 1986.

    Args:
        patch_size: int >= 8, side of the square patches.
        scale: float in (0, 1], downscaling factor applied to each photo.
        sigma: standard deviation of the Canny detector's smoothing.
        test_photos: names of the photos of the test split.
        names: photos to use (default: every photo of
            `kgen.datasets.load_photos`).
        stride: int >= 1, distance between patches (default `patch_size`).

    Returns:
        `((edges_train, photos_train), (edges_test, photos_test))`: edges of
        shape `(n, patch_size, patch_size, 1)` (1 on an edge, -1 elsewhere)
        and photos `(n, patch_size, patch_size, 3)`, float32 in [-1, 1].

    Example:

    ```python
    (e_train, p_train), (e_test, p_test) = kgen.datasets.edges_to_photos()
    ```
    """
    from skimage import color
    from skimage import feature
    from skimage import transform

    patch_size = check_integer(patch_size, "patch_size", minimum=8)
    stride = check_integer(stride or patch_size, "stride")
    if not 0 < scale <= 1:
        raise ValueError(f"`scale` must be in (0, 1]. Received: scale={scale}.")
    names = list(PHOTOS) if names is None else list(names)
    unknown = sorted(set(test_photos) - set(names))
    if unknown:
        raise ValueError(
            f"`test_photos` {unknown} are not among the photos used {names}."
        )
    splits = {True: ([], []), False: ([], [])}
    for name, photo in load_photos(names).items():
        photo = transform.rescale(
            photo / 255.0, scale, channel_axis=-1, anti_aliasing=True
        )
        edges = feature.canny(color.rgb2gray(photo), sigma=sigma)
        edge_list, photo_list = splits[name in test_photos]
        for row, column in _patch_corners(photo.shape, patch_size, stride):
            window = np.s_[row : row + patch_size, column : column + patch_size]
            edge_list.append(edges[window][..., None])
            photo_list.append(photo[window])
    return tuple(
        (_signed(np.array(e, "float32")), _signed(np.array(p, "float32")))
        for e, p in (splits[False], splits[True])
    )


def thin_to_thick_digits(
    path=None, num_train=2000, num_test=500, radius=1, seed=0
):
    """MNIST digits and their thicker strokes, for unpaired translation.

    Domain A holds MNIST digits, domain B digits whose strokes are thickened
    by grey-level morphological dilation with a disc of `radius`
    (`skimage.morphology.dilation`). The training sets of the two domains
    come from two disjoint halves of MNIST's training digits, so no
    training image of A has its thick counterpart in B (truly unpaired, as
    CycleGAN assumes); the test set pairs MNIST test digits with their
    known thick version, to score translations against the answer.

    Args:
        path: MNIST file or folder, as for `kgen.datasets.load_mnist`.
        num_train: int >= 1, training images per domain (at most 30,000).
        num_test: int >= 1, test pairs (at most 10,000).
        radius: int >= 1, radius of the dilation disc.
        seed: seed of the random choice of digits.

    Returns:
        `((thin_train, thick_train), (thin_test, thick_test))`, float32
        arrays `(n, 28, 28, 1)` in [-1, 1]; `thin_train` and `thick_train`
        show different digits, `thin_test[i]` and `thick_test[i]` the same.

    Example:

    ```python
    (a, b), (test_a, test_b) = kgen.datasets.thin_to_thick_digits()
    ```
    """
    num_train = check_integer(num_train, "num_train")
    num_test = check_integer(num_test, "num_test")
    radius = check_integer(radius, "radius")
    if num_train > 30000 or num_test > 10000:
        raise ValueError(
            "MNIST has 30,000 training digits per domain and 10,000 test "
            f"digits. Received: num_train={num_train}, num_test={num_test}."
        )
    (x_train, _), (x_test, _) = load_mnist(path, flatten=False)
    x_train, x_test = x_train.reshape(-1, 28, 28), x_test.reshape(-1, 28, 28)
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(x_train))
    thin_train = x_train[order[:num_train]]
    thick_train = _dilate(x_train[order[30000 : 30000 + num_train]], radius)
    test = x_test[rng.permutation(len(x_test))[:num_test]]
    return (
        (_signed(thin_train[..., None]), _signed(thick_train[..., None])),
        (_signed(test[..., None]), _signed(_dilate(test, radius)[..., None])),
    )


def _dilate(images, radius):
    from skimage import morphology

    disc = morphology.disk(radius)
    return np.stack([morphology.dilation(image, disc) for image in images])


def _patch_corners(shape, patch_size, stride):
    for row in range(0, shape[0] - patch_size + 1, stride):
        for column in range(0, shape[1] - patch_size + 1, stride):
            yield row, column


def _signed(images):
    """[0, 1] (or booleans) to float32 in [-1, 1]."""
    return (2.0 * np.asarray(images, "float32") - 1.0).astype("float32")
