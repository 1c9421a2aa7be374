"""Seeded watermarked / clean image pairs built from the bundled photos."""

import functools
import typing

import numpy as np

from kgen.applications.watermark.compositing import composite
from kgen.datasets.image_pairs import TEST_PHOTOS
from kgen.datasets.photos import PHOTOS
from kgen.datasets.photos import load_photos
from kgen.utils.validation import check_choice
from kgen.utils.validation import check_integer

KINDS = ("logo", "text", "shape")
"""The kinds of watermarks `make_watermark_pairs` draws (see
`draw_watermark`)."""
SPLITS = ("train", "test")
# Words of the text watermarks (ASCII: every font renders them).
WORDS = (
    "(c) kgen",
    "SAMPLE",
    "PREVIEW",
    "DRAFT",
    "kgen 2026",
    "STOCK",
    "COPYRIGHT",
    "PROOF",
    "(c) 2026",
    "WATERMARK",
)
SHAPES = ("disk", "ring", "rectangle", "frame", "triangle", "ellipse")


class WatermarkPairs(typing.NamedTuple):
    """Watermarked images with everything that made them.

    Every array is float32 with values in [0, 1];
    `watermarked = composite(clean, watermark, mask, alpha)` up to the
    8-bit rounding of `watermarked`.

    Attributes:
        watermarked: `(n, height, width, 3)`, the inputs `J`.
        clean: `(n, height, width, 3)`, the clean backgrounds `I`.
        mask: `(n, height, width, 1)`, the watermark shapes `M` (soft on
            anti-aliased edges); `mask > 0` is the region the watermark
            touches, which removers predict and metrics score inside.
        alpha: `(n,)`, the opacities.
        watermark: `(n, height, width, 3)`, the watermark colours `W`
            (0 where `mask` is 0).
    """

    watermarked: np.ndarray
    clean: np.ndarray
    mask: np.ndarray
    alpha: np.ndarray
    watermark: np.ndarray


def make_watermark_pairs(
    num_pairs,
    image_size=64,
    split="train",
    seed=0,
    kinds=KINDS,
    alpha_range=(0.3, 0.8),
    size_range=(0.3, 0.9),
    scale=0.5,
    test_photos=TEST_PHOTOS,
    names=None,
):
    """Makes seeded watermark-removal pairs from the bundled photos.

    Each pair takes a random crop of `image_size` from one photo of the
    split (photos downscaled by `scale`, anti-aliased; training crops
    flipped left-right at random), draws a watermark of one of `kinds` and
    blends it with `composite`:

    - `"logo"`: the scikit-image logo (`skimage.data.logo()`), in its own
      colours or in one random colour, its white background transparent;
    - `"text"`: a word of `WORDS` in Pillow's default font
      (`PIL.ImageFont.load_default`), rotated by up to 30 degrees;
    - `"shape"`: a disk, ring, rectangle, frame, triangle or ellipse drawn
      with `skimage.draw`.

    The watermark's longer side is a uniform fraction `size_range` of the
    image's shorter side, its position uniform with the whole watermark
    inside the image, its colour uniform in RGB, its opacity uniform in
    `alpha_range` (both ends within [0, 1)). The watermarked images are
    rounded to 8 bits, as saved images are, so the oracle inverse blend is
    exact only up to that rounding.

    The split is by photo: the `test_photos` (by default those of
    `kgen.datasets.edges_to_photos`) give the `"test"` pairs, the others the
    `"train"` pairs, so no test photo contributes a training pixel. The
    same `seed` gives the same pairs.

    Reference:
        Liu et al., "WDNet: Watermark-Decomposition Network for Visible
        Watermark Removal", WACV 2021 (the LVW/CLWD style of synthesis);
        Liang et al., "Visible Watermark Removal via Self-calibrated
        Localization and Background Refinement" (SLBR), ACM MM 2021.

    Args:
        num_pairs: int >= 1.
        image_size: int or `(height, width)`, each >= 8, at most the
            smallest downscaled photo of the split.
        split: `"train"` or `"test"`.
        seed: int, seed of every random choice.
        kinds: non-empty subset of `KINDS`.
        alpha_range: `(low, high)` opacities, `0 < low <= high < 1`.
        size_range: `(low, high)` watermark sizes as fractions of the
            image's shorter side, `0 < low <= high <= 1`.
        scale: float in (0, 1], downscaling of the photos.
        test_photos: names of the test photos.
        names: photos to use (default: all of `kgen.datasets.PHOTOS`).

    Returns:
        A `WatermarkPairs` of `num_pairs` pairs.

    Example:

    ```python
    from kgen.applications import watermark
    train = watermark.make_watermark_pairs(2000, image_size=64, seed=0)
    test = watermark.make_watermark_pairs(100, split="test", seed=1)
    train.watermarked.shape  # (2000, 64, 64, 3)
    ```
    """
    num_pairs = check_integer(num_pairs, "num_pairs")
    height, width = _check_size(image_size)
    kinds = _check_kinds(kinds)
    alpha_range = _check_range(alpha_range, "alpha_range", high_open=True)
    size_range = _check_range(size_range, "size_range", high_open=False)
    if not 0 < scale <= 1:
        raise ValueError(f"`scale` must be in (0, 1]. Received: scale={scale}.")
    photos = _split_photos(split, test_photos, names, scale, height, width)
    rng = np.random.default_rng(seed)
    arrays = [
        _pair(rng, photos, height, width, kinds, alpha_range, size_range, split)
        for _ in range(num_pairs)
    ]
    clean, watermark, mask, alpha = (np.stack(a) for a in zip(*arrays))
    marked = composite(clean, watermark, mask, alpha[:, None, None, None])
    return WatermarkPairs(
        _to_8_bits(marked), clean, mask, alpha.astype("float32"), watermark
    )


