"""Top-N ranking metrics (the definitions of Liang et al. 2018), NumPy."""

import numpy as np

from kgen.utils.validation import check_integer


def top_k(scores, k):
    """Indices of the `k` highest scores of each row, best first.

    Args:
        scores: array `(num_users, num_items)`; `-inf` marks excluded items.
        k: int >= 1 (capped at `num_items`).

    Returns:
        int array `(num_users, min(k, num_items))`.
    """
    scores = np.asarray(scores, "float64")
    k = min(check_integer(k, "k"), scores.shape[1])
    part = np.argpartition(-scores, k - 1, axis=1)[:, :k]
    order = np.argsort(-np.take_along_axis(scores, part, 1), axis=1)
    return np.take_along_axis(part, order, 1)


def _hits(scores, heldout, k):
    scores, heldout = _check(scores, heldout)
    ranked = top_k(scores, k)
    return np.take_along_axis(heldout > 0, ranked, 1), heldout.sum(axis=1)


def recall_at_k(scores, heldout, k):
    """Recall@k per user: hits in the top `k` / `min(k, number held out)`.

    Reference:
        Liang et al., "Variational Autoencoders for Collaborative
        Filtering", WWW 2018, section 4.2.

    Args:
        scores: array `(num_users, num_items)` of ranking scores (`-inf`
            for items that must not be ranked, e.g. the fold-in items).
        heldout: 0/1 array of the same shape, the held-out relevant items;
            every row needs at least one.
        k: int >= 1.

    Returns:
        float array `(num_users,)`.

    Example:

    ```python
    recall_at_k([[0.9, 0.1, 0.5]], [[0, 1, 1]], k=2)  # [0.5]
    ```
    """
    hits, relevant = _hits(scores, heldout, k)
    return hits.sum(axis=1) / np.minimum(k, relevant)


def ndcg_at_k(scores, heldout, k):
    """NDCG@k per user with binary relevance.

    `DCG = sum_r hit_r / log2(r + 1)` over the top `k` ranks, divided by the
    DCG of an ideal ranking (all held-out items first).

    Args:
        scores: array `(num_users, num_items)` of ranking scores.
        heldout: 0/1 array of the same shape; every row needs at least one.
        k: int >= 1.

    Returns:
        float array `(num_users,)` in [0, 1].

    Example:

    ```python
    ndcg_at_k([[0.9, 0.1, 0.5]], [[0, 1, 1]], k=3)
    # (1/log2(3) + 1/log2(4)) / (1 + 1/log2(3))
    ```
    """
    hits, relevant = _hits(scores, heldout, k)
    discounts = 1.0 / np.log2(np.arange(2, hits.shape[1] + 2))
    dcg = hits @ discounts
    ideal = np.cumsum(discounts)[np.minimum(relevant, hits.shape[1]) - 1]
    return dcg / ideal


def _check(scores, heldout):
    scores, heldout = np.asarray(scores), np.asarray(heldout)
    if scores.ndim != 2 or scores.shape != heldout.shape:
        raise ValueError(
            "`scores` and `heldout` must be 2-D arrays of one shape "
            f"(num_users, num_items). Received {scores.shape} and "
            f"{heldout.shape}."
        )
    empty = heldout.sum(axis=1) == 0
    if empty.any():
        raise ValueError(
            f"Every user needs a held-out item; {int(empty.sum())} rows of "
            "`heldout` are empty. Drop those users first."
        )
    return scores, heldout.astype(int)


def fold_in_split(clicks, heldout_fraction=0.2, min_clicks=5, seed=0):
    """Splits each user's clicks into a fold-in part and a held-out part.

    The protocol of Liang et al. (2018) for held-out users: a model sees a
    test user's fold-in clicks (80 % by default, chosen at random) and is
    scored on ranking the held-out rest among the items outside the
    fold-in. Users with fewer than `min_clicks` clicks keep them all in the
    fold-in part (and drop out of the evaluation).

    Args:
        clicks: 0/1 array `(num_users, num_items)`.
        heldout_fraction: float in (0, 1).
        min_clicks: int >= 1, fewest clicks of a user who gets a held-out
            part.
        seed: seed of the random choice.

    Returns:
        `(fold_in, heldout)`: 0/1 float32 arrays shaped like `clicks` whose
        sum is `clicks`.
    """
    if not 0 < heldout_fraction < 1:
        raise ValueError(
            "`heldout_fraction` must be in (0, 1). Received: "
            f"heldout_fraction={heldout_fraction!r}."
        )
    clicks = np.asarray(clicks) > 0
    rng = np.random.default_rng(seed)
    heldout = np.zeros(clicks.shape, "float32")
    for user, row in enumerate(clicks):
        items = np.flatnonzero(row)
        if len(items) >= check_integer(min_clicks, "min_clicks"):
            keep = int((1 - heldout_fraction) * len(items))
            heldout[user, rng.permutation(items)[keep:]] = 1
    return clicks.astype("float32") - heldout, heldout
