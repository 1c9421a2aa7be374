"""One test log-likelihood table for kgen's families, on the binarised digits
and on binarised MNIST.

Digits (trained here, minutes): `kgen.datasets.load_digits("binary")` (1,347
training and 450 test 8x8 images, `random_state=0`), in nats per test image:

- independent pixels (each pixel a Bernoulli with its smoothed training
  frequency), exact;
- an RBM with 16 hidden units (CD-1, the recipe of `bench/rbm_quality.py`),
  exact by enumerating the hidden states;
- a VAE (dense 64-256-128-8, Bernoulli decoder): the IWAE bound (k=500);
- NADE, MADE (one mask, and an ensemble of 8 orderings) and a gated
  PixelCNN: exact.

MNIST (read, not trained here): every `bench/results/*.json` that a kgen
MNIST benchmark wrote (`autoregressive_mnist.py`, `mnist_rbm.py`,
`dbn_mnist.py`, `mnist_vae.py`, `flow_mnist.py`, ...), with the estimate's
kind and the published figure beside each. Missing files are skipped.

Usage: `python bench/likelihood_table.py [--quick] [--mnist-only]` (JAX by
default; `--backend` to change). Writes `bench/results/likelihood_table.json`
and the digits samples/completions pictures to `bench/results/`.
"""

import argparse
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="few epochs")
    parser.add_argument(
        "--epoch-scale",
        type=float,
        default=1.0,
        help="multiplies every model's epochs (RBM 100, VAE 300, others 200)",
    )
    parser.add_argument("--mnist-only", action="store_true")
    parser.add_argument("--backend", default=None)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--data-dir", default=os.path.join(HERE, "..", "..", "shared", "data")
    )
    return parser.parse_args(argv)


# ---------------------------------------------------------------- digits


def digits_rows(args):
    import keras
    import numpy as np

    import kgen

    (x_train, _), (x_test, _) = kgen.datasets.load_digits("binary")
    scale = 0.1 if args.quick else args.epoch_scale
    rows = []

    def add(model, kind, values, seconds, **extra):
        rows.append(
            {
                "model": model,
                "estimate": kind,
                "test_log_likelihood": float(np.mean(values)),
                "train_seconds": round(seconds, 1),
                **extra,
            }
        )
        print(f"{model}: {rows[-1]['test_log_likelihood']:.2f}", flush=True)

    p = (x_train.sum(0) + 1.0) / (len(x_train) + 2.0)
    add(
        "independent pixels",
        "exact",
        x_test @ np.log(p) + (1 - x_test) @ np.log(1 - p),
        0.0,
    )
    start = time.time()
    rbm = train_rbm(kgen, keras, x_train, epochs=max(2, int(100 * scale)))
    add(
        "RBM, 16 hidden, CD-1",
        "exact (enumeration)",
        kgen.metrics.log_likelihood(rbm, x_test),
        time.time() - start,
    )
    start = time.time()
    vae = kgen.models.VAE.dense((64,), 8, hidden_units=(256, 128), seed=0)
    fit(keras, vae, x_train, 1e-3, max(2, int(300 * scale)))
    add(
        "VAE 64-256-128-8",
        "lower bound (IWAE, k=500)",
        vae.log_likelihood(x_test, num_samples=500, seed=0),
        time.time() - start,
    )
    models = {
        "NADE, H=64": (kgen.models.NADE(64, num_hidden=64, seed=0), 3e-3),
        "MADE, 1x256, 1 mask": (kgen.models.MADE(64, (256,), seed=0), 1e-3),
        "MADE, 1x256, 8 orderings": (
            kgen.models.MADE(
                64, (256,), num_masks=8, ordering="random", seed=0
            ),
            1e-3,
        ),
        "PixelCNN, 4 gated layers x 32": (
            kgen.models.PixelCNN(
                (8, 8), filters=32, num_layers=4, kernel_size=3, seed=0
            ),
            3e-3,
        ),
    }
    trained = {}
    for name, (model, rate) in models.items():
        start = time.time()
        data = x_train.reshape(-1, *model.event_shape)
        fit(keras, model, data, rate, max(2, int(200 * scale)))
        add(
            name,
            "exact",
            model.log_prob(x_test.reshape(-1, *model.event_shape)),
            time.time() - start,
        )
        trained[name] = model
    pictures(kgen, trained, x_test, args.seed)
    return rows


def train_rbm(kgen, keras, x, epochs):
    """The RBM benchmark's recipe (bench/rbm_quality.py)."""
    sys.path.insert(0, HERE)
    from rbm_quality import train_kgen

    return train_kgen(x, 16, epochs, k=1)


