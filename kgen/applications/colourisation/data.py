"""Colourisation data: bundled photos, folds split by photo, random patches."""

import numpy as np

from kgen.datasets.photos import PHOTOS
from kgen.datasets.photos import load_photos
from kgen.utils.validation import check_integer

# Photos that show the same scene stay on the same side of a split.
SAME_SCENE = (("motorcycle_left", "motorcycle_right"),)


def load_colour_photos(names=None, scale=0.25):
    """The bundled colour photos, downscaled (anti-aliased), as uint8.

    Args:
        names: photo names (default: every photo of
            `kgen.datasets.load_photos`).
        scale: float in (0, 1], the downscaling factor.

    Returns:
        dict name -> uint8 array `(height, width, 3)`.
    """
    from skimage import transform

    if not 0 < scale <= 1:
        raise ValueError(f"`scale` must be in (0, 1]. Received: scale={scale}.")
    photos = load_photos(names)
    if scale == 1:
        return photos
    return {
        name: np.round(
            255.0
            * transform.rescale(
                photo / 255.0, scale, channel_axis=-1, anti_aliasing=True
            )
        ).astype("uint8")
        for name, photo in photos.items()
    }


def photo_folds(names=None, num_folds=4, seed=0):
    """Splits photos into folds by scene, for rotating train/test splits.

    Photos of one scene (the stereo pair `motorcycle_left` /
    `motorcycle_right`) stay together, so no test photo's scene contributes
    training pixels. Scenes are shuffled with `seed` and dealt into
    `num_folds` folds of nearly equal size; fold `k` is tested on while the
    others train.

    Args:
        names: photo names (default: every photo of
            `kgen.datasets.load_photos`).
        num_folds: int >= 2, at most the number of scenes, or `None` for
            one fold per scene (leave one scene out).
        seed: seed of the shuffle.

    Returns:
        A list of `(train_names, test_names)` tuples, one per fold; every
        photo is tested exactly once.

    Example:

    ```python
    for train, test in kgen.applications.colourisation.photo_folds():
        ...
    ```
    """
    names = list(PHOTOS) if names is None else list(names)
    scenes = []
    for name in names:
        group = next((g for g in SAME_SCENE if name in g), (name,))
        scene = tuple(n for n in group if n in names)
        if scene not in scenes:
            scenes.append(scene)
    if num_folds is None:
        num_folds = len(scenes)
    num_folds = check_integer(num_folds, "num_folds", minimum=2)
    if num_folds > len(scenes):
        raise ValueError(
            f"{num_folds} folds need at least as many scenes; the photos "
            f"{names} hold {len(scenes)}. Use fewer folds."
        )
    order = np.random.default_rng(seed).permutation(len(scenes))
    folds = [[] for _ in range(num_folds)]
    for position, index in enumerate(order):
        folds[position % num_folds].extend(scenes[index])
    return [
        (tuple(n for n in names if n not in fold), tuple(fold))
        for fold in folds
    ]


def random_patches(images, num_patches, patch_size, seed=0, flip=True):
    """Random square patches of images, mirrored left-right at random.

    Each patch comes from an image chosen uniformly (small photos are not
    drowned by large ones), at a uniform position; with `flip`, half the
    patches are mirrored horizontally.

    Args:
        images: a list (or dict) of arrays `(height, width, channels)`,
            each at least `patch_size` on both sides.
        num_patches: int >= 1.
        patch_size: int >= 1, side of the patches.
        seed: seed of the draw.
        flip: whether to mirror patches at random.

    Returns:
        array `(num_patches, patch_size, patch_size, channels)` of the
        images' dtype.
    """
    images = list(images.values()) if isinstance(images, dict) else images
    num_patches = check_integer(num_patches, "num_patches")
    patch_size = check_integer(patch_size, "patch_size")
    if not images:
        raise ValueError("`images` is empty: pass at least one image.")
    small = [i.shape[:2] for i in images if min(i.shape[:2]) < patch_size]
    if small:
        raise ValueError(
            f"Images of sizes {small} are smaller than patch_size="
            f"{patch_size}. Use smaller patches or larger images."
        )
    rng = np.random.default_rng(seed)
    patches = []
    for index in rng.integers(len(images), size=num_patches):
        image = images[index]
        row = rng.integers(image.shape[0] - patch_size + 1)
        column = rng.integers(image.shape[1] - patch_size + 1)
        patch = image[row : row + patch_size, column : column + patch_size]
        patches.append(patch[:, ::-1] if flip and rng.random() < 0.5 else patch)
    return np.stack(patches)
