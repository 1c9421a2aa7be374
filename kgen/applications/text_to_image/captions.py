"""Captioned scenes with known attributes: MNIST digits and drawn shapes.

No caption data set is available offline, so the text-to-image application
builds two with exact ground truth (seeded, so the same arguments always
give the same scenes):

- `make_digit_scenes`: a real MNIST digit on a black RGB canvas with five
  attributes: the digit, its stroke thickness (thin: the 1-pixel skeleton of
  the digit, `skimage.morphology.skeletonize`; thick: a grey dilation with a
  disk of radius 1), its colour, its scale (half or three quarters of the
  canvas) and its position (left or right), e.g. "a small thick red seven on
  the left".
- `make_shape_scenes`: two shapes drawn with `skimage.draw` (circle, square
  or triangle, each in a colour), one above the other or side by side, e.g.
  "a red circle above a blue square" (or, equally, "a blue square below a
  red circle").

Captions are composed from several templates and synonyms ("thick", "bold",
"heavy"; "seven", "7"), so a text encoder must learn the words rather than
one template. Chosen attribute combinations can be held out (`holdout`):
scenes of `subset="seen"` never show them, scenes of `subset="held_out"`
show nothing else, to measure whether a model composes attributes it saw
apart but never together.
"""

import dataclasses

import numpy as np
import scipy.ndimage
import skimage.draw
import skimage.morphology
import skimage.transform

from kgen.utils.validation import check_array
from kgen.utils.validation import check_choice
from kgen.utils.validation import check_integer

COLOURS = {
    "red": (1.0, 0.15, 0.15),
    "green": (0.15, 0.85, 0.15),
    "blue": (0.2, 0.35, 1.0),
    "yellow": (1.0, 0.9, 0.1),
    "magenta": (1.0, 0.2, 1.0),
    "cyan": (0.1, 0.9, 1.0),
}
"""Colour names of the captions and their RGB values in [0, 1]."""
DIGIT_WORDS = (
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
)
DIGIT_ATTRIBUTES = {
    "digit": DIGIT_WORDS,
    "thickness": ("thin", "thick"),
    "colour": tuple(COLOURS),
    "scale": ("small", "large"),
    "position": ("left", "right"),
}
"""Attributes of the digit scenes and their values (indices in order)."""
SHAPES = ("circle", "square", "triangle")
SHAPE_ATTRIBUTES = {
    "first_shape": SHAPES,
    "first_colour": tuple(COLOURS),
    "layout": ("vertical", "horizontal"),
    "second_shape": SHAPES,
    "second_colour": tuple(COLOURS),
}
"""Attributes of the shape scenes; "first" is the upper or left shape."""
# Every "red seven" and "green two" are held out of the digit scenes; every
# scene whose upper or left shape is a red triangle, and every scene whose
# lower or right shape is a blue circle, out of the shape scenes.
DIGIT_HOLDOUT = (
    {"digit": "seven", "colour": "red"},
    {"digit": "two", "colour": "green"},
)
"""Default held-out digit combinations: every red seven and green two."""
SHAPE_HOLDOUT = (
    {"first_shape": "triangle", "first_colour": "red"},
    {"second_shape": "circle", "second_colour": "blue"},
)
"""Default held-out shape combinations (see the comment above)."""
_SUBSETS = ("seen", "held_out", "all")
_DIGIT_TEMPLATES = (
    "a {scale} {thickness} {colour} {digit} on the {position}",
    "a {thickness} {colour} {digit}, {scale}, on the {position}",
    "on the {position} side a {scale} {colour} {digit} drawn {thickness}",
    "a {colour} {digit}, {scale} and {thickness}, at the {position}",
)
_SYNONYMS = {
    "small": ("small", "little", "tiny"),
    "large": ("large", "big"),
    "thin": ("thin", "light", "slim"),
    "thick": ("thick", "bold", "heavy"),
    "square": ("square", "box"),
}
_SHAPE_TEMPLATES = {
    "vertical": (
        "a {c1} {s1} above a {c2} {s2}",
        "a {c1} {s1} on top of a {c2} {s2}",
        "a {c2} {s2} below a {c1} {s1}",
        "a {c2} {s2} under a {c1} {s1}",
    ),
    "horizontal": (
        "a {c1} {s1} left of a {c2} {s2}",
        "a {c1} {s1} to the left of a {c2} {s2}",
        "a {c2} {s2} right of a {c1} {s1}",
        "a {c2} {s2} to the right of a {c1} {s1}",
    ),
}


