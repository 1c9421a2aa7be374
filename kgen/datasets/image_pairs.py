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
from kgen.utils.validation import check_number

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

    patch_size = check_integer(patch_size, "patch_size", minimum=8)
    stride = check_integer(stride or patch_size, "stride")
    splits = {True: ([], []), False: ([], [])}
    for is_test, photo in _split_photos(names, test_photos, scale):
        edges = feature.canny(color.rgb2gray(photo), sigma=sigma)
        edge_list, photo_list = splits[is_test]
        for row, column in _patch_corners(photo.shape, patch_size, stride):
            window = np.s_[row : row + patch_size, column : column + patch_size]
            edge_list.append(edges[window][..., None])
            photo_list.append(photo[window])
    return tuple(
        (_signed(np.array(e, "float32")), _signed(np.array(p, "float32")))
        for e, p in (splits[False], splits[True])
    )


def motion_blur_pairs(
    patch_size=64,
    scale=0.5,
    min_length=3.0,
    max_length=9.0,
    noise=0.0,
    seed=0,
    test_photos=TEST_PHOTOS,
    names=None,
    stride=None,
):
    """Motion-blurred photo patches, their sharp originals and the kernels.

    A deblurring task with a known answer (DeblurGAN's blurred -> sharp
    pairs). Each photo is downscaled by `scale` (anti-aliased) and cut into
    `patch_size` squares `stride` pixels apart; each patch is blurred by its
    own random linear motion kernel (`motion_blur_kernels`: a length drawn
    uniformly in `[min_length, max_length]` pixels and a direction uniformly
    in [0, 180) degrees), convolved with the photo around the patch (the
    blur of a border pixel comes from the true neighbouring pixels, not
    from padding), then Gaussian noise of standard deviation `noise` (on
    the [0, 1] scale) is added and the result clipped. The split is by
    source photo, as in `edges_to_photos`: no test photo contributes a
    training pixel. The kernels are returned for oracle baselines
    (Wiener or Richardson-Lucy deconvolution with the true kernel).

    Reference: Kupyn et al., "DeblurGAN: Blind Motion Deblurring Using
    Conditional Adversarial Networks", CVPR 2018 (they blur by random
    trajectories; here the kernels are straight lines).

    Args:
        patch_size: int >= 8, side of the square patches.
        scale: float in (0, 1], downscaling factor applied to each photo.
        min_length: float >= 1, shortest blur in pixels (after scaling).
        max_length: float >= `min_length`, longest blur in pixels.
        noise: float >= 0, standard deviation of the added noise.
        seed: seed of the kernels and the noise.
        test_photos: names of the photos of the test split.
        names: photos to use (default: every photo of
            `kgen.datasets.load_photos`).
        stride: int >= 1, distance between patches (default `patch_size`).

    Returns:
        `((blurred_train, sharp_train, kernels_train), (blurred_test,
        sharp_test, kernels_test))`: images of shape `(n, patch_size,
        patch_size, 3)`, float32 in [-1, 1]; kernels `(n, k, k)` float32
        summing to 1, `k = 2 * ceil(max_length / 2) + 1`, such that
        `blurred[i]` is `sharp[i]`'s surroundings convolved with
        `kernels[i]` (before noise).

    Example:

    ```python
    train, test = kgen.datasets.motion_blur_pairs(patch_size=32, scale=0.25)
    blurred, sharp, kernels = train
    ```
    """
    from scipy import signal

    patch_size = check_integer(patch_size, "patch_size", minimum=8)
    stride = check_integer(stride or patch_size, "stride")
    noise = check_number(noise, "noise", low=0)
    kernel_size = _kernel_size(min_length, max_length)
    rng = np.random.default_rng(seed)
    margin = kernel_size // 2
    splits = {True: ([], [], []), False: ([], [], [])}
    for is_test, photo in _split_photos(names, test_photos, scale):
        inner = (photo.shape[0] - 2 * margin, photo.shape[1] - 2 * margin)
        corners = list(_patch_corners(inner, patch_size, stride))
        kernels = motion_blur_kernels(
            len(corners), min_length, max_length, seed=rng, size=kernel_size
        )
        for (row, column), kernel in zip(corners, kernels):
            side = patch_size + 2 * margin
            window = photo[row : row + side, column : column + side]
            blurred = signal.fftconvolve(
                window, kernel[..., None], mode="valid", axes=(0, 1)
            )
            blurred = blurred + noise * rng.standard_normal(blurred.shape)
            lists = splits[is_test]
            lists[0].append(np.clip(blurred, 0.0, 1.0))
            lists[1].append(window[margin:-margin, margin:-margin])
            lists[2].append(kernel)
    return tuple(
        (
            _signed(np.reshape(b, (-1, patch_size, patch_size, 3))),
            _signed(np.reshape(s, (-1, patch_size, patch_size, 3))),
            np.reshape(k, (-1, kernel_size, kernel_size)).astype("float32"),
        )
        for b, s, k in (splits[False], splits[True])
    )


