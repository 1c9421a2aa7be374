"""Colour photographs that ship inside kgen's dependencies (no download)."""

import typing

import numpy as np


class Photo(typing.NamedTuple):
    """One bundled photograph: its size, where it comes from, its licence."""

    height: int
    width: int
    source: str
    licence: str
    load: typing.Callable


def _skimage(name, index=None):
    def load():
        import skimage.data

        image = getattr(skimage.data, name)()
        return image if index is None else image[index]

    return load


def _sklearn(filename):
    def load():
        from sklearn.datasets import load_sample_image

        return load_sample_image(filename)

    return load


def _matplotlib(filename):
    def load():
        import matplotlib.cbook
        import matplotlib.image

        return matplotlib.image.imread(
            matplotlib.cbook.get_sample_data(filename, asfileobj=False)
        )

    return load


_PUBLIC_DOMAIN = "public domain"
PHOTOS = {
    "astronaut": Photo(
        512,
        512,
        "scikit-image `astronaut` (NASA, Eileen Collins)",
        _PUBLIC_DOMAIN,
        _skimage("astronaut"),
    ),
    "chelsea": Photo(
        300,
        451,
        "scikit-image `chelsea` (a cat; Stefan van der Walt)",
        "CC0",
        _skimage("chelsea"),
    ),
    "coffee": Photo(
        400,
        600,
        "scikit-image `coffee` (Rachel Michetti)",
        "CC0",
        _skimage("coffee"),
    ),
    "hubble_deep_field": Photo(
        872,
        1000,
        "scikit-image `hubble_deep_field` (NASA)",
        _PUBLIC_DOMAIN,
        _skimage("hubble_deep_field"),
    ),
    "immunohistochemistry": Photo(
        512,
        512,
        "scikit-image `immunohistochemistry` (CMMI)",
        "no known copyright restrictions",
        _skimage("immunohistochemistry"),
    ),
    "retina": Photo(
        1411,
        1411,
        "scikit-image `retina` (Mikael Häggström, Wikimedia)",
        "CC0",
        _skimage("retina"),
    ),
    "rocket": Photo(
        427,
        640,
        "scikit-image `rocket` (SpaceX)",
        _PUBLIC_DOMAIN,
        _skimage("rocket"),
    ),
    "motorcycle_left": Photo(
        500,
        741,
        "scikit-image `stereo_motorcycle` left view (Middlebury 2014)",
        "Middlebury stereo data: research use, cite Scharstein et al. 2014",
        _skimage("stereo_motorcycle", 0),
    ),
    "motorcycle_right": Photo(
        500,
        741,
        "scikit-image `stereo_motorcycle` right view (Middlebury 2014)",
        "Middlebury stereo data: research use, cite Scharstein et al. 2014",
        _skimage("stereo_motorcycle", 1),
    ),
    "china": Photo(
        427,
        640,
        "scikit-learn `load_sample_image('china.jpg')` (danielbuechele)",
        "CC BY 2.0",
        _sklearn("china.jpg"),
    ),
    "flower": Photo(
        427,
        640,
        "scikit-learn `load_sample_image('flower.jpg')` (vultilion)",
        "CC BY 2.0",
        _sklearn("flower.jpg"),
    ),
    "grace_hopper": Photo(
        600,
        512,
        "matplotlib `sample_data/grace_hopper.jpg` (U.S. Navy)",
        _PUBLIC_DOMAIN,
        _matplotlib("grace_hopper.jpg"),
    ),
}


def _as_rgb(image, name):
    image = np.asarray(image)
    if image.ndim != 3 or image.shape[-1] not in (3, 4):
        raise ValueError(
            f"The photo {name!r} loaded with shape {image.shape}, not as an "
            "RGB image: the installed package ships a different file."
        )
    if image.dtype != np.uint8:
        raise ValueError(
            f"The photo {name!r} loaded as {image.dtype}, not uint8: the "
            "installed package ships a different file."
        )
    return np.ascontiguousarray(image[..., :3])


def load_photos(names=None):
    """Loads colour photographs bundled with scikit-image, scikit-learn and matplotlib.

    Works offline: the files ship inside kgen's dependencies. Use them for
    image applications (colourisation, inpainting, super-resolution) where a
    handful of real photos is enough. An alpha channel, where present, is
    dropped.

    | name | size (H x W) | source | licence |
    |---|---|---|---|
    | `astronaut` | 512 x 512 | scikit-image (NASA) | public domain |
    | `chelsea` | 300 x 451 | scikit-image (a cat) | CC0 |
    | `coffee` | 400 x 600 | scikit-image | CC0 |
    | `hubble_deep_field` | 872 x 1000 | scikit-image (NASA) | public domain |
    | `immunohistochemistry` | 512 x 512 | scikit-image (CMMI) | no known restrictions |
    | `retina` | 1411 x 1411 | scikit-image (Wikimedia) | CC0 |
    | `rocket` | 427 x 640 | scikit-image (SpaceX) | public domain |
    | `motorcycle_left`, `motorcycle_right` | 500 x 741 | scikit-image (Middlebury stereo 2014) | research use with citation |
    | `china`, `flower` | 427 x 640 | scikit-learn (Flickr) | CC BY 2.0 |
    | `grace_hopper` | 600 x 512 | matplotlib (U.S. Navy) | public domain |

    The same facts are in `kgen.datasets.PHOTOS`: name -> `Photo(height,
    width, source, licence, load)`.

    Args:
        names: `None` for all photos, or a name or a list of names above.

    Returns:
        A dict name -> uint8 array of shape `(height, width, 3)`, in the
        order of `names` (or of the table).

    Raises:
        ValueError: an unknown name (the message lists the known ones).

    Example:

    ```python
    photos = kgen.datasets.load_photos(["astronaut", "china"])
    photos["china"].shape  # (427, 640, 3)
    ```
    """
    if names is None:
        names = list(PHOTOS)
    elif isinstance(names, str):
        names = [names]
    names = list(names)
    unknown = [name for name in names if name not in PHOTOS]
    if unknown:
        raise ValueError(
            f"Unknown photo name(s) {unknown}. Known photos: "
            f"{', '.join(PHOTOS)}."
        )
    return {name: _as_rgb(PHOTOS[name].load(), name) for name in names}
