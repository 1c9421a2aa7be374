"""Digits rendered in several image domains: StarGAN's multi-domain task."""

import numpy as np

from kgen.datasets.digits import load_digits
from kgen.datasets.mnist import load_mnist
from kgen.utils.validation import check_choice
from kgen.utils.validation import check_integer

DIGIT_DOMAINS = (
    "original",
    "thick",
    "thin",
    "inverted",
    "red",
    "green",
    "blue",
)

_COLOURS = {"red": 0, "green": 1, "blue": 2}
_SOURCES = ("digits", "mnist")


def render_digit_domains(images, domains=DIGIT_DOMAINS, image_size=None):
    """Renders grey digits in each of several domains, as RGB images.

    The domains (any of `DIGIT_DOMAINS`, in the order given): `"original"`
    (grey strokes on black), `"thick"` (grey-level morphological dilation
    with a 3x3 cross, `skimage.morphology.dilation`), `"thin"` (erosion
    with a 2x2 square: strokes lose one pixel), `"inverted"` (dark strokes
    on white), and `"red"`, `"green"`, `"blue"` (strokes of that colour on
    black). The morphology runs at the larger of the source and output
    sizes (images are resized first when `image_size` is larger, after
    when smaller; `skimage.transform.resize`, bilinear, anti-aliased), so
    a stroke changes by one pixel at that resolution.

    Args:
        images: grey images `(n, h, w)` or `(n, h, w, 1)`, values in [0, 1].
        domains: names of the domains to render.
        image_size: side of the square output images (default: `h`).

    Returns:
        float32 array `(n, len(domains), size, size, 3)` in [-1, 1].

    Example:

    ```python
    (x, _), _ = kgen.datasets.load_digits(flatten=False)
    rendered = kgen.datasets.render_digit_domains(x[:4], image_size=16)
    rendered.shape  # (4, 7, 16, 16, 3)
    ```
    """
    from skimage import morphology

    domains = _check_domains(domains)
    images = np.asarray(images, "float32")
    if images.ndim == 4 and images.shape[-1] == 1:
        images = images[..., 0]
    if images.ndim != 3 or images.shape[1] != images.shape[2]:
        raise ValueError(
            "`images` must be square grey images of shape (n, h, w) or "
            f"(n, h, w, 1). Received shape {images.shape}."
        )
    if images.min() < 0 or images.max() > 1:
        raise ValueError(
            f"`images` must lie in [0, 1]. Received values in "
            f"[{images.min():g}, {images.max():g}]."
        )
    size = check_integer(image_size or images.shape[1], "image_size")
    work = max(size, images.shape[1])
    images = _resize(images, work)
    footprints = {
        "thick": morphology.disk(1),
        "thin": np.ones((2, 2), bool),
    }
    rendered = []
    for domain in domains:
        grey = images
        if domain == "thick":
            grey = _each(morphology.dilation, images, footprints[domain])
        elif domain == "thin":
            grey = _each(morphology.erosion, images, footprints[domain])
        grey = _resize(grey, size)
        if domain == "inverted":
            grey = 1.0 - grey
        if domain in _COLOURS:
            rgb = np.zeros((*grey.shape, 3), "float32")
            rgb[..., _COLOURS[domain]] = grey
        else:
            rgb = np.repeat(grey[..., None], 3, axis=-1)
        rendered.append(rgb)
    return (2.0 * np.stack(rendered, axis=1) - 1.0).astype("float32")


def digit_domains(
    source="digits",
    path=None,
    image_size=16,
    num_train=None,
    num_test=300,
    domains=DIGIT_DOMAINS,
    seed=0,
):
    """StarGAN's digit task: the same digits rendered in several domains.

    Digits (scikit-learn's embedded 8x8 digits, or MNIST) are rendered by
    `render_digit_domains` as RGB images in [-1, 1]. The split is by source
    digit image: the test digits are disjoint from the training digits
    (for MNIST, its test set). Each training digit appears once, in one
    domain drawn uniformly at random, so the training set holds no pair of
    renderings of one digit (translation is learnt unpaired); each test
    digit appears in every domain, source-major (`x_test[i * D + d]` is
    test digit `i` in domain `d`, with `D = len(domains)`), so a
    translation can be scored against the true rendering.

    Reference: Choi et al., "StarGAN: Unified Generative Adversarial
    Networks for Multi-Domain Image-to-Image Translation", CVPR 2018.

    Args:
        source: `"digits"` (offline, 1,797 images) or `"mnist"`.
        path: MNIST file or folder, as for `kgen.datasets.load_mnist`.
        image_size: side of the square images.
        num_train: int >= 1 training digits, or `None` for every digit not
            in the test set (for MNIST, its 60,000 training digits).
        num_test: int >= 1 test digits.
        domains: names of the domains, a subset of `DIGIT_DOMAINS`; domain
            labels index this tuple.
        seed: seed of the split and of the training domains.

    Returns:
        `((x_train, domains_train, digits_train), (x_test, domains_test,
        digits_test))`: images `(n, image_size, image_size, 3)` float32 in
        [-1, 1], domain labels and digit labels, int64 `(n,)`.

    Example:

    ```python
    (x, d, y), (x_test, d_test, y_test) = kgen.datasets.digit_domains()
    x.shape, x_test.shape  # (1497, 16, 16, 3) (2100, 16, 16, 3)
    ```
    """
    check_choice(source, "source", _SOURCES)
    domains = _check_domains(domains)
    num_test = check_integer(num_test, "num_test")
    rng = np.random.default_rng(seed)
    (x_train, y_train), (x_test, y_test) = _source_digits(
        source, path, num_test, rng
    )
    if num_train is not None:
        num_train = check_integer(num_train, "num_train")
        if num_train > len(x_train):
            raise ValueError(
                f"`num_train` must be at most {len(x_train)}, the training "
                f"{source} digits. Received: num_train={num_train}."
            )
        order = rng.permutation(len(x_train))[:num_train]
        x_train, y_train = x_train[order], y_train[order]
    train_domains = rng.integers(len(domains), size=len(x_train))
    rendered = render_digit_domains(x_train, domains, image_size)
    train = (
        rendered[np.arange(len(x_train)), train_domains],
        train_domains.astype("int64"),
        y_train.astype("int64"),
    )
    rendered = render_digit_domains(x_test, domains, image_size)
    test = (
        rendered.reshape(-1, *rendered.shape[2:]),
        np.tile(np.arange(len(domains)), len(x_test)).astype("int64"),
        np.repeat(y_test, len(domains)).astype("int64"),
    )
    return train, test


