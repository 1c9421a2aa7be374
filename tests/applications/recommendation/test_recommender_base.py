"""Shared recommender behaviour: input formats, errors, ids, `recommend`."""

import keras
import numpy as np
import pytest

from kgen.applications.recommendation import AutoRec
from kgen.applications.recommendation import MultVAE
from kgen.applications.recommendation import RBMRecommender

MODELS = {
    "item_autorec": lambda: AutoRec(kind="item", num_hidden=4, seed=0),
    "user_autorec": lambda: AutoRec(kind="user", num_hidden=4, seed=0),
    "rbm": lambda: RBMRecommender(num_hidden=4, seed=0),
    "mult_vae": lambda: MultVAE(hidden_units=(6,), latent_dim=2, seed=0),
}


def fitted(name, ratings, epochs=1):
    model = MODELS[name]()
    model.compile(optimizer=keras.optimizers.Adam(1e-2))
    model.fit(ratings, epochs=epochs, batch_size=4, verbose=0)
    return model


@pytest.mark.parametrize("name", sorted(MODELS))
def test_recommend_excludes_seen_items_and_ranks_by_score(name, tiny_ratings):
    model = fitted(name, tiny_ratings)
    items = np.arange(10, 90, 10)
    for user in np.unique(tiny_ratings["user"]):
        seen = set(tiny_ratings["item"][tiny_ratings["user"] == user])
        recommended = model.recommend(user, k=8)
        assert not seen & set(recommended.tolist())
        assert len(recommended) == 8 - len(seen)
        everything = model.recommend(user, k=8, exclude_seen=False)
        assert sorted(everything) == items.tolist()
    scores = model.user_scores(model.user_index(5))[0]
    best = model.recommend(5, k=3, exclude_seen=False)
    np.testing.assert_array_equal(best, items[np.argsort(-scores)[:3]])
    # `predict` gives the same scores (clipped to the scale for ratings).
    if model.predicts_ratings:
        scores = np.clip(scores, 1, 5)
    np.testing.assert_allclose(
        model.predict(np.full(8, 5), items), scores, rtol=1e-5
    )


def test_input_formats_agree(tiny_ratings):
    users, items = tiny_ratings["user"], tiny_ratings["item"]
    triples = (users, items, tiny_ratings["rating"])
    matrix = np.zeros((40, 90), "float32")
    matrix[users, items] = tiny_ratings["rating"]
    from_dict = fitted("user_autorec", tiny_ratings, epochs=1)
    from_tuple = fitted("user_autorec", triples, epochs=1)
    from_matrix = fitted("user_autorec", matrix, epochs=1)
    np.testing.assert_array_equal(from_dict.ratings, from_tuple.ratings)
    np.testing.assert_array_equal(from_dict.user_ids, np.unique(users))
    # A matrix's ids are all its row and column numbers.
    np.testing.assert_array_equal(from_matrix.item_ids, np.arange(90))
    np.testing.assert_array_equal(from_matrix.ratings, matrix)


def test_declared_ids_and_default_fallback(tiny_ratings):
    model = AutoRec(kind="user", num_hidden=3, seed=0)
    model.compile(optimizer="adam")
    model.fit(
        tiny_ratings,
        epochs=1,
        verbose=0,
        user_ids=[3, 5, 8, 13, 21, 34, 99],
        item_ids=list(range(10, 100, 10)),
    )
    assert (model.num_users, model.num_items) == (7, 9)
    # An unrated but declared item is predicted; an unknown one raises ...
    assert np.isfinite(model.predict([99], [90])).all()
    with pytest.raises(ValueError, match=r"Unknown item ids: \[7\]"):
        model.predict([3], [7])
    # ... unless a fallback is given.
    result = model.predict([3, 3, 1000], [10, 7, 10], default=3.5)
    np.testing.assert_array_equal(result[1:], [3.5, 3.5])
    low, high = model.rating_scale
    assert low <= result[0] <= high


@pytest.mark.parametrize(
    "ratings, match",
    [
        (([1, 2], [1, 1], [3.0, 6.0]), r"rating_scale \[1, 5\].*6"),
        (([1, 2], [1, 1], [3.0, 0.5]), r"rating_scale"),
        (([1, 1], [2, 2], [3.0, 4.0]), r"duplicate.*user 1, item 2"),
        (([], [], []), r"empty"),
        (([1, 2], [1, 1], [3.0, np.nan]), r"NaN"),
        (([1, 2], [1], [3.0, 4.0]), r"equal length"),
        ((["a", "b"], [1, 1], [3.0, 4.0]), r"must be integers"),
        ("ratings.csv", r"must be a dict"),
        ({"user": [1], "film": [2]}, r"keys"),
        (np.array([[1.0, np.nan]]), r"NaN"),
    ],
)
def test_bad_ratings_are_rejected(ratings, match):
    model = AutoRec(kind="user", num_hidden=2)
    with pytest.raises(ValueError, match=match):
        model.fit(ratings)
    assert not model.built


def test_not_fitted_and_bad_arguments(tiny_ratings):
    model = AutoRec(num_hidden=2)
    with pytest.raises(ValueError, match="has not been fitted"):
        model.predict([1], [1])
    with pytest.raises(ValueError, match="has not been fitted"):
        model.recommend(1)
    with pytest.raises(ValueError, match="rating_scale"):
        AutoRec(rating_scale=(0, 5))
    with pytest.raises(ValueError, match="kind"):
        AutoRec(kind="movie")
    with pytest.raises(ValueError, match="integer"):
        RBMRecommender(rating_scale=(0.5, 5))
    with pytest.raises(ValueError, match="dropout"):
        MultVAE(dropout=1.0)
    fitted_model = fitted("user_autorec", tiny_ratings, epochs=1)
    with pytest.raises(ValueError, match="`k` must be an integer >= 1"):
        fitted_model.recommend(3, k=0)
    with pytest.raises(ValueError, match="item_ids` differs"):
        fitted_model.fit(tiny_ratings, item_ids=[1, 2], verbose=0)
    with pytest.raises(ValueError, match=r"Unknown user ids: \[4\]"):
        fitted_model.fit(([4], [10], [3.0]), verbose=0)
    with pytest.raises(ValueError, match=r"shape \(num_users, 8\)"):
        fitted_model.score_items(np.zeros((2, 3)))


def test_validation_data_logs_rmse(tiny_ratings):
    model = AutoRec(kind="item", num_hidden=3, seed=0)
    model.compile(optimizer="adam")
    held_out = {k: v[:5] for k, v in tiny_ratings.items()}
    train = {k: v[5:] for k, v in tiny_ratings.items()}
    history = model.fit(
        train,
        epochs=2,
        verbose=0,
        validation_data=held_out,
        user_ids=tiny_ratings["user"],
        item_ids=tiny_ratings["item"],
    )
    error = (
        model.predict(held_out["user"], held_out["item"]) - held_out["rating"]
    )
    np.testing.assert_allclose(
        history.history["val_rmse"][-1], np.sqrt(np.mean(error**2)), rtol=1e-5
    )
    assert len(history.history["rmse"]) == 2