@dataclasses.dataclass
class CaptionedScenes:
    """Images with captions and the attributes each caption states.

    Attributes:
        images: float32 array `(num_scenes, size, size, 3)` in [0, 1].
        captions: list of `num_scenes` strings.
        attributes: dict from attribute name to an int array
            `(num_scenes,)` of value indices.
        attribute_values: dict from attribute name to its value names.
    """

    images: np.ndarray
    captions: list
    attributes: dict
    attribute_values: dict

    def __len__(self):
        return len(self.captions)

    def attribute_names(self, index):
        """The attribute value names of scene `index`, as a dict."""
        return {
            name: self.attribute_values[name][values[index]]
            for name, values in self.attributes.items()
        }


def make_digit_scenes(
    digits,
    labels,
    canvas_size=32,
    subset="seen",
    holdout=DIGIT_HOLDOUT,
    seed=0,
):
    """Captioned scenes of one MNIST digit each (see the module docstring).

    Each digit image is used once, with its own label; the other attributes
    are drawn uniformly at random (redrawn while the combination is held
    out for `subset="seen"`, or is not held out for `subset="held_out"`).
    For `"held_out"` only the digits of the held-out combinations are used.

    Args:
        digits: MNIST images, `(num, 28, 28)`, `(num, 28, 28, 1)` or
            `(num, 784)`, in [0, 1].
        labels: int array `(num,)` of digits 0-9.
        canvas_size: int >= 16, side of the square RGB canvas.
        subset: `"seen"`, `"held_out"` or `"all"` (no hold-out).
        holdout: combinations to hold out, each a dict from attribute name
            (see `DIGIT_ATTRIBUTES`) to a value name.
        seed: seed of the attributes and captions.

    Returns:
        A `CaptionedScenes`.

    Example:

    ```python
    (x, y), _ = kgen.datasets.load_mnist("../shared/data")
    scenes = make_digit_scenes(x[:1000], y[:1000], seed=0)
    scenes.captions[0]  # e.g. "a big thin cyan five on the right"
    ```
    """
    digits = check_array(digits, "digits", low=0.0, high=1.0)
    digits = digits.reshape(len(digits), 28, 28)
    labels = _check_labels(labels, len(digits))
    canvas_size = check_integer(canvas_size, "canvas_size", minimum=16)
    rng = np.random.default_rng(seed)
    rules = _check_holdout(holdout, DIGIT_ATTRIBUTES)
    if _check_subset(subset) == "held_out":
        held = {DIGIT_WORDS.index(r["digit"]) for r in rules if "digit" in r}
        keep = np.isin(labels, sorted(held)) if held else labels >= 0
        digits, labels = digits[keep], labels[keep]
        if not len(labels):
            raise ValueError(
                "No digit of a held-out combination is among `labels`: "
                f"holdout={holdout}."
            )
    attributes = _draw_attributes(
        DIGIT_ATTRIBUTES, len(labels), rules, subset, rng, {"digit": labels}
    )
    images = _render_digits(digits, attributes, canvas_size, rng)
    captions = [
        _digit_caption(rng, **_named(DIGIT_ATTRIBUTES, attributes, i))
        for i in range(len(labels))
    ]
    return CaptionedScenes(images, captions, attributes, DIGIT_ATTRIBUTES)


