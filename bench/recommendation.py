"""MovieLens 100K: kgen's recommenders against baselines, identical folds.

Two tasks, run on the JAX backend (`KERAS_BACKEND=jax` by default):

- `rating`: 5-fold cross-validation of the 100,000 ratings (random folds,
  fixed seed), RMSE and MAE of the global mean, user + item biases, biased
  matrix factorisation (Surprise's `SVD` when scikit-surprise is installed,
  else kgen's NumPy version), optionally Surprise's `SVD++`, and kgen's
  I-AutoRec, U-AutoRec and RBM-CF. Published 5-fold RMSE (Surprise's
  table): SVD 0.934, SVD++ 0.919.
- `topn`: ratings >= 4 are clicks; 5 folds over the users, each user held
  out once; a held-out user shows the model 80 % of their clicks and is
  scored on ranking the rest (Liang et al. 2018), Recall@20 and NDCG@100 of
  item popularity, EASE (its `l2` chosen on a validation tenth of the
  training users) and kgen's Mult-VAE.

Writes `bench/results/recommendation_<task>.json` and prints a table.

    python bench/recommendation.py --task rating
    python bench/recommendation.py --task topn --folds 2 --quick
"""

import argparse
import json
import os
import tempfile
import time

os.environ.setdefault("KERAS_BACKEND", "jax")

import keras  # noqa: E402
import numpy as np  # noqa: E402

import kgen  # noqa: E402
from kgen.applications import recommendation as rec  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PUBLISHED = {"surprise_svd": 0.934, "surprise_svdpp": 0.919}
EASE_L2 = (50.0, 100.0, 200.0, 500.0, 1000.0)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--task", choices=("rating", "topn"), default="rating")
    parser.add_argument(
        "--data-dir", default=os.path.join(ROOT, "..", "shared", "data")
    )
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--quick", action="store_true", help="few epochs")
    parser.add_argument("--svdpp", action="store_true", help="add SVD++")
    parser.add_argument(
        "--skip", nargs="*", default=(), help="model names to leave out"
    )
    parser.add_argument(
        "--validate",
        action="store_true",
        help="tune on fold 0's training data only (the test folds are not "
        "read): print validation curves instead of test figures",
    )
    parser.add_argument("--rbm-hidden", type=int, default=100)
    parser.add_argument("--rbm-lr", type=float, default=0.01)
    parser.add_argument("--rbm-decay", type=float, default=0.001)
    parser.add_argument("--rbm-batch", type=int, default=16)
    parser.add_argument("--rbm-epochs", type=int, default=60)
    parser.add_argument(
        "--rbm-schedule",
        default="0:1",
        help="CD-T schedule, epoch:k pairs, e.g. 0:1,20:3,30:5",
    )
    parser.add_argument(
        "--rbm-conditional",
        action="store_true",
        help="conditional RBM; r holds the validation pairs and (without "
        "--validate) the test pairs, their ratings hidden",
    )
    parser.add_argument(
        "--rbm-prediction",
        choices=("mean_field", "exact"),
        default="mean_field",
        help="RBM-CF's p(v_i | v_u): mean-field hidden units or summed out",
    )
    parser.add_argument(
        "--rbm-kind",
        choices=("user", "item"),
        default="user",
        help="RBM-CF's training cases: users (the paper's) or items (I-RBM)",
    )
    parser.add_argument(
        "--rbm-ensemble",
        type=int,
        default=1,
        help="RBM-CF: average the predictions of this many RBMs (seeds 0..)",
    )
    parser.add_argument("--vae-batch", type=int, nargs="+", default=[500])
    parser.add_argument("--vae-beta", type=float, nargs="+", default=[0.2])
    parser.add_argument("--vae-epochs", type=int, default=220)
    parser.add_argument(
        "--vae-anneal",
        type=int,
        default=500,
        help="epochs of beta's ramp (0: beta constant from the start)",
    )
    parser.add_argument(
        "--vae-arch",
        nargs="+",
        default=["600-200"],
        help="hidden sizes then latent size, e.g. 600-200 or 100-50",
    )
    parser.add_argument("--vae-decay", type=float, nargs="+", default=[0.0])
    parser.add_argument("--vae-dropout", type=float, nargs="+", default=[0.8])
    parser.add_argument("--vae-lr", type=float, default=1e-3)
    parser.add_argument(
        "--vae-select",
        action="store_true",
        help="test folds: train Mult-VAE on 90 %% of each fold's training "
        "users and keep the weights of the best validation NDCG@100 (checked "
        "every --eval-every epochs on the other 10 %%), as Liang et al. do",
    )
    parser.add_argument(
        "--eval-every",
        type=int,
        default=25,
        help="epochs between validation checks (--validate, --vae-select)",
    )
    return parser.parse_args()