def motion_blur_kernels(
    num_kernels, min_length=3.0, max_length=9.0, seed=0, size=None
):
    """Random linear motion-blur kernels (point spread functions).

    Kernel `i` is a straight segment through the centre of a `size` x
    `size` grid, of length `L_i ~ Uniform(min_length, max_length)` pixels
    and direction `theta_i ~ Uniform(0, 180)` degrees (counter-clockwise
    from the horizontal, rows pointing down), drawn anti-aliased (points
    every 1/8 pixel along the segment, each spread bilinearly over its four
    neighbouring pixels) and normalised to sum 1. Each kernel is symmetric
    about its centre, so convolution and correlation with it agree.

    Args:
        num_kernels: int >= 1.
        min_length: float >= 1, shortest segment in pixels.
        max_length: float >= `min_length`, longest segment in pixels.
        seed: int, `None` or a `numpy.random.Generator`.
        size: odd int, side of the kernels (default
            `2 * ceil(max_length / 2) + 1`, the smallest that holds every
            segment).

    Returns:
        float32 array `(num_kernels, size, size)`, non-negative, each
        summing to 1.

    Example:

    ```python
    kernels = kgen.datasets.motion_blur_kernels(4, 3, 9, seed=0)
    kernels.shape  # (4, 11, 11)
    ```
    """
    num_kernels = check_integer(num_kernels, "num_kernels")
    smallest = _kernel_size(min_length, max_length)
    size = smallest if size is None else check_integer(size, "size")
    if size < smallest or size % 2 == 0:
        raise ValueError(
            f"`size` must be odd and >= {smallest} to hold segments of "
            f"{max_length} pixels. Received: size={size}."
        )
    rng = np.random.default_rng(seed)
    lengths = rng.uniform(min_length, max_length, num_kernels)
    angles = rng.uniform(0.0, np.pi, num_kernels)
    return np.stack(
        [_line_kernel(n, a, size) for n, a in zip(lengths, angles)]
    ).astype("float32")


def _kernel_size(min_length, max_length):
    """The smallest odd kernel side holding segments of `max_length`."""
    if not (np.isfinite(max_length) and 1 <= min_length <= max_length):
        raise ValueError(
            "Blur lengths must satisfy 1 <= min_length <= max_length. "
            f"Received: min_length={min_length}, max_length={max_length}."
        )
    return 2 * int(np.ceil(max_length / 2)) + 1


def _line_kernel(length, angle, size):
    """A normalised anti-aliased segment through the centre of the grid."""
    steps = np.linspace(-length / 2, length / 2, int(np.ceil(8 * length)) + 1)
    center = size // 2
    x = center + steps * np.cos(angle)
    y = center - steps * np.sin(angle)
    kernel = np.zeros((size, size))
    x0, y0 = np.floor(x).astype(int), np.floor(y).astype(int)
    fx, fy = x - x0, y - y0
    for dy, wy in ((0, 1 - fy), (1, fy)):
        for dx, wx in ((0, 1 - fx), (1, fx)):
            rows = np.clip(y0 + dy, 0, size - 1)
            columns = np.clip(x0 + dx, 0, size - 1)
            np.add.at(kernel, (rows, columns), wy * wx)
    return kernel / kernel.sum()


