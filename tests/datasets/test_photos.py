import numpy as np
import pytest

from kgen.datasets import PHOTOS
from kgen.datasets import load_photos


def test_every_photo_matches_its_table_entry():
    photos = load_photos()
    assert list(photos) == list(PHOTOS)
    for name, image in photos.items():
        assert image.dtype == np.uint8
        assert image.shape == (PHOTOS[name].height, PHOTOS[name].width, 3)
        assert image.std() > 10, name  # a photo, not a blank array


def test_names_and_order():
    photos = load_photos(["china", "astronaut"])
    assert list(photos) == ["china", "astronaut"]
    assert list(load_photos("flower")) == ["flower"]
    left, right = load_photos(["motorcycle_left", "motorcycle_right"]).values()
    assert not np.array_equal(left, right)


def test_unknown_name_lists_known_ones():
    with pytest.raises(ValueError, match="'lena'.*astronaut.*grace_hopper"):
        load_photos(["astronaut", "lena"])
