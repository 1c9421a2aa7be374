"""Data by photo, patches with flips, and the baselines."""

import numpy as np
import pytest

from kgen.applications import colourisation
from kgen.datasets import PHOTOS


def test_folds_split_by_photo_and_scene():
    folds = colourisation.photo_folds(num_folds=3, seed=1)
    tested = [name for _, test in folds for name in test]
    assert sorted(tested) == sorted(PHOTOS)
    for train, test in folds:
        assert not set(train) & set(test)
        assert sorted(train + test) == sorted(PHOTOS)
        pair = {"motorcycle_left", "motorcycle_right"}
        assert pair <= set(test) or not pair & set(test)
    with pytest.raises(ValueError, match="fewer folds"):
        colourisation.photo_folds(["chelsea", "coffee"], num_folds=3)


def test_one_fold_per_scene_without_num_folds():
    names = ["chelsea", "motorcycle_left", "coffee", "motorcycle_right"]
    folds = colourisation.photo_folds(names, num_folds=None, seed=2)
    tested = sorted(tuple(sorted(test)) for _, test in folds)
    pair = ("motorcycle_left", "motorcycle_right")
    assert tested == [("chelsea",), ("coffee",), pair]
    for train, test in folds:
        assert sorted(train + test) == sorted(names)
    with pytest.raises(ValueError, match="num_folds"):
        colourisation.photo_folds(["chelsea"], num_folds=None)


def test_patches_are_windows_of_the_image_or_its_mirror():
    image = np.arange(6 * 9 * 3).reshape(6, 9, 3)
    patches = colourisation.random_patches([image], 20, 4, seed=0)
    assert patches.shape == (20, 4, 4, 3)
    flipped = 0
    for patch in patches:
        row, column = np.argwhere(image[..., 0] == patch[0, 0, 0])[0]
        window = image[row : row + 4]
        if np.array_equal(window[:, column : column + 4], patch):
            continue
        mirrored = window[:, column - 3 : column + 1][:, ::-1]
        np.testing.assert_array_equal(mirrored, patch)
        flipped += 1
    assert 0 < flipped < 20
    with pytest.raises(ValueError, match="smaller than patch_size"):
        colourisation.random_patches([image], 2, 7)


def test_baselines_match_numpy(rng):
    lab = np.stack(
        [
            rng.uniform(0, 100, 500),
            rng.normal(10, 5, 500),
            rng.normal(-5, 5, 500),
        ],
        axis=-1,
    )
    lab[:, 1] += lab[:, 0] / 10  # colour depends on lightness
    baselines = colourisation.fit_baselines(lab, num_lightness_bins=4)
    test_l = np.array([[5.0, 30.0], [60.0, 99.9]])
    np.testing.assert_array_equal(baselines["grey"](test_l), 0.0)
    np.testing.assert_allclose(
        baselines["mean_ab"](test_l)[1, 0], lab[:, 1:].mean(0), rtol=1e-5
    )
    lookup = baselines["lightness_lookup"](test_l)
    for (i, j), value in np.ndenumerate(test_l):
        low = 25.0 * (value // 25.0)
        inside = (lab[:, 0] >= low) & (lab[:, 0] < low + 25.0)
        np.testing.assert_allclose(
            lookup[i, j], lab[inside, 1:].mean(0), rtol=1e-5
        )


def test_scores_of_a_perfect_and_a_grey_colourisation(rng):
    photo = rng.integers(0, 256, (12, 12, 3)).astype("uint8")
    perfect = colourisation.colourisation_scores([photo], [photo])
    assert perfect["ab_rmse"] == pytest.approx(0.0, abs=1e-6)
    assert perfect["ssim"] == pytest.approx(1.0)
    assert perfect["colourfulness_ratio"] == pytest.approx(1.0)
    lab = colourisation.rgb_to_lab(photo)
    lab[..., 1:] = 0
    grey = colourisation.lab_to_rgb(lab)
    scores = colourisation.colourisation_scores([grey], [photo])
    expected = np.sqrt(np.mean(colourisation.rgb_to_lab(photo)[..., 1:] ** 2))
    assert scores["ab_rmse"] == pytest.approx(expected, rel=1e-3)
    assert scores["colourfulness_ratio"] < 0.05