def fit(keras, model, x, learning_rate, epochs):
    keras.utils.set_random_seed(0)
    steps = epochs * -(-len(x) // 64)
    schedule = keras.optimizers.schedules.CosineDecay(learning_rate, steps)
    model.compile(optimizer=keras.optimizers.Adam(schedule))
    model.fit(x, epochs=epochs, batch_size=64, verbose=0)


def pictures(kgen, models, x_test, seed):
    """Samples of every model and completions of the top halves."""
    import numpy as np

    from kgen.utils import save_image_grid

    results = os.path.join(HERE, "results")
    os.makedirs(results, exist_ok=True)
    samples, completions = [], [x_test[:10]]
    for model in models.values():
        shape = model.event_shape
        samples.append(model.generate(10, seed=seed).reshape(10, 64))
        observed = np.zeros((10, 64), bool)
        observed[:, :32] = True
        completed = model.complete(
            x_test[:10].reshape(-1, *shape),
            observed.reshape(-1, *shape),
            seed=seed,
        )
        completions.append(completed.reshape(10, 64))
    save_image_grid(
        np.concatenate(samples),
        os.path.join(results, "likelihood_table_digits_samples.png"),
        image_shape=(8, 8),
        num_columns=10,
    )
    save_image_grid(
        np.concatenate(completions),
        os.path.join(results, "likelihood_table_digits_completions.png"),
        image_shape=(8, 8),
        num_columns=10,
    )


# ---------------------------------------------------------------- MNIST


def mnist_rows(results):
    """Rows read from other benchmarks' JSON files (those present)."""
    rows = []
    for name, result in results.items():
        if name.startswith("autoregressive_mnist_") and isinstance(
            result, dict
        ):
            rows.append(
                _row(
                    result["model"] + f" ({result['settings']})",
                    result["estimate"],
                    result["test_log_likelihood"],
                    result["published"],
                    name,
                    minutes=result["train_seconds"] / 60,
                    epochs=result["epochs"],
                )
            )
    rows += _rbm_rows(results.get("mnist_rbm", {}))
    if "dbn_mnist" in results and "test_bound" in results["dbn_mnist"]:
        dbn = results["dbn_mnist"]
        rows.append(
            _row(
                "DBN 784-500-500-2000",
                "lower bound, top log Z by AIS",
                dbn["test_bound"],
                -86.22,
                "dbn_mnist",
                quick=dbn.get("args", {}).get("quick"),
            )
        )
    if "mnist_vae" in results:
        vae = results["mnist_vae"]
        rows.append(
            _row(
                vae.get("model", "VAE"),
                f"lower bound (IWAE, k={vae.get('iwae_samples')})",
                vae["test_iwae_bound"],
                vae.get("published", {}).get("VAE"),
                "mnist_vae",
                quick=vae.get("quick"),
            )
        )
    for name, result in results.items():
        if not isinstance(result, dict):
            continue
        bits = result.get("test_bits_per_dim")
        if bits is not None and result.get("metric") == "bits_per_dim":
            rows.append(
                _row(
                    result.get("model", name),
                    "bits/dim, dequantised (not comparable to nats)",
                    bits,
                    result.get("published_bits_per_dim"),
                    name,
                )
            )
    if "dbm_mnist" in results and "test_log_likelihood" in results.get(
        "dbm_mnist", {}
    ):
        dbm = results["dbm_mnist"]
        rows.append(
            _row(
                dbm.get("model", "DBM"),
                dbm.get("estimate", "AIS"),
                dbm["test_log_likelihood"],
                dbm.get("published"),
                "dbm_mnist",
            )
        )
    return rows


def _rbm_rows(runs):
    return [
        _row(
            f"RBM {run.get('hidden')} hidden ({name})",
            "AIS estimate of log Z",
            run["test_log_likelihood"],
            run.get("published"),
            "mnist_rbm",
            quick=run.get("quick"),
        )
        for name, run in runs.items()
        if isinstance(run, dict) and "test_log_likelihood" in run
    ]


def _row(model, kind, value, published, source, **extra):
    row = {
        "model": model,
        "estimate": kind,
        "test_log_likelihood": float(value),
        "published": published,
        "source": f"bench/results/{source}.json",
    }
    row.update({k: v for k, v in extra.items() if v is not None})
    return row


def print_table(title, rows):
    print(f"\n{title}")
    if not rows:
        print("(no results)")
        return
    columns = ["model", "estimate", "test_log_likelihood", "published"]
    columns += [c for c in ("epochs", "minutes") if any(c in r for r in rows)]
    cells = [[_cell(r.get(c, "")) for c in columns] for r in rows]
    widths = [
        max(len(c), *(len(x[i]) for x in cells)) for i, c in enumerate(columns)
    ]
    print(" | ".join(c.ljust(w) for c, w in zip(columns, widths)))
    print("-+-".join("-" * w for w in widths))
    for line in cells:
        print(" | ".join(x.ljust(w) for x, w in zip(line, widths)))


def _cell(value):
    if isinstance(value, float):
        return f"{value:.2f}"
    return "" if value is None else str(value)


def main(argv=None):
    args = parse_args(argv)
    os.environ["KERAS_BACKEND"] = args.backend or os.environ.get(
        "KERAS_BACKEND", "jax"
    )
    sys.path.insert(0, HERE)
    from likelihood_rows import read_results
    from likelihood_rows import write_result

    start = time.time()
    results = read_results()
    previous = results.get("likelihood_table", {})
    digits = previous.get("digits", []) if args.mnist_only else None
    if digits is None:
        digits = digits_rows(args)
    mnist = mnist_rows(results)
    import keras

    print_table("Binarised 8x8 digits, nats per test image", digits)
    print_table("Binarised MNIST, nats per test image", mnist)
    path = write_result(
        "likelihood_table",
        {
            "digits": digits,
            "mnist": mnist,
            "backend": keras.backend.backend(),
            "quick": args.quick,
            "epoch_scale": args.epoch_scale,
            "seed": args.seed,
            "wall_seconds": round(time.time() - start, 1),
            "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        },
    )
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