def folds(n, k, seed):
    order = np.random.default_rng(seed).permutation(n)
    return np.array_split(order, k)


def errors(predicted, actual):
    error = np.asarray(predicted, "float64") - actual
    return {
        "rmse": float(np.sqrt(np.mean(error**2))),
        "mae": float(np.mean(np.abs(error))),
    }


# Rating prediction -------------------------------------------------------


def surprise_model(name, train, test):
    import surprise

    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "train.tsv")
        np.savetxt(path, np.stack(train, 1), fmt="%d", delimiter="\t")
        reader = surprise.Reader(
            line_format="user item rating", sep="\t", rating_scale=(1, 5)
        )
        trainset = surprise.Dataset.load_from_file(path, reader)
    algorithm = {"surprise_svd": surprise.SVD, "surprise_svdpp": surprise.SVDpp}
    model = algorithm[name](random_state=0)
    model.fit(trainset.build_full_trainset())
    return np.array(
        [model.predict(str(u), str(i)).est for u, i in zip(*test[:2])]
    )


def kgen_rating_model(name, args, seed=0):
    epochs = {"rbm_cf": args.rbm_epochs, "i_autorec": 150, "u_autorec": 150}
    epochs = epochs[name]
    epochs = max(2, epochs // 20) if args.quick else epochs
    if name == "rbm_cf":
        schedule = dict(
            map(int, pair.split(":")) for pair in args.rbm_schedule.split(",")
        )
        model = rec.RBMRecommender(
            num_hidden=args.rbm_hidden,
            weight_decay=args.rbm_decay,
            conditional=args.rbm_conditional,
            k_schedule=schedule,
            prediction=args.rbm_prediction,
            kind=args.rbm_kind,
            seed=seed,
        )
        optimizer = keras.optimizers.SGD(args.rbm_lr, momentum=0.9)
        return model, optimizer, args.rbm_batch, epochs
    kind = {"i_autorec": "item", "u_autorec": "user"}[name]
    model = rec.AutoRec(kind=kind, num_hidden=500, l2=100.0, seed=0)
    return model, keras.optimizers.Adam(3e-3), 256, epochs


def rating_task(args, data, save):
    triples = [np.asarray(data[k]) for k in ("user_id", "item_id", "rating")]
    ids = dict(
        user_ids=np.arange(data["num_users"]),
        item_ids=np.arange(data["num_items"]),
    )
    names = ["global_mean", "biases"]
    try:
        import surprise  # noqa: F401

        names += ["surprise_svd"] + (["surprise_svdpp"] if args.svdpp else [])
    except ImportError:
        names.append("numpy_biased_mf")
    names += ["u_autorec", "i_autorec", "rbm_cf"]
    names = [n for n in names if n not in args.skip]
    results = {name: [] for name in names}
    if args.validate:  # fold 0's training ratings only
        names = [n for n in names if n in ("u_autorec", "i_autorec", "rbm_cf")]
        results = {name: [] for name in names}
    for index, test_rows in enumerate(folds(len(triples[2]), 5, args.seed)):
        if index >= (1 if args.validate else args.folds):
            break
        train_rows = np.setdiff1d(np.arange(len(triples[2])), test_rows)
        train = [t[train_rows] for t in triples]
        test = [t[test_rows] for t in triples]
        for name in names:
            start = time.time()
            predicted, extra = rating_prediction(name, train, test, ids, args)
            if args.validate:  # the test fold's ratings stay unread
                result = extra
            else:
                result = {**errors(predicted, test[2]), **extra}
            result["seconds"] = round(time.time() - start, 1)
            results[name].append(result)
            print(f"fold {index} {name:16s} {result}", flush=True)
        save(results)
    return results


def rating_prediction(name, train, test, ids, args):
    baselines = {
        "global_mean": rec.baselines.global_mean,
        "biases": rec.baselines.biases,
        "numpy_biased_mf": rec.baselines.biased_matrix_factorization,
    }
    if name in baselines:
        return baselines[name](*train)(*test[:2]), {}
    if name.startswith("surprise"):
        return surprise_model(name, train, test), {}
    members = args.rbm_ensemble if name == "rbm_cf" else 1
    runs = [
        fit_kgen_model(name, train, test, ids, args, seed)
        for seed in range(members)
    ]
    extra = runs[0][2]
    if members > 1:  # the average of the members' predictions
        users, items, values = runs[0][1]
        averaged = np.mean([m.predict(users, items) for m, _, _ in runs], 0)
        extra = {
            "val_rmse": errors(averaged, values)["rmse"],
            "members": [e for _, _, e in runs],
        }
    if args.validate:
        return None, extra
    predicted = np.mean([m.predict(*test[:2]) for m, _, _ in runs], 0)
    return predicted, extra


def fit_kgen_model(name, train, test, ids, args, seed):
    # Early stopping on a validation 5 % of the training fold (seed 0).
    model, optimizer, batch_size, epochs = kgen_rating_model(name, args, seed)
    order = np.random.default_rng(0).permutation(len(train[2]))
    cut = len(order) // 20
    validation = tuple(t[order[:cut]] for t in train)
    ids = dict(ids)
    if getattr(model, "conditional", False):
        # r: the pairs to predict, ratings hidden (the paper's protocol).
        pairs = [validation[:2]] + ([] if args.validate else [test[:2]])
        ids["rated"] = tuple(np.concatenate(p) for p in zip(*pairs))
    model.compile(optimizer=optimizer)
    start = time.time()
    history = model.fit(
        tuple(t[order[cut:]] for t in train),
        epochs=epochs,
        batch_size=batch_size,
        verbose=0,
        validation_data=validation,
        callbacks=[
            keras.callbacks.EarlyStopping(
                "val_rmse", mode="min", patience=15, restore_best_weights=True
            )
        ],
        **ids,
    )
    curve = history.history["val_rmse"]
    extra = {
        "best_epoch": int(np.argmin(curve)) + 1,
        "val_rmse": float(np.min(curve)),
        "seconds_per_epoch": round((time.time() - start) / len(curve), 2),
    }
    if args.validate:
        print("  val_rmse per epoch:", np.round(curve, 4).tolist())
    return model, validation, extra


# Top-N ---------------------------------------------------------------------


def ranking(scores, fold_in, heldout):
    scores = np.where(fold_in > 0, -np.inf, scores)
    return {
        "recall_at_20": float(rec.recall_at_k(scores, heldout, 20).mean()),
        "ndcg_at_100": float(rec.ndcg_at_k(scores, heldout, 100).mean()),
    }


def held_out_users(clicks, users, seed):
    fold_in, heldout = rec.fold_in_split(clicks[users], seed=seed)
    keep = heldout.sum(axis=1) > 0
    return fold_in[keep], heldout[keep]


def validation_split(train, seed):
    """Training users cut into the rest and a validation tenth."""
    users = np.random.default_rng(seed).permutation(len(train))
    return users[len(users) // 10 :], users[: len(users) // 10]


def ease_validation(train, seed):
    """EASE's NDCG@100 on a validation tenth of the training users per l2."""
    rest, validation = validation_split(train, seed)
    fold_in, heldout = held_out_users(train, validation, seed)
    return {
        l2: ranking(
            fold_in @ rec.baselines.ease_weights(train[rest], l2),
            fold_in,
            heldout,
        )["ndcg_at_100"]
        for l2 in EASE_L2
    }


def tuned_ease(train, seed):
    """EASE with `l2` chosen by NDCG@100 on a tenth of the training users."""
    scores = ease_validation(train, seed)
    best = max(scores, key=scores.get)
    return rec.baselines.ease_weights(train, best), best


class RankingCurve(keras.callbacks.Callback):
    """NDCG@100 and Recall@20 of fold-in users every `every` epochs.

    Keeps the weights of the best NDCG@100 and, with `restore_best`, puts
    them back at the end of training (the paper's model selection).
    """

    def __init__(self, fold_in, heldout, every, restore_best=False):
        super().__init__()
        self.fold_in, self.heldout, self.every = fold_in, heldout, every
        self.restore_best = restore_best
        self.curve, self.best, self.best_weights = [], None, None

    def on_epoch_end(self, epoch, logs=None):
        if (epoch + 1) % self.every == 0:
            scores = self.model.score_items(self.fold_in)
            figures = ranking(scores, self.fold_in, self.heldout)
            self.curve.append({"epoch": epoch + 1, **figures})
            print(f"  epoch {epoch + 1}: {figures}", flush=True)
            if self.best is None or figures["ndcg_at_100"] > self.best[1]:
                self.best = (epoch + 1, figures["ndcg_at_100"])
                if self.restore_best:
                    self.best_weights = self.model.get_weights()

    def on_train_end(self, logs=None):
        if self.best_weights is not None:
            self.model.set_weights(self.best_weights)


def vae_settings(args):
    """Every Mult-VAE setting of the grid (the first one for test folds)."""
    return [
        {
            "batch_size": batch_size,
            "beta": beta,
            "arch": arch,
            "weight_decay": decay,
            "dropout": dropout,
        }
        for arch in args.vae_arch
        for decay in args.vae_decay
        for dropout in args.vae_dropout
        for batch_size in args.vae_batch
        for beta in args.vae_beta
    ]


def mult_vae(train, args, seed, setting, callbacks=()):
    """kgen's Mult-VAE trained on click rows, beta ramped over the run."""
    *hidden, latent = (int(u) for u in setting["arch"].split("-"))
    model = rec.MultVAE(
        hidden_units=hidden,
        latent_dim=latent,
        dropout=setting["dropout"],
        beta=setting["beta"],
        weight_decay=setting["weight_decay"],
        seed=seed,
    )
    model.compile(optimizer=keras.optimizers.Adam(args.vae_lr))
    epochs, anneal = (
        (20, 10) if args.quick else (args.vae_epochs, args.vae_anneal)
    )
    if anneal:
        callbacks = [kgen.callbacks.KLAnnealing(epochs=anneal), *callbacks]
    model.fit(
        train,
        epochs=epochs,
        batch_size=setting["batch_size"],
        verbose=0,
        callbacks=list(callbacks),
    )
    return model


def validate_topn(args, clicks):
    """Validation curves on fold 0's training users (no test user read)."""
    users = folds(len(clicks), 5, args.seed)[0]
    train = clicks[np.setdiff1d(np.arange(len(clicks)), users)]
    results = {"ease": ease_validation(train, args.seed), "mult_vae": []}
    print(f"EASE validation NDCG@100 per l2: {results['ease']}", flush=True)
    rest, validation = validation_split(train, args.seed)
    fold_in, heldout = held_out_users(train, validation, args.seed)
    for setting in vae_settings(args):
        print(f"Mult-VAE {setting}", flush=True)
        start = time.time()
        curve = RankingCurve(fold_in, heldout, args.eval_every)
        mult_vae(train[rest], args, 0, setting, [curve])
        results["mult_vae"].append(
            {
                **setting,
                "epochs": args.vae_epochs,
                "anneal_epochs": args.vae_anneal,
                "learning_rate": args.vae_lr,
                "curve": curve.curve,
                "best": curve.best,
                "seconds": round(time.time() - start, 1),
            }
        )
        print(f"  best (epoch, NDCG@100): {curve.best}", flush=True)
    return results


def selected_mult_vae(train, args, seed, extra):
    """Mult-VAE on 90 % of `train`, best validation epoch kept."""
    rest, validation = validation_split(train, args.seed)
    fold_in, heldout = held_out_users(train, validation, args.seed)
    curve = RankingCurve(fold_in, heldout, args.eval_every, True)
    model = mult_vae(train[rest], args, seed, vae_settings(args)[0], [curve])
    extra["best_epoch"], extra["validation_ndcg_at_100"] = curve.best
    return model


def topn_task(args, data, save):
    matrix, _ = kgen.datasets.ratings_matrix(
        data["user_id"],
        data["item_id"],
        data["rating"],
        data["num_users"],
        data["num_items"],
    )
    clicks = (matrix >= 4).astype("float32")
    if args.validate:
        return validate_topn(args, clicks)
    names = [
        n for n in ("popularity", "ease", "mult_vae") if n not in args.skip
    ]
    results = {name: [] for name in names}
    for index, users in enumerate(folds(len(clicks), 5, args.seed)):
        if index >= args.folds:
            break
        train = clicks[np.setdiff1d(np.arange(len(clicks)), users)]
        fold_in, heldout = held_out_users(clicks, users, args.seed + index)
        for name in names:
            start = time.time()
            extra = {}
            if name == "popularity":
                scores = np.tile(
                    rec.baselines.item_popularity(train), (len(fold_in), 1)
                )
            elif name == "ease":
                weights, extra["l2"] = tuned_ease(train, args.seed)
                scores = fold_in @ weights
            elif args.vae_select:
                model = selected_mult_vae(train, args, index, extra)
                scores = model.score_items(fold_in)
            else:
                model = mult_vae(train, args, index, vae_settings(args)[0])
                scores = model.score_items(fold_in)
            result = {**ranking(scores, fold_in, heldout), **extra}
            result["seconds"] = round(time.time() - start, 1)
            results[name].append(result)
            print(f"fold {index} {name:12s} {result}", flush=True)
        save(results)
    return results


# Report --------------------------------------------------------------------


def summary(results, reference, metrics):
    table = {}
    for name, runs in results.items():
        row = {}
        for metric in metrics:
            values = np.array([r[metric] for r in runs])
            row[metric] = float(values.mean())
            row[f"{metric}_std"] = float(values.std())
        row["seconds"] = float(np.mean([r["seconds"] for r in runs]))
        table[name] = row
    base = table.get(reference)
    print(
        f"\n{'model':18s}" + "".join(f"{m:>14s}" for m in metrics) + "   ratio"
    )
    for name, row in table.items():
        ratio = row[metrics[0]] / base[metrics[0]] if base else float("nan")
        cells = "".join(f"{row[m]:8.4f}±{row[m + '_std']:.3f}" for m in metrics)
        print(f"{name:18s}{cells}   {ratio:.3f}")
    return table


def main():
    args = parse_args()
    start = time.time()
    data = kgen.datasets.load_movielens_100k(args.data_dir)
    path = os.path.join(
        ROOT,
        "bench",
        "results",
        f"recommendation_{args.task}{'_validate' if args.validate else ''}"
        ".json",
    )
    os.makedirs(os.path.dirname(path), exist_ok=True)

    def save(results):
        """Writes the runs so far (a cut-short run keeps its folds)."""
        report = {
            "task": args.task,
            "validate": args.validate,
            "folds_done": None
            if args.validate
            else min(len(r) for r in results.values()),
            "settings": {
                k: v
                for k, v in vars(args).items()
                if k.startswith(("vae", "rbm"))
            },
            "seed": args.seed,
            "quick": args.quick,
            "backend": keras.backend.backend(),
            "published_rmse": PUBLISHED,
            "runs": results,
            "wall_seconds": round(time.time() - start, 1),
            "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        }
        with open(path, "w") as file:
            json.dump(report, file, indent=2)
        return report

    if args.validate:
        task = rating_task if args.task == "rating" else topn_task
        report = save(task(args, data, save))
        print(f"wall {report['wall_seconds']} s; written {path}")
        return
    if args.task == "rating":
        results = rating_task(args, data, save)
        reference = (
            "surprise_svd" if "surprise_svd" in results else "numpy_biased_mf"
        )
        table = summary(results, reference, ("rmse", "mae"))
    else:
        results = topn_task(args, data, save)
        table = summary(results, "ease", ("ndcg_at_100", "recall_at_20"))
    report = save(results)
    report["summary"] = table
    with open(path, "w") as file:
        json.dump(report, file, indent=2)
    print(f"wall {report['wall_seconds']} s; written {path}")


if __name__ == "__main__":
    main()
