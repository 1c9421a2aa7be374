"""Captioned scenes: attributes really drawn, held-out combinations kept out."""

import numpy as np
import pytest

from kgen.applications.text_to_image import COLOURS
from kgen.applications.text_to_image import DIGIT_HOLDOUT
from kgen.applications.text_to_image import SHAPE_HOLDOUT
from kgen.applications.text_to_image import CaptionTokenizer
from kgen.applications.text_to_image import is_held_out
from kgen.applications.text_to_image import make_digit_scenes
from kgen.applications.text_to_image import make_shape_scenes


def _digits(count, rng):
    """Blocky fake digits: a filled 12x8 rectangle with a 2-pixel hole."""
    images = np.zeros((count, 28, 28), "float32")
    images[:, 8:20, 10:18] = 1.0
    images[:, 13:15, 13:15] = 0.0
    return images, rng.integers(0, 10, count)


def test_digit_scenes_draw_their_attributes(rng):
    digits, labels = _digits(120, rng)
    scenes = make_digit_scenes(digits, labels, canvas_size=32, seed=0)
    assert scenes.images.shape == (120, 32, 32, 3)
    assert scenes.images.min() >= 0 and scenes.images.max() <= 1
    np.testing.assert_array_equal(scenes.attributes["digit"], labels)
    colours = np.array(list(COLOURS.values()))
    columns = np.arange(32)
    for index in range(len(scenes)):
        names = scenes.attribute_names(index)
        image = scenes.images[index]
        ink = image.max(-1) > 0
        # Every lit pixel has the caption's colour, up to its brightness.
        pixels = image[ink] / image[ink].max(-1, keepdims=True)
        expected = colours[scenes.attributes["colour"][index]]
        np.testing.assert_allclose(
            pixels,
            np.broadcast_to(expected / expected.max(), pixels.shape),
            atol=1e-5,
        )
        # The digit's horizontal centre lies on the side the caption says.
        centre = (ink.sum(0) * columns).sum() / ink.sum()
        assert (centre < 15.5) == (names["position"] == "left"), names
        words = CaptionTokenizer.split(scenes.captions[index])
        assert names["colour"] in words and names["position"] in words
        number = str(scenes.attributes["digit"][index])
        assert names["digit"] in words or number in words


def test_thickness_and_scale_change_the_ink(rng):
    digits, labels = _digits(200, rng)
    scenes = make_digit_scenes(digits, labels, holdout=(), seed=1)
    ink = (scenes.images.max(-1) > 0.3).sum((1, 2))
    for scale in (0, 1):
        chosen = scenes.attributes["scale"] == scale
        thick = ink[chosen & (scenes.attributes["thickness"] == 1)]
        thin = ink[chosen & (scenes.attributes["thickness"] == 0)]
        assert thin.max() < thick.min()
    large = ink[scenes.attributes["scale"] == 1]
    small = ink[scenes.attributes["scale"] == 0]
    thick = scenes.attributes["thickness"] == 1
    assert large[thick[scenes.attributes["scale"] == 1]].min() > (
        small[thick[scenes.attributes["scale"] == 0]].max()
    )


def test_held_out_combinations_stay_out_of_the_seen_subset(rng):
    digits, labels = _digits(300, rng)
    labels[:60] = 7  # many sevens, so that red ones would appear
    seen = make_digit_scenes(digits, labels, seed=2)
    held = make_digit_scenes(digits, labels, subset="held_out", seed=3)
    everything = make_digit_scenes(digits, labels, subset="all", seed=3)
    flags = [
        is_held_out(s.attribute_names(i), DIGIT_HOLDOUT)
        for s in (seen, held, everything)
        for i in range(len(s))
    ]
    assert not any(flags[: len(seen)])
    assert all(flags[len(seen) : len(seen) + len(held)])
    assert any(flags[len(seen) + len(held) :])
    assert set(np.unique(held.attributes["digit"])) <= {2, 7}
    assert not any("red seven" in c or "red 7" in c for c in seen.captions)


def test_shape_scenes_place_the_first_shape_above_or_left(rng):
    scenes = make_shape_scenes(60, canvas_size=32, seed=0)
    colours = list(COLOURS.values())
    for index in range(len(scenes)):
        names = scenes.attribute_names(index)
        assert not is_held_out(names, SHAPE_HOLDOUT)
        image = scenes.images[index]
        centres = []
        for which in ("first", "second"):
            colour = colours[scenes.attributes[f"{which}_colour"][index]]
            mask = np.all(np.isclose(image, colour), -1)
            assert mask.any(), names
            centres.append(np.argwhere(mask).mean(0))
        if names["first_colour"] == names["second_colour"]:
            continue  # the two shapes share one mask
        axis = 0 if names["layout"] == "vertical" else 1
        assert centres[0][axis] < centres[1][axis], names
    held = make_shape_scenes(30, subset="held_out", seed=1)
    assert all(
        is_held_out(held.attribute_names(i), SHAPE_HOLDOUT)
        for i in range(len(held))
    )


def test_scenes_are_seeded(rng):
    digits, labels = _digits(20, rng)
    a = make_digit_scenes(digits, labels, seed=5)
    b = make_digit_scenes(digits, labels, seed=5)
    np.testing.assert_array_equal(a.images, b.images)
    assert a.captions == b.captions
    # One digit: one of the scales has no scene.
    assert make_digit_scenes(digits[:1], labels[:1]).images.shape[0] == 1
    assert make_shape_scenes(5, seed=1).captions == (
        make_shape_scenes(5, seed=1).captions
    )


def test_bad_arguments_are_rejected(rng):
    digits, labels = _digits(10, rng)
    with pytest.raises(ValueError, match="Unknown held-out attribute"):
        make_digit_scenes(digits, labels, holdout=[{"colour": "purple"}])
    with pytest.raises(ValueError, match="integer digits"):
        make_digit_scenes(digits, labels[:5])
    with pytest.raises(ValueError, match="subset"):
        make_shape_scenes(5, subset="test")
    with pytest.raises(ValueError, match="canvas_size"):
        make_shape_scenes(5, canvas_size=8)
    with pytest.raises(ValueError, match="No digit of a held-out"):
        make_digit_scenes(digits, np.zeros(10, int), subset="held_out")