def make_shape_scenes(
    num_scenes, canvas_size=32, subset="seen", holdout=SHAPE_HOLDOUT, seed=0
):
    """Captioned scenes of two shapes (see the module docstring).

    The first shape is the upper one (`layout="vertical"`) or the left one
    (`"horizontal"`); sizes and places are jittered, and each scene has
    one caption naming both shapes, their colours and their relation.

    Args:
        num_scenes: int >= 1.
        canvas_size: int >= 16, side of the square RGB canvas.
        subset: `"seen"`, `"held_out"` or `"all"` (no hold-out).
        holdout: combinations to hold out, each a dict from attribute name
            (see `SHAPE_ATTRIBUTES`) to a value name.
        seed: seed of the scenes and captions.

    Returns:
        A `CaptionedScenes`.

    Example:

    ```python
    scenes = make_shape_scenes(100, seed=0)
    scenes.captions[0]  # e.g. "a red circle above a blue box"
    ```
    """
    num_scenes = check_integer(num_scenes, "num_scenes")
    canvas_size = check_integer(canvas_size, "canvas_size", minimum=16)
    rng = np.random.default_rng(seed)
    rules = _check_holdout(holdout, SHAPE_ATTRIBUTES)
    attributes = _draw_attributes(
        SHAPE_ATTRIBUTES, num_scenes, rules, _check_subset(subset), rng, {}
    )
    images = np.stack(
        [
            _render_shapes(canvas_size, rng, **_row(attributes, i))
            for i in range(num_scenes)
        ]
    )
    captions = [
        _shape_caption(rng, **_named(SHAPE_ATTRIBUTES, attributes, i))
        for i in range(num_scenes)
    ]
    return CaptionedScenes(images, captions, attributes, SHAPE_ATTRIBUTES)


def is_held_out(names, holdout):
    """Whether a scene's attribute names match one held-out combination.

    Args:
        names: dict from attribute name to value name.
        holdout: sequence of dicts from attribute name to value name.
    """
    return any(
        all(names.get(key) == value for key, value in rule.items())
        for rule in holdout
    )


# ------------------------------------------------------------- attributes


def _check_subset(subset):
    check_choice(subset, "subset", _SUBSETS)
    return subset


def _check_labels(labels, count):
    labels = np.asarray(labels)
    if (
        labels.shape != (count,)
        or not np.issubdtype(labels.dtype, np.integer)
        or labels.min() < 0
        or labels.max() > 9
    ):
        raise ValueError(
            f"`labels` must be {count} integer digits in [0, 9], one per "
            f"image. Received shape {labels.shape}, dtype {labels.dtype}."
        )
    return labels.astype("int64")


def _check_holdout(holdout, spec):
    rules = [dict(rule) for rule in holdout or ()]
    for rule in rules:
        for name, value in rule.items():
            if name not in spec or value not in spec[name]:
                raise ValueError(
                    f"Unknown held-out attribute {name}={value!r}. Attributes "
                    f"and values: {spec}."
                )
    return rules


def _draw_attributes(spec, count, rules, subset, rng, fixed):
    """Uniform attribute indices, redrawn until the subset's rule holds."""
    attributes = {
        name: np.asarray(fixed[name])
        if name in fixed
        else rng.integers(0, len(values), count)
        for name, values in spec.items()
    }
    if subset == "all" or not rules:
        if subset == "held_out":
            raise ValueError("`subset='held_out'` needs a non-empty `holdout`.")
        return attributes
    for row in range(count):
        for _ in range(10_000):
            names = _named(spec, attributes, row)
            if is_held_out(names, rules) == (subset == "held_out"):
                break
            for name, values in spec.items():
                if name not in fixed:
                    attributes[name][row] = rng.integers(len(values))
        else:
            raise ValueError(
                f"Could not draw a scene of subset {subset!r} with the fixed "
                f"attributes {names}: check `holdout`."
            )
    return attributes


