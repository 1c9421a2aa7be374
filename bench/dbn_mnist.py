"""DBN 784-500-500-2000 on MNIST: classifier (and, optionally, generative bound).

In one run (Keras backend from `KERAS_BACKEND`, JAX by default):

1. Greedy CD-1 pre-training of a DBN 784-500-500-2000 (`DBN.fit`), SGD with
   momentum 0.9, batch 100, `--pretrain-epochs` per layer.
2. Optionally (`--bound`), the DBN's variational lower bound on the test
   log-likelihood, with the top RBM's `log Z` by AIS
   (`kgen.metrics.ais_log_partition`); published: -86.22 nats (Salakhutdinov
   & Murray 2008, a DBN trained much longer). Only on binarised data.
3. `to_classifier(10, dropout=..., input_dropout=...)` fine-tuned with SGD +
   momentum 0.9 or Adam (`--optimizer`), the learning rate decayed to 0 by a
   cosine, keeping the weights of the epoch with the best accuracy on a
   validation split of the training set (early stopping), beside the SAME MLP (same layers, dropout,
   optimizer, schedule, epochs, batches, validation rule) from random
   initialisation (Keras' Glorot-uniform kernels, zero biases). Published:
   1.25 % test error (Hinton, Osindero & Teh 2006), 1.2 % with
   back-propagation fine-tuning (Hinton & Salakhutdinov 2006), 0.92 % with
   dropout fine-tuning (Srivastava et al. 2014); goal >= 98.8 %.
4. Optionally (`--refit`), as in those papers: the same starting weights
   fine-tuned again on all 60,000 training images (validation included),
   with the same schedule, stopped after the epoch chosen on validation.

Data: `kgen.datasets.load_mnist`; `--input grey` (default; grey levels in
[0, 1], read as probabilities by the Bernoulli visible units, as in Hinton &
Salakhutdinov's code) or `--input binary` (stochastic binarisation, seed 0,
one draw per pixel). The last `--validation` training images are held out
for the early-stopping choice; pre-training and fine-tuning see the rest.

Usage: `python bench/dbn_mnist.py [--data-dir ../shared/data]
[--pretrain-epochs 8] [--tune-epochs 100] [--optimizer adam] [--tune-lr 2e-3]
[--dropout 0.5] [--input-dropout 0.2] [--bound --input binary] [--tag TAG]
[--pretrained bench/results/dbn_mnist_TAG_dbn.keras] [--skip-scratch]
[--quick]` (the defaults are the best run of docs/benchmarks/boltzmann.md:
98.82 %). Writes `bench/results/dbn_mnist[_TAG].json` and the pre-trained
DBN beside it.
"""

import argparse
import json
import os
import sys
import time

os.environ.setdefault("KERAS_BACKEND", "jax")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import keras  # noqa: E402
import numpy as np  # noqa: E402
from boltzmann_data import DEFAULT_DATA_DIR  # noqa: E402
from boltzmann_data import RESULTS  # noqa: E402

from kgen.datasets import load_mnist  # noqa: E402
from kgen.metrics import ais_log_partition  # noqa: E402
from kgen.models.boltzmann import DBN  # noqa: E402


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=DEFAULT_DATA_DIR)
    parser.add_argument("--input", choices=("grey", "binary"), default="grey")
    parser.add_argument("--validation", type=int, default=5000)
    parser.add_argument("--pretrain-epochs", type=int, default=8)
    parser.add_argument("--pretrain-lr", type=float, default=0.05)
    parser.add_argument("--tune-epochs", type=int, default=100)
    parser.add_argument("--optimizer", choices=("sgd", "adam"), default="adam")
    parser.add_argument("--tune-lr", type=float, default=2e-3)
    parser.add_argument("--dropout", type=float, default=0.5)
    parser.add_argument("--input-dropout", type=float, default=0.2)
    parser.add_argument("--batch-size", type=int, default=100)
    parser.add_argument("--bound", action="store_true")
    parser.add_argument("--ais-betas", type=int, default=5000)
    parser.add_argument("--bound-images", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--refit",
        action="store_true",
        help="fine-tune again on train + validation for the chosen epochs",
    )
    parser.add_argument(
        "--tag", default="", help="results go to dbn_mnist[_TAG].json"
    )
    parser.add_argument(
        "--pretrained",
        help="a DBN saved by an earlier run (its _dbn.keras): no pre-training",
    )
    parser.add_argument(
        "--skip-scratch",
        action="store_true",
        help="do not fine-tune the same MLP from random initialisation",
    )
    parser.add_argument("--quick", action="store_true", help="tiny run")
    return parser.parse_args()