def super_resolution_pairs(
    scale=4,
    patch_size=96,
    photo_scale=1.0,
    test_photos=TEST_PHOTOS,
    names=None,
    stride=None,
):
    """Low-resolution photo patches and their high-resolution originals.

    A super-resolution task with a known answer, built as in the SRGAN
    paper: each photo is downscaled by `photo_scale` (anti-aliased), cropped
    to a multiple of `scale`, and its low-resolution version made by
    `skimage.transform.resize` to `1 / scale` of its size with bicubic
    interpolation and Gaussian anti-aliasing (the photo is resized whole,
    so patch borders see their true neighbours). High-resolution patches of
    `patch_size` pixels, `stride` pixels apart, are paired with the
    aligned low-resolution patches of `patch_size / scale` pixels. The
    split is by source photo, as in `edges_to_photos`: no test photo
    contributes a training pixel.

    Reference: Ledig et al., "Photo-Realistic Single Image Super-Resolution
    Using a Generative Adversarial Network", CVPR 2017 (96x96 patches,
    x4 bicubic downsampling).

    Args:
        scale: int >= 2, the upscaling factor.
        patch_size: int, side of the high-resolution patches, a multiple of
            `scale` with low-resolution patches of at least 2 pixels.
        photo_scale: float in (0, 1], downscaling applied to each photo
            first (a smaller photo puts more of the scene in a patch).
        test_photos: names of the photos of the test split.
        names: photos to use (default: every photo of
            `kgen.datasets.load_photos`).
        stride: distance between patches, a multiple of `scale` (default
            `patch_size`, non-overlapping).

    Returns:
        `((low_train, high_train), (low_test, high_test))`: float32 images
        in [-1, 1], low-resolution `(n, patch_size / scale, patch_size /
        scale, 3)` and high-resolution `(n, patch_size, patch_size, 3)`.

    Example:

    ```python
    (low, high), (low_test, high_test) = kgen.datasets.super_resolution_pairs(
        scale=4, patch_size=32, photo_scale=0.5
    )
    low.shape, high.shape  # (n, 8, 8, 3), (n, 32, 32, 3)
    ```
    """
    from skimage import transform

    scale = check_integer(scale, "scale", minimum=2)
    patch_size = check_integer(patch_size, "patch_size", minimum=2 * scale)
    stride = check_integer(stride or patch_size, "stride")
    for name, value in (("patch_size", patch_size), ("stride", stride)):
        if value % scale:
            raise ValueError(
                f"`{name}` must be a multiple of the scale {scale}, so that "
                f"low-resolution patches align with pixels. Received: "
                f"{name}={value}."
            )
    splits = {True: ([], []), False: ([], [])}
    small = patch_size // scale
    for is_test, photo in _split_photos(names, test_photos, photo_scale):
        rows, columns = (n - n % scale for n in photo.shape[:2])
        photo = photo[:rows, :columns]
        low = transform.resize(
            photo,
            (rows // scale, columns // scale),
            order=3,
            anti_aliasing=True,
        )
        low_list, high_list = splits[is_test]
        for row, column in _patch_corners(photo.shape, patch_size, stride):
            high_list.append(
                photo[row : row + patch_size, column : column + patch_size]
            )
            row, column = row // scale, column // scale
            low_list.append(low[row : row + small, column : column + small])
    return tuple(
        (
            _signed(np.reshape(low, (-1, small, small, 3))),
            _signed(np.reshape(high, (-1, patch_size, patch_size, 3))),
        )
        for low, high in (splits[False], splits[True])
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


def _split_photos(names, test_photos, scale):
    """`(is_test, photo)` for each photo, downscaled, in [0, 1].

    The split by source photo shared by the photo tasks: a photo belongs to
    the test split when its name is in `test_photos`.
    """
    from skimage import transform

    if not 0 < scale <= 1:
        raise ValueError(f"`scale` must be in (0, 1]. Received: scale={scale}.")
    names = list(PHOTOS) if names is None else list(names)
    unknown = sorted(set(test_photos) - set(names))
    if unknown:
        raise ValueError(
            f"`test_photos` {unknown} are not among the photos used {names}."
        )
    for name, photo in load_photos(names).items():
        photo = transform.rescale(
            photo / 255.0, scale, channel_axis=-1, anti_aliasing=True
        )
        yield name in test_photos, photo


def _patch_corners(shape, patch_size, stride):
    for row in range(0, shape[0] - patch_size + 1, stride):
        for column in range(0, shape[1] - patch_size + 1, stride):
            yield row, column


def _signed(images):
    """[0, 1] (or booleans) to float32 in [-1, 1]."""
    return (2.0 * np.asarray(images, "float32") - 1.0).astype("float32")
