"""The seeded watermark-pair generator."""

import numpy as np
import pytest

from kgen.applications import watermark
from kgen.applications.watermark.watermark_pairs import _photo

PHOTOS = dict(names=["chelsea", "coffee"], test_photos=("coffee",))


def _pairs(num_pairs=6, **kwargs):
    options = {**PHOTOS, "image_size": 16, **kwargs}
    return watermark.make_watermark_pairs(num_pairs, **options)


def test_same_seed_same_pairs_other_seed_other_pairs():
    first, again, other = _pairs(seed=3), _pairs(seed=3), _pairs(seed=4)
    for a, b in zip(first, again):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(first.watermarked, other.watermarked)


def test_pairs_follow_the_compositing_model_and_their_ranges():
    low, high = 0.35, 0.45
    pairs = _pairs(40, seed=0, alpha_range=(low, high), image_size=(16, 24))
    assert pairs.watermarked.shape == (40, 16, 24, 3)
    assert pairs.mask.shape == (40, 16, 24, 1)
    assert np.all((pairs.alpha >= low) & (pairs.alpha <= high))
    default = _pairs(200, seed=1).alpha
    assert default.min() >= 0.3 and default.max() <= 0.8
    assert default.max() - default.min() > 0.4  # spread over the range
    expected = watermark.composite(
        pairs.clean,
        pairs.watermark,
        pairs.mask,
        pairs.alpha[:, None, None, None],
    )
    # Equal up to the 8-bit rounding of the watermarked images.
    assert np.abs(pairs.watermarked - expected).max() <= 0.5 / 255 + 1e-6
    assert np.all((pairs.mask > 0).reshape(40, -1).any(axis=1))
    assert np.all(
        pairs.watermark[np.broadcast_to(pairs.mask == 0, pairs.watermark.shape)]
        == 0
    )


@pytest.mark.parametrize("kind", watermark.KINDS)
def test_every_kind_draws_a_watermark(kind):
    colours, shape = watermark.draw_watermark(
        kind, (24, 40), np.random.default_rng(0)
    )
    assert colours.shape == (24, 40, 3) and shape.shape == (24, 40)
    assert 0.05 < (shape > 0).mean() <= 1.0
    assert shape.max() > 0.9 and np.all((shape >= 0) & (shape <= 1))
    assert np.all(colours[shape == 0] == 0)


def _found_in(patch, photo):
    """Whether `patch` (or its mirror image) is a crop of `photo`."""
    h, w = patch.shape[:2]
    windows = np.lib.stride_tricks.sliding_window_view(photo, (h, w, 3))[
        ..., 0, :, :, :
    ]
    for candidate in (patch, patch[:, ::-1]):
        if np.any(np.all(windows == candidate, axis=(-3, -2, -1))):
            return True
    return False


def test_split_is_by_photo():
    train, test = _pairs(3, seed=0), _pairs(3, seed=0, split="test")
    chelsea, coffee = _photo("chelsea", 0.5), _photo("coffee", 0.5)
    for patch in train.clean:
        assert _found_in(patch, chelsea) and not _found_in(patch, coffee)
    for patch in test.clean:
        assert _found_in(patch, coffee) and not _found_in(patch, chelsea)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"alpha_range": (0.3, 1.0)}, "alpha_range"),
        ({"size_range": (0.0, 0.5)}, "size_range"),
        ({"kinds": ("logo", "emoji")}, "kinds"),
        ({"split": "validation"}, "split"),
        ({"image_size": 4}, "image_size"),
        ({"image_size": 1000}, "larger than the photos"),
        ({"test_photos": ("chelsea", "coffee")}, "No photo left"),
    ],
)
def test_bad_arguments_are_refused(kwargs, match):
    with pytest.raises(ValueError, match=match):
        _pairs(2, **kwargs)
