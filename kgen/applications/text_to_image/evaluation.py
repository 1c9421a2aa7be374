"""Evaluation of text-to-image models: R-precision of a joint embedding."""

import numpy as np

from kgen.utils.validation import check_array
from kgen.utils.validation import check_integer


def r_precision(
    image_embeddings,
    caption_embeddings,
    groups=None,
    num_candidates=100,
    seed=0,
):
    """R-precision (R = 1): how often an image's own caption ranks first.

    For each image `i`, its caption `i` competes with `num_candidates - 1`
    captions drawn at random from the other rows; the image retrieves the
    caption of highest cosine similarity. With `groups` (e.g. an id per
    attribute combination) the competitors are drawn only from other
    groups, so that a caption saying exactly the same thing in other words
    does not count as a wrong answer. Chance level is `1 / num_candidates`.

    Reference: Xu et al., "AttnGAN: Fine-Grained Text to Image Generation
    with Attentional GANs", CVPR 2018 (R-precision with 100 candidates).

    Args:
        image_embeddings: array `(num, dim)` (real or generated images).
        caption_embeddings: array `(num, dim)`, row `i` describing image `i`.
        groups: `None` or an int array `(num,)`.
        num_candidates: int >= 2, captions per retrieval, the right one
            included.
        seed: seed of the competitor draws.

    Returns:
        Float in [0, 1].

    Example:

    ```python
    r_precision(model.encode_images(x), model.encode_captions(captions))
    ```
    """
    images = _unit(check_array(image_embeddings, "image_embeddings"))
    captions = _unit(
        check_array(
            caption_embeddings,
            "caption_embeddings",
            feature_shape=images.shape[1:],
        )
    )
    if len(captions) != len(images):
        raise ValueError(
            f"Received {len(images)} image embeddings and {len(captions)} "
            "caption embeddings; pass one caption per image."
        )
    num_candidates = check_integer(num_candidates, "num_candidates", 2)
    groups = np.arange(len(images)) if groups is None else np.asarray(groups)
    rng = np.random.default_rng(seed)
    hits = []
    for row in range(len(images)):
        others = np.flatnonzero(groups != groups[row])
        if len(others) < num_candidates - 1:
            raise ValueError(
                f"Image {row} has only {len(others)} competitors from other "
                f"groups; {num_candidates - 1} are needed. Pass more "
                "samples or fewer `num_candidates`."
            )
        picked = rng.choice(others, num_candidates - 1, replace=False)
        scores = captions[picked] @ images[row]
        hits.append(captions[row] @ images[row] > scores.max())
    return float(np.mean(hits))


def _unit(x):
    return x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)
