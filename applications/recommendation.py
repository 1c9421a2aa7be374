"""
Title: Movie recommendation with an RBM, AutoRec and Mult-VAE
Description: Rating prediction and top-N lists on MovieLens 100K, against
baselines trained in the same run.

Three recommenders from `kgen.applications.recommendation` learn from the
100,000 ratings of MovieLens 100K:

- rating prediction (hold out 20 % of the ratings at random, RMSE and MAE;
  the neural models stop early on a validation 5 % of the ratings):
  RBM collaborative filtering (Salakhutdinov et al. 2007) and item-based
  AutoRec (Sedhain et al. 2015), against the global mean, user + item
  biases and biased matrix factorisation (Funk's SVD);
- top-N recommendation (ratings >= 4 are clicks; 20 % of the users are held
  out, and each shows the model 80 % of their clicks and is scored on the
  rest, Recall@20 and NDCG@100): Mult-VAE (Liang et al. 2018) against item
  popularity and EASE (Steck 2019).

The script writes `metrics.json`, the training curves and a 2-D map of the
item embeddings learned by AutoRec, coloured by genre, to `--output`.

Usage:

```
KERAS_BACKEND=jax python applications/recommendation.py --output out
python applications/recommendation.py --quick   # a smoke run, 1 minute
```
"""

import argparse
import json
import os
import time

import keras
import matplotlib
import numpy as np

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from sklearn.manifold import TSNE  # noqa: E402

import kgen  # noqa: E402
from kgen.applications import recommendation as rec  # noqa: E402

GENRES = ("Drama", "Comedy", "Action", "Thriller", "Horror", "Children's")

"""
## Settings
"""


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[1][7:])
    parser.add_argument(
        "--data-dir",
        default=os.path.join("..", "shared", "data"),
        help="folder holding ml-100k/ (default ../shared/data)",
    )
    parser.add_argument(
        "--output",
        default="recommendation_output",
        help="folder for metrics.json and the figures",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="few epochs: a smoke run, not a result",
    )
    parser.add_argument("--seed", type=int, default=0)
    return parser.parse_args(argv)