def draw_watermark(kind, size, rng):
    """Draws one watermark: its colours and its shape.

    Args:
        kind: one of `KINDS`.
        size: `(height, width)` of the box the watermark fills (its aspect
            ratio is kept: one side fills the box).
        rng: a `numpy.random.Generator`.

    Returns:
        `(colours, shape)`: float32 arrays `(height, width, 3)` and
        `(height, width)` in [0, 1], the shape rounded to 8 bits and the
        colours 0 off the shape.
    """
    size = tuple(int(s) for s in size)
    colour = rng.uniform(0.0, 1.0, size=3).astype("float32")
    if kind == "logo":
        colours, shape = _logo(size)
        if rng.random() < 0.5:
            colours = np.broadcast_to(colour, colours.shape)
    elif kind == "text":
        shape = _text(size, rng)
        colours = np.broadcast_to(colour, (*size, 3))
    elif kind == "shape":
        shape = _shape(size, rng)
        colours = np.broadcast_to(colour, (*size, 3))
    else:
        raise ValueError(f"`kind` must be one of {KINDS}. Received: {kind!r}.")
    shape = _to_8_bits(shape)
    return (colours * (shape > 0)[..., None]).astype("float32"), shape


# ---------------------------------------------------------------- one pair


def _pair(rng, photos, height, width, kinds, alpha_range, size_range, split):
    photo = photos[rng.integers(len(photos))]
    row = rng.integers(photo.shape[0] - height + 1)
    column = rng.integers(photo.shape[1] - width + 1)
    clean = photo[row : row + height, column : column + width]
    if split == "train" and rng.random() < 0.5:
        clean = clean[:, ::-1]
    side = max(4, round(rng.uniform(*size_range) * min(height, width)))
    aspect = rng.uniform(0.5, 2.0)
    box = (
        (side, max(4, min(width, round(side * aspect))))
        if aspect >= 1
        else (max(4, round(side * aspect)), side)
    )
    colours, shape = draw_watermark(kinds[rng.integers(len(kinds))], box, rng)
    top = rng.integers(height - box[0] + 1)
    left = rng.integers(width - box[1] + 1)
    watermark = np.zeros((height, width, 3), "float32")
    mask = np.zeros((height, width, 1), "float32")
    window = np.s_[top : top + box[0], left : left + box[1]]
    watermark[window] = colours
    mask[window] = shape[..., None]
    alpha = rng.uniform(*alpha_range)
    return np.ascontiguousarray(clean), watermark, mask, alpha


# ---------------------------------------------------------------- drawing


@functools.cache
def _logo_source():
    """The logo as PIL images: its colours and its shape (opacity)."""
    import skimage.data
    from PIL import Image

    logo = skimage.data.logo()[..., :3]
    # The background is white: opacity grows with the distance from white.
    shape = np.clip(5.0 * (255.0 - logo.min(axis=-1)), 0.0, 255.0)
    rows, columns = np.nonzero(shape)
    window = np.s_[
        rows.min() : rows.max() + 1, columns.min() : columns.max() + 1
    ]
    # Shrunk once to 256 pixels: watermarks are smaller, and resizing from
    # 500 pixels dominated the generator's time.
    return tuple(
        image.reduce(2)
        for image in (
            Image.fromarray(np.ascontiguousarray(logo[window])),
            Image.fromarray(shape[window].astype("uint8")),
        )
    )


def _logo(size):
    colours, shape = _logo_source()
    height, width = _fit_box((shape.height, shape.width), size)
    return tuple(
        _pad_to(_resized(image, height, width), size)
        for image in (colours, shape)
    )


def _resized(image, height, width):
    """A PIL image resized (Lanczos) as float32 in [0, 1]."""
    from PIL import Image

    resized = image.resize((width, height), Image.LANCZOS)
    return np.asarray(resized, "float32") / 255.0


def _text(size, rng):
    from PIL import Image
    from PIL import ImageDraw
    from PIL import ImageFont

    word = WORDS[rng.integers(len(WORDS))]
    font = ImageFont.load_default(size=48)
    left, top, right, bottom = font.getbbox(word)
    canvas = Image.new("L", (right - left + 8, bottom - top + 8))
    ImageDraw.Draw(canvas).text((4 - left, 4 - top), word, fill=255, font=font)
    canvas = canvas.rotate(
        rng.uniform(-30.0, 30.0), resample=Image.BILINEAR, expand=True
    )
    canvas = canvas.crop(canvas.getbbox())
    height, width = _fit_box((canvas.height, canvas.width), size)
    return _pad_to(_resized(canvas, height, width), size)