def compile_classifier(classifier, num_images, args):
    """SGD + momentum or Adam, the learning rate decayed to 0 by a cosine."""
    keras.utils.set_random_seed(args.seed)
    steps = args.tune_epochs * -(-num_images // args.batch_size)
    schedule = keras.optimizers.schedules.CosineDecay(args.tune_lr, steps)
    classifier.compile(
        keras.optimizers.SGD(schedule, momentum=0.9)
        if args.optimizer == "sgd"
        else keras.optimizers.Adam(schedule),
        "sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )


def fine_tune(classifier, train, validation, test, args):
    """Best-validation-accuracy weights; with `--refit`, then all images."""
    initial_weights = classifier.get_weights()
    compile_classifier(classifier, len(train[0]), args)
    best = keras.callbacks.EarlyStopping(
        "val_accuracy",
        patience=args.tune_epochs,
        restore_best_weights=True,
        verbose=1,
    )
    start = time.perf_counter()
    history = classifier.fit(
        *train,
        batch_size=args.batch_size,
        epochs=args.tune_epochs,
        validation_data=validation,
        callbacks=[best],
        verbose=2,
    )
    seconds = time.perf_counter() - start
    logs = history.history
    best_epoch = int(np.argmax(logs["val_accuracy"]))
    row = {
        "test_accuracy": float(classifier.evaluate(*test, verbose=0)[1]),
        "best_epoch": best_epoch + 1,
        "validation_accuracy": float(logs["val_accuracy"][best_epoch]),
        "train_accuracy_at_best_epoch": float(logs["accuracy"][best_epoch]),
        "validation_accuracy_curve": [float(a) for a in logs["val_accuracy"]],
        "train_accuracy_curve": [float(a) for a in logs["accuracy"]],
        "seconds": round(seconds, 1),
    }
    if args.refit:
        everything = [np.concatenate(pair) for pair in zip(train, validation)]
        classifier.set_weights(initial_weights)
        compile_classifier(classifier, len(everything[0]), args)
        start = time.perf_counter()
        classifier.fit(
            *everything,
            batch_size=args.batch_size,
            epochs=best_epoch + 1,
            verbose=2,
        )
        row["refit_test_accuracy"] = float(
            classifier.evaluate(*test, verbose=0)[1]
        )
        row["refit_seconds"] = round(time.perf_counter() - start, 1)
    return row


def pretrained_dbn(x, sizes, args):
    """Greedy CD-1 pre-training, or the DBN saved by an earlier run."""
    if args.pretrained:
        return keras.saving.load_model(args.pretrained)
    dbn = DBN(784, sizes, seed=args.seed)
    dbn.compile(optimizer=keras.optimizers.SGD(args.pretrain_lr, momentum=0.9))
    dbn.fit(
        x,
        epochs=args.pretrain_epochs,
        batch_size=args.batch_size,
        verbose=2,
    )
    return dbn


def generative_bound(dbn, x, x_test, args):
    start = time.perf_counter()
    log_z, error = ais_log_partition(
        dbn.rbm_layers[-1],
        dbn.transform(x[:10000], layer=-2),
        betas=args.ais_betas,
        num_runs=100,
        seed=args.seed,
    )
    bound = dbn.log_likelihood_bound(
        x_test[: args.bound_images], log_z=log_z, num_samples=10, seed=0
    )
    return {
        "top_log_z": log_z,
        "top_log_z_standard_error": error,
        "test_bound": float(bound.mean()),
        "test_bound_images": int(len(bound)),
        "bound_seconds": round(time.perf_counter() - start, 1),
    }


def main():
    args = parse_args()
    if args.bound and args.input != "binary":
        raise SystemExit("--bound needs --input binary (a binary-data bound).")
    binarize = "stochastic" if args.input == "binary" else None
    (x, y), validation, test = load_mnist(
        args.data_dir,
        binarize=binarize,
        seed=0,
        validation_size=args.validation,
    )
    sizes = [500, 500, 2000]
    if args.quick:
        x, y, sizes = x[:2000], y[:2000], [50, 50, 100]
        args.pretrain_epochs, args.tune_epochs, args.ais_betas = 1, 2, 200
    rows, start_all = {}, time.perf_counter()

    keras.utils.set_random_seed(args.seed)
    start = time.perf_counter()
    dbn = pretrained_dbn(x, sizes, args)
    rows["pretrain_seconds"] = round(time.perf_counter() - start, 1)
    if args.bound:
        rows.update(generative_bound(dbn, x, test[0], args))
        print(f"DBN bound {rows['test_bound']:.2f} nats")

    classifier = dbn.to_classifier(
        10, dropout=args.dropout, input_dropout=args.input_dropout
    )
    scratch = keras.models.clone_model(classifier)  # fresh Glorot weights
    train = (x, y)
    rows["pretrained"] = fine_tune(classifier, train, validation, test, args)
    if not args.skip_scratch:
        rows["scratch"] = fine_tune(scratch, train, validation, test, args)
    rows["wall_seconds"] = round(time.perf_counter() - start_all, 1)

    print(f"backend {keras.backend.backend()}, 784-{sizes}, input {args.input}")
    print(
        f"{'model':<34} {'test acc':>9} {'best ep':>7} {'val acc':>8}"
        f" {'train acc':>9} {'published':>10} {'refit':>7}"
    )
    for key, label, published in (
        ("pretrained", "DBN pre-trained + fine-tuned", "98.75%"),
        ("scratch", "same MLP, random init", ""),
    ):
        if key not in rows:
            continue
        r = rows[key]
        print(
            f"{label:<34} {r['test_accuracy']:>9.2%} {r['best_epoch']:>7}"
            f" {r['validation_accuracy']:>8.2%}"
            f" {r['train_accuracy_at_best_epoch']:>9.2%} {published:>10}"
            f" {r.get('refit_test_accuracy', float('nan')):>7.2%}"
        )
    os.makedirs(RESULTS, exist_ok=True)
    tag = "_quick" if args.quick else f"_{args.tag}" if args.tag else ""
    name = f"dbn_mnist{tag}.json"
    with open(os.path.join(RESULTS, name), "w") as f:
        json.dump(
            {
                "backend": keras.backend.backend(),
                "args": vars(args),
                "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
                **rows,
            },
            f,
            indent=2,
        )
    # The pre-trained DBN, for reuse (git-ignored, like the JSON).
    dbn.save(os.path.join(RESULTS, name.replace(".json", "_dbn.keras")))


if __name__ == "__main__":
    main()
