"""Ranking metrics and NumPy baselines against hand values."""

import numpy as np
import pytest

from kgen.applications.recommendation import baselines
from kgen.applications.recommendation import fold_in_split
from kgen.applications.recommendation import ndcg_at_k
from kgen.applications.recommendation import recall_at_k
from kgen.applications.recommendation import top_k


def test_recall_and_ndcg_hand_values():
    scores = np.array([[0.9, 0.1, 0.5, 0.3], [0.1, 0.2, 0.3, -np.inf]])
    heldout = np.array([[0, 1, 1, 0], [1, 0, 0, 1]])
    np.testing.assert_array_equal(top_k(scores, 2), [[0, 2], [2, 1]])
    # User 0: the top 2 holds item 2 (one of two relevant); user 1 none.
    np.testing.assert_allclose(recall_at_k(scores, heldout, 2), [0.5, 0.0])
    # Recall divides by min(k, relevant): k=1 and one hit gives 1.
    np.testing.assert_allclose(recall_at_k([[1.0, 0.0]], [[1, 1]], 1), [1.0])
    # User 0 at k=4: hits at ranks 2 and 4; user 1: ranks 3 and 4.
    ideal = 1 + 1 / np.log2(3)
    np.testing.assert_allclose(
        ndcg_at_k(scores, heldout, 4),
        [
            (1 / np.log2(3) + 1 / np.log2(5)) / ideal,
            (1 / np.log2(4) + 1 / np.log2(5)) / ideal,
        ],
    )
    with pytest.raises(ValueError, match="held-out item"):
        ndcg_at_k(scores, [[0, 0, 0, 0], [1, 0, 0, 0]], 2)


def test_ease_matches_per_item_ridge_regressions(rng):
    x = (rng.random((30, 6)) < 0.4).astype(float)
    weights = baselines.ease_weights(x, l2=3.0)
    for j in range(6):
        others = [i for i in range(6) if i != j]
        a = x[:, others]
        ridge = np.linalg.solve(a.T @ a + 3.0 * np.eye(5), a.T @ x[:, j])
        np.testing.assert_allclose(weights[others, j], ridge, atol=1e-8)
        assert weights[j, j] == 0


def test_bias_and_factor_baselines_recover_their_models(rng):
    user_effect, item_effect = rng.normal(size=20), rng.normal(size=15)
    users, items = np.meshgrid(np.arange(20), np.arange(15), indexing="ij")
    users, items = users.ravel(), items.ravel()
    additive = 3 + user_effect[users] + item_effect[items]
    predict = baselines.biases(users, items, additive, 0.0, 0.0, epochs=20)
    np.testing.assert_allclose(predict(users, items), additive, atol=1e-6)
    mean = baselines.global_mean(users, items, additive)
    np.testing.assert_allclose(mean(users[:3], items[:3]), additive.mean())
    low_rank = (
        additive + np.outer(rng.normal(size=20), rng.normal(size=15)).ravel()
    )
    predict = baselines.biased_matrix_factorization(
        users,
        items,
        low_rank,
        factors=3,
        epochs=200,
        learning_rate=0.02,
        reg=0.0,
    )
    rmse = np.sqrt(np.mean((predict(users, items) - low_rank) ** 2))
    assert rmse < 0.1 * np.std(low_rank), rmse
    item_clicks = baselines.item_popularity([[1, 0, 1], [1, 0, 0]])
    np.testing.assert_array_equal(item_clicks, [2, 0, 1])


def test_fold_in_split(rng):
    clicks = (rng.random((6, 40)) < 0.3).astype(float)
    clicks[0, :] = 0
    clicks[0, :3] = 1  # too few clicks: no held-out part
    fold_in, heldout = fold_in_split(clicks, 0.2, seed=1)
    np.testing.assert_array_equal(fold_in + heldout, clicks)
    assert heldout[0].sum() == 0
    for row in range(1, 6):
        n = clicks[row].sum()
        assert heldout[row].sum() == n - int(0.8 * n)
    again = fold_in_split(clicks, 0.2, seed=1)[1]
    np.testing.assert_array_equal(again, heldout)