def _shape(size, rng):
    from skimage import draw

    height, width = size
    canvas = np.zeros(size, "float32")
    kind = SHAPES[rng.integers(len(SHAPES))]
    center = ((height - 1) / 2, (width - 1) / 2)
    thickness = max(1.0, 0.15 * min(size))
    if kind in ("disk", "ring", "ellipse"):
        radii = (
            (height / 2, width / 2)
            if kind == "ellipse"
            else (min(size) / 2,) * 2
        )
        canvas[draw.ellipse(*center, *radii, shape=size)] = 1.0
        if kind == "ring":
            inner = min(size) / 2 - thickness
            canvas[draw.disk(center, inner, shape=size)] = 0.0
    elif kind in ("rectangle", "frame"):
        canvas[:] = 1.0
        if kind == "frame":
            t = int(round(thickness))
            canvas[t : height - t, t : width - t] = 0.0
    else:
        rows = np.array([0, height - 1, height - 1])
        columns = np.array([(width - 1) / 2, 0, width - 1])
        canvas[draw.polygon(rows, columns, shape=size)] = 1.0
    return canvas


def _fit_box(shape, size):
    """The largest `(height, width)` of `shape`'s aspect within `size`."""
    ratio = min(size[0] / shape[0], size[1] / shape[1])
    return (
        max(1, min(size[0], round(shape[0] * ratio))),
        max(1, min(size[1], round(shape[1] * ratio))),
    )


def _pad_to(image, size):
    """`image` centred on a zero canvas of `size`."""
    top = (size[0] - image.shape[0]) // 2
    left = (size[1] - image.shape[1]) // 2
    canvas = np.zeros((*size, *image.shape[2:]), "float32")
    canvas[top : top + image.shape[0], left : left + image.shape[1]] = image
    return canvas


# ---------------------------------------------------------------- checks


@functools.lru_cache(maxsize=32)
def _photo(name, scale):
    from skimage import transform

    photo = load_photos(name)[name] / 255.0
    if scale != 1:
        photo = transform.rescale(
            photo, scale, channel_axis=-1, anti_aliasing=True
        )
    return _to_8_bits(photo)


def _split_photos(split, test_photos, names, scale, height, width):
    check_choice(split, "split", SPLITS)
    names = list(PHOTOS) if names is None else list(names)
    unknown = sorted(set(test_photos) - set(PHOTOS))
    if unknown:
        raise ValueError(
            f"Unknown `test_photos` {unknown}. Known photos: {', '.join(PHOTOS)}."
        )
    chosen = [n for n in names if (n in test_photos) == (split == "test")]
    if not chosen:
        raise ValueError(
            f"No photo left for the {split!r} split: names={names}, "
            f"test_photos={list(test_photos)}."
        )
    photos = [_photo(name, float(scale)) for name in chosen]
    small = [n for n, p in zip(chosen, photos) if min(p.shape[:2]) < 1]
    too_small = [
        n
        for n, p in zip(chosen, photos)
        if p.shape[0] < height or p.shape[1] < width
    ]
    if too_small or small:
        raise ValueError(
            f"`image_size` ({height}, {width}) is larger than the photos "
            f"{too_small} downscaled by scale={scale}. Use a smaller "
            "`image_size`, a larger `scale`, or other `names`."
        )
    return photos


def _check_size(image_size):
    size = (image_size, image_size) if np.isscalar(image_size) else image_size
    size = tuple(size)
    if len(size) != 2:
        raise ValueError(
            "`image_size` must be an int or (height, width). Received: "
            f"image_size={image_size!r}."
        )
    return tuple(check_integer(s, "image_size", minimum=8) for s in size)


def _check_kinds(kinds):
    kinds = (kinds,) if isinstance(kinds, str) else tuple(kinds)
    unknown = [k for k in kinds if k not in KINDS]
    if not kinds or unknown:
        raise ValueError(
            f"`kinds` must be a non-empty subset of {KINDS}. Received: "
            f"kinds={kinds!r}."
        )
    return kinds


def _check_range(values, name, high_open):
    try:
        low, high = (float(v) for v in values)
    except (TypeError, ValueError):
        low, high = np.nan, np.nan
    top_ok = high < 1 if high_open else high <= 1
    if not (0 < low <= high and top_ok):
        bound = "1" if high_open else "= 1"
        raise ValueError(
            f"`{name}` must be (low, high) with 0 < low <= high <{bound}. "
            f"Received: {name}={values!r}."
        )
    return low, high


def _to_8_bits(images):
    """Rounds [0, 1] values to multiples of 1/255, as float32."""
    return (np.round(np.clip(images, 0.0, 1.0) * 255.0) / 255.0).astype(
        "float32"
    )