def _row(attributes, index):
    return {name: int(values[index]) for name, values in attributes.items()}


def _named(spec, attributes, index):
    return {name: spec[name][attributes[name][index]] for name in spec}


def _word(rng, value):
    choices = _SYNONYMS.get(value, (value,))
    return choices[rng.integers(len(choices))]


# -------------------------------------------------------------- rendering


def _render_digits(digits, attributes, size, rng):
    """Canvases of digits with their thickness, colour, scale and place."""
    images = np.zeros((len(digits), size, size, 3), "float32")
    for scale, fraction in enumerate((0.5, 0.75)):
        side = int(round(size * fraction))
        rows = np.flatnonzero(attributes["scale"] == scale)
        if not len(rows):
            continue
        glyphs = skimage.transform.resize(
            digits[rows], (len(rows), side, side), anti_aliasing=True
        )
        thick = attributes["thickness"][rows] == 1
        glyphs[thick] = scipy.ndimage.grey_dilation(
            glyphs[thick], footprint=skimage.morphology.disk(1)[None]
        )
        for glyph in glyphs[~thick]:
            glyph[...] = skimage.morphology.skeletonize(glyph > 0.35)
        room = size - side
        x = rng.integers(0, room // 3 + 1, len(rows))
        x = np.where(attributes["position"][rows] == 0, x, room - x)
        y = room // 2 + rng.integers(-(room // 4), room // 4 + 1, len(rows))
        colours = np.array(list(COLOURS.values()), "float32")
        colours = colours[attributes["colour"][rows]]
        for row, glyph, top, left, colour in zip(rows, glyphs, y, x, colours):
            images[row, top : top + side, left : left + side] = (
                np.clip(glyph, 0.0, 1.0)[..., None] * colour
            )
    return images


def _render_shapes(
    size, rng, first_shape, first_colour, layout, second_shape, second_colour
):
    canvas = np.zeros((size, size, 3), "float32")
    half = size // 2
    for slot, (shape, colour) in enumerate(
        ((first_shape, first_colour), (second_shape, second_colour))
    ):
        side = int(rng.integers(int(size * 0.28), int(size * 0.4) + 1))
        along = slot * half + rng.integers(0, half - side + 1)
        across = rng.integers(0, size - side + 1)
        top, left = (along, across) if layout == 0 else (across, along)
        rows, cols = _shape_pixels(shape, top, left, side, size)
        canvas[rows, cols] = list(COLOURS.values())[colour]
    return canvas


def _shape_pixels(shape, top, left, side, size):
    if SHAPES[shape] == "circle":
        radius = side / 2
        return skimage.draw.disk(
            (top + radius - 0.5, left + radius - 0.5),
            radius,
            shape=(size, size),
        )
    if SHAPES[shape] == "square":
        return skimage.draw.rectangle(
            (top, left), extent=(side, side), shape=(size, size)
        )
    return skimage.draw.polygon(
        [top + side - 1, top + side - 1, top],
        [left, left + side - 1, left + (side - 1) / 2],
        shape=(size, size),
    )


# --------------------------------------------------------------- captions


def _digit_caption(rng, digit, thickness, colour, scale, position):
    template = _DIGIT_TEMPLATES[rng.integers(len(_DIGIT_TEMPLATES))]
    number = str(DIGIT_WORDS.index(digit))
    return template.format(
        digit=digit if rng.random() < 0.5 else number,
        thickness=_word(rng, thickness),
        colour=colour,
        scale=_word(rng, scale),
        position=position,
    )


def _shape_caption(
    rng, first_shape, first_colour, layout, second_shape, second_colour
):
    templates = _SHAPE_TEMPLATES[layout]
    return templates[rng.integers(len(templates))].format(
        c1=first_colour,
        s1=_word(rng, first_shape),
        c2=second_colour,
        s2=_word(rng, second_shape),
    )