def settings(quick):
    epochs = dict(rbm=60, autorec=150, vae=220, anneal=500, mf=20)
    if quick:
        epochs = {name: max(1, n // 20) for name, n in epochs.items()}
    return epochs


"""
## Data: one random split of the ratings, and one of the users
"""


def split_ratings(data, seed):
    """Training (75 %), validation (5 %, early stopping) and test ratings."""
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(data["rating"]))
    cuts = np.split(order, [int(0.75 * len(order)), int(0.8 * len(order))])
    columns = ("user_id", "item_id", "rating")
    return [{k: np.asarray(data[k])[rows] for k in columns} for rows in cuts]


def split_users(matrix, seed):
    """Training users' clicks, and held-out users' fold-in / held-out parts."""
    clicks = (matrix >= 4).astype("float32")
    rng = np.random.default_rng(seed)
    users = rng.permutation(len(clicks))
    heldout_users = users[: len(users) // 5]
    train_users = users[len(users) // 5 :]
    fold_in, heldout = rec.fold_in_split(clicks[heldout_users], seed=seed)
    keep = heldout.sum(axis=1) > 0
    return clicks[train_users], fold_in[keep], heldout[keep]


"""
## A progress bar over epochs
"""


class EpochBar(keras.callbacks.Callback):
    def __init__(self, name, epochs):
        super().__init__()
        print(name)
        self.bar = keras.utils.Progbar(epochs, stateful_metrics=None)

    def on_epoch_end(self, epoch, logs=None):
        shown = [(k, v) for k, v in (logs or {}).items() if k.startswith("val")]
        self.bar.update(epoch + 1, shown)


"""
## Rating prediction
"""


def rating_errors(predicted, actual):
    error = np.asarray(predicted, "float64") - actual
    return {
        "rmse": float(np.sqrt(np.mean(error**2))),
        "mae": float(np.mean(np.abs(error))),
    }


def rating_models(data, train, validation, test, epochs, seed):
    users, items = train["user_id"], train["item_id"]
    ratings = train["rating"].astype("float64")
    baselines = {
        "global_mean": rec.baselines.global_mean(users, items, ratings),
        "biases": rec.baselines.biases(users, items, ratings),
        "biased_mf_sgd": rec.baselines.biased_matrix_factorization(
            users, items, ratings, epochs=epochs["mf"], seed=seed
        ),
    }
    metrics = {
        name: rating_errors(
            predict(test["user_id"], test["item_id"]), test["rating"]
        )
        for name, predict in baselines.items()
    }
    models = {
        "rbm_cf": (
            rec.RBMRecommender(num_hidden=100, seed=seed),
            keras.optimizers.SGD(0.01, momentum=0.9),
            16,
            epochs["rbm"],
        ),
        "i_autorec": (
            rec.AutoRec(kind="item", num_hidden=500, l2=100, seed=seed),
            keras.optimizers.Adam(3e-3),
            256,
            epochs["autorec"],
        ),
    }
    ids = dict(
        user_ids=np.arange(data["num_users"]),
        item_ids=np.arange(data["num_items"]),
    )
    curves = {}
    for name, (model, optimizer, batch_size, n) in models.items():
        model.compile(optimizer=optimizer)
        history = model.fit(
            train,
            epochs=n,
            batch_size=batch_size,
            validation_data=validation,
            verbose=0,
            callbacks=[
                EpochBar(name, n),
                keras.callbacks.EarlyStopping(
                    "val_rmse",
                    mode="min",
                    patience=15,
                    restore_best_weights=True,
                ),
            ],
            **ids,
        )
        curves[name] = history.history["val_rmse"]
        metrics[name] = rating_errors(
            model.predict(test["user_id"], test["item_id"]), test["rating"]
        )
    return metrics, curves, models["i_autorec"][0]


"""
## Top-N recommendation for held-out users
"""


def ranking_metrics(scores, fold_in, heldout):
    scores = np.where(fold_in > 0, -np.inf, scores)
    return {
        "recall_at_20": float(rec.recall_at_k(scores, heldout, 20).mean()),
        "ndcg_at_100": float(rec.ndcg_at_k(scores, heldout, 100).mean()),
    }


def top_n_models(train_clicks, fold_in, heldout, epochs, seed):
    metrics = {
        "popularity": ranking_metrics(
            np.tile(
                rec.baselines.item_popularity(train_clicks), (len(fold_in), 1)
            ),
            fold_in,
            heldout,
        ),
        "ease": ranking_metrics(
            fold_in @ rec.baselines.ease_weights(train_clicks, l2=200.0),
            fold_in,
            heldout,
        ),
    }
    # The benchmark's settings chosen on validation users (its docs page):
    # input dropout 0.8, batch 500, beta ramped over 500 epochs (0.09 at 220).
    model = rec.MultVAE(dropout=0.8, seed=seed)
    model.compile(optimizer=keras.optimizers.Adam(1e-3))
    history = model.fit(
        train_clicks,
        epochs=epochs["vae"],
        batch_size=500,
        verbose=0,
        callbacks=[
            kgen.callbacks.KLAnnealing(epochs=epochs["anneal"]),
            EpochBar("mult_vae", epochs["vae"]),
        ],
    )
    metrics["mult_vae"] = ranking_metrics(
        model.score_items(fold_in), fold_in, heldout
    )
    return metrics, history.history["loss"]


"""
## Pictures
"""


def plot_curves(curves, vae_loss, path):
    figure, (left, right) = plt.subplots(1, 2, figsize=(9, 3.4))
    for name, values in curves.items():
        left.plot(np.arange(1, len(values) + 1), values, label=name)
    left.set(
        xlabel="epoch", ylabel="validation RMSE", title="Rating prediction"
    )
    left.legend()
    right.plot(np.arange(1, len(vae_loss) + 1), vae_loss)
    right.set(
        xlabel="epoch",
        ylabel="loss (nats per user)",
        title="Mult-VAE training loss",
    )
    figure.tight_layout()
    figure.savefig(path, dpi=80)
    plt.close(figure)


def plot_item_map(model, data, path, seed):
    """t-SNE of AutoRec's item codes for the 500 most-rated films."""
    counts = np.bincount(data["item_id"], minlength=data["num_items"])
    popular = np.zeros(len(counts), bool)
    popular[np.argsort(-counts, kind="stable")[:500]] = True
    matrix = keras.ops.convert_to_numpy(model.ratings).T
    codes = keras.ops.convert_to_numpy(model.encoder(matrix))
    genre = np.array(
        [
            next((g for g in GENRES if g in genres), "other")
            for genres in data["genres"]
        ]
    )
    chosen = np.flatnonzero(popular & (genre != "other"))
    points = TSNE(
        2, init="pca", perplexity=min(30, len(chosen) - 1), random_state=seed
    ).fit_transform(codes[chosen])
    figure, axes = plt.subplots(figsize=(6, 5))
    for name in GENRES:
        mask = genre[chosen] == name
        axes.scatter(*points[mask].T, s=8, label=name)
    axes.set(
        title="AutoRec item codes (t-SNE), by first genre", xticks=[], yticks=[]
    )
    axes.legend(markerscale=2, fontsize=8)
    figure.tight_layout()
    figure.savefig(path, dpi=80)
    plt.close(figure)


"""
## Run
"""


def main(argv=None):
    args = parse_args(argv)
    os.makedirs(args.output, exist_ok=True)
    keras.utils.set_random_seed(args.seed)
    start = time.time()
    epochs = settings(args.quick)
    data = kgen.datasets.load_movielens_100k(args.data_dir)
    rating, curves, autorec = rating_models(
        data, *split_ratings(data, args.seed), epochs, args.seed
    )
    matrix, _ = kgen.datasets.ratings_matrix(
        data["user_id"],
        data["item_id"],
        data["rating"],
        data["num_users"],
        data["num_items"],
    )
    ranking, vae_loss = top_n_models(
        *split_users(matrix, args.seed), epochs, args.seed
    )
    plot_curves(curves, vae_loss, os.path.join(args.output, "curves.png"))
    plot_item_map(
        autorec, data, os.path.join(args.output, "item_map.png"), args.seed
    )
    metrics = {
        "rating_prediction": rating,
        "top_n": ranking,
        "settings": {
            "epochs": epochs,
            "seed": args.seed,
            "backend": keras.backend.backend(),
            "quick": args.quick,
        },
        "wall_seconds": round(time.time() - start, 1),
    }
    with open(os.path.join(args.output, "metrics.json"), "w") as file:
        json.dump(metrics, file, indent=2)
    print(
        json.dumps(
            {k: metrics[k] for k in ("rating_prediction", "top_n")}, indent=1
        )
    )
    return metrics


if __name__ == "__main__":
    main()