def domain_translation_pairs(x_test, num_domains, seed=0):
    """Test translations with known answers, from `digit_domains`' test set.

    Each test digit (rendered in every domain, source-major, as
    `digit_domains` returns it) is taken in one source domain drawn at
    random, and paired with its true rendering in every other domain.

    Args:
        x_test: images `(num_digits * num_domains, h, w, c)`.
        num_domains: int >= 2, the number of domains.
        seed: seed of the source domains.

    Returns:
        `(inputs, sources, targets, truth, digit)`: input images, their
        source and target domains (int64), the true renderings in the
        target domains, and the index of the test digit of each pair;
        `num_digits * (num_domains - 1)` pairs.

    Example:

    ```python
    _, (x_test, _, _) = kgen.datasets.digit_domains()
    inputs, _, targets, truth, _ = kgen.datasets.domain_translation_pairs(
        x_test, 7
    )
    ```
    """
    num_domains = check_integer(num_domains, "num_domains", minimum=2)
    x_test = np.asarray(x_test)
    if len(x_test) % num_domains:
        raise ValueError(
            f"`x_test` must hold every test digit in each of the "
            f"{num_domains} domains, so a multiple of {num_domains} images. "
            f"Received {len(x_test)}."
        )
    rendered = x_test.reshape(-1, num_domains, *x_test.shape[1:])
    rng = np.random.default_rng(seed)
    sources = rng.integers(num_domains, size=len(rendered))
    digit = np.repeat(np.arange(len(rendered)), num_domains)
    targets = np.tile(np.arange(num_domains), len(rendered))
    keep = targets != sources[digit]
    digit, targets = digit[keep], targets[keep]
    return (
        rendered[digit, sources[digit]],
        sources[digit].astype("int64"),
        targets.astype("int64"),
        rendered[digit, targets],
        digit,
    )


def _source_digits(source, path, num_test, rng):
    """Grey digits in [0, 1], `(n, h, w)`, split into train and test."""
    if source == "digits":
        (x, y), _ = load_digits(test_size=0, flatten=False)
        if num_test >= len(x):
            raise ValueError(
                f"`num_test` must be below the {len(x)} digits. Received: "
                f"num_test={num_test}."
            )
        order = rng.permutation(len(x))
        test, train = order[:num_test], order[num_test:]
        return (x[train, ..., 0], y[train]), (x[test, ..., 0], y[test])
    (x_train, y_train), (x_test, y_test) = load_mnist(path, flatten=False)
    if num_test > len(x_test):
        raise ValueError(
            f"`num_test` must be at most MNIST's {len(x_test)} test digits. "
            f"Received: num_test={num_test}."
        )
    test = rng.permutation(len(x_test))[:num_test]
    x_train = x_train.reshape(-1, 28, 28)
    x_test = x_test.reshape(-1, 28, 28)[test]
    return (x_train, y_train), (x_test, y_test[test])


def _check_domains(domains):
    domains = tuple(domains)
    unknown = [d for d in domains if d not in DIGIT_DOMAINS]
    if unknown or len(set(domains)) != len(domains) or len(domains) < 2:
        raise ValueError(
            f"`domains` must be two or more distinct names among "
            f"{DIGIT_DOMAINS}. Received: domains={domains}."
        )
    return domains


def _each(operation, images, footprint):
    """`operation` on each image at once (a footprint of depth 1)."""
    return operation(images, footprint[None])


def _resize(images, size):
    from skimage import transform

    if images.shape[1] == size:
        return images
    resized = transform.resize(
        images,
        (len(images), size, size),
        order=1,
        anti_aliasing=size < images.shape[1],
    )
    return resized.astype("float32")
