"""Image-to-image quality: Pix2Pix and CycleGAN against baselines.

Pix2Pix (edges -> photo): `--patch` x `--patch` patches (32 by default) of
the bundled photos downscaled by `patch / 128` (`kgen.datasets.
edges_to_photos`, patches half a patch apart; test photos chelsea, coffee,
rocket never seen in training). Compared on the held-out
patches with the same U-Net trained with L1 only (`compile(loss="mae")`,
the same optimizer, epochs and seed) and with the identity (the edge map as
the answer), in PSNR and SSIM (`skimage.metrics`, images in [-1, 1]) and a
Fréchet distance in the features of a classifier trained on the target
domain only (a small CNN that predicts the rotation, 0/90/180/270 degrees,
of real training photo patches: a self-supervised feature space that knows
texture and edges; 32 pooled features).

CycleGAN (thin -> thick MNIST digits, learnt unpaired from two disjoint
halves of MNIST's training digits, `kgen.datasets.thin_to_thick_digits`):
PSNR of the translation against the known dilated digit, against the
identity, and the cycle reconstruction error `mean |F(G(a)) - a|`.

TensorFlow backend (the fastest for convolutions on a CPU).

    python bench/pix2pix.py [--quick] [--data-dir ../shared/data]
"""

import argparse
import json
import os
import time

os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import keras  # noqa: E402
import numpy as np  # noqa: E402
from skimage import metrics  # noqa: E402

import kgen  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def optimizer(learning_rate=2e-4):
    return keras.optimizers.Adam(learning_rate, beta_1=0.5)


def psnr_ssim(truth, images):
    psnr = np.mean(
        [
            metrics.peak_signal_noise_ratio(t, i, data_range=2.0)
            for t, i in zip(truth, images)
        ]
    )
    ssim = np.mean(
        [
            metrics.structural_similarity(t, i, data_range=2.0, channel_axis=-1)
            for t, i in zip(truth, images)
        ]
    )
    return float(psnr), float(ssim)


def rotation_features(photos, seed):
    """A feature space trained on target-domain photos only.

    A small convolutional classifier learns which of four rotations was
    applied to a real training photo patch; its 32 globally pooled features
    are the space of the Fréchet distance. Returns a function images ->
    features.
    """
    x = np.concatenate([np.rot90(photos, k, axes=(1, 2)) for k in range(4)])
    y = np.repeat(np.arange(4), len(photos))
    keras.utils.set_random_seed(seed)
    inputs = keras.Input(photos.shape[1:])
    hidden = inputs
    for filters in (16, 32, 32):
        hidden = keras.layers.Conv2D(
            filters, 3, strides=2, padding="same", activation="relu"
        )(hidden)
    features = keras.layers.GlobalAveragePooling2D(name="features")(hidden)
    classifier = keras.Model(inputs, keras.layers.Dense(4)(features))
    classifier.compile(
        optimizer="adam",
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    history = classifier.fit(x, y, batch_size=64, epochs=30, verbose=0)
    print(f"rotation classifier accuracy {history.history['accuracy'][-1]:.3f}")
    extractor = keras.Model(inputs, features)
    return lambda images: extractor.predict(images, verbose=0)


def pix2pix(args):
    (e_train, p_train), (e_test, p_test) = kgen.datasets.edges_to_photos(
        patch_size=args.patch, scale=args.patch / 128, stride=args.patch // 2
    )
    print(f"edges->photos: {len(e_train)} training, {len(e_test)} test patches")
    shape = e_train.shape[1:]

    def unet():
        keras.utils.set_random_seed(args.seed)
        return kgen.models.build_unet_generator(
            shape, 3, base_filters=args.filters
        )

    rows, start = {}, time.time()
    model = kgen.models.Pix2Pix(
        unet(),
        kgen.models.build_patchgan_discriminator(
            (*shape[:2], 4), base_filters=args.filters
        ),
        seed=args.seed,
    )
    model.compile(optimizer=optimizer())
    model.fit(e_train, p_train, batch_size=16, epochs=args.epochs, verbose=2)
    rows["pix2pix"] = model.translate(e_test)
    seconds_gan = time.time() - start
    l1_only = unet()
    l1_only.compile(optimizer=optimizer(), loss="mae")
    l1_only.fit(e_train, p_train, batch_size=16, epochs=args.epochs, verbose=2)
    rows["unet_l1_only"] = l1_only.predict(e_test, verbose=0)
    rows["identity"] = np.repeat(e_test, 3, axis=-1)
    extractor = rotation_features(p_train, args.seed)
    real = extractor((p_test + 1) / 2)
    results = {
        "train_patches": len(e_train),
        "test_patches": len(e_test),
        "pix2pix_fit_seconds": seconds_gan,
        "fd_floor_train_vs_test": float(
            kgen.metrics.frechet_distance(extractor((p_train + 1) / 2), real)
        ),
    }
    for name, images in rows.items():
        psnr, ssim = psnr_ssim(p_test, np.clip(images, -1, 1))
        fd = kgen.metrics.frechet_distance(
            real, extractor((np.clip(images, -1, 1) + 1) / 2)
        )
        results[name] = {"psnr": psnr, "ssim": ssim, "fd": float(fd)}
    save_pictures(e_test, rows, p_test, args)
    return results


def save_pictures(edges, rows, truth, args):
    picks = np.linspace(0, len(edges) - 1, 6).astype(int)
    grid = [np.repeat(edges[picks], 3, -1)] + [
        np.clip(rows[name][picks], -1, 1)
        for name in ("unet_l1_only", "pix2pix")
    ]
    grid.append(truth[picks])
    path = os.path.join(ROOT, "bench", "results", "pix2pix_edges.png")
    save_grid(np.concatenate(grid), path, len(picks))
    print(f"wrote {path}")


def save_grid(images, path, num_columns):
    """Tiles images in [-1, 1] as they are (no per-image contrast stretch)."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot

    images = np.clip((images + 1) / 2, 0, 1)
    if images.shape[-1] == 1:
        images = np.repeat(images, 3, axis=-1)
    rows = len(images) // num_columns
    height, width = images.shape[1:3]
    grid = images.reshape(rows, num_columns, height, width, 3)
    grid = grid.transpose(0, 2, 1, 3, 4).reshape(
        rows * height, num_columns * width, 3
    )
    pyplot.imsave(path, grid)


def cycle_gan(args):
    (a, b), (test_a, test_b) = kgen.datasets.thin_to_thick_digits(
        args.data_dir, num_train=args.digits, num_test=500, seed=args.seed
    )
    keras.utils.set_random_seed(args.seed)
    shape = a.shape[1:]

    def generator():
        return kgen.models.build_resnet_generator(
            shape, base_filters=args.filters // 2, num_blocks=2
        )

    def discriminator():
        return kgen.models.build_patchgan_discriminator(
            shape, base_filters=args.filters
        )

    model = kgen.models.CycleGAN(
        generator(),
        generator(),
        discriminator(),
        discriminator(),
        seed=args.seed,
    )
    steps = -(-len(a) // 16) * args.cycle_epochs
    schedule = kgen.optimizers.LinearDecay(2e-4, steps // 2, steps - steps // 2)
    model.compile(optimizer=keras.optimizers.Adam(schedule, beta_1=0.5))
    start = time.time()
    model.fit(a, b, batch_size=16, epochs=args.cycle_epochs, verbose=2)
    seconds = time.time() - start
    thick = model.translate(test_a)
    back = model.translate(thick, "b_to_a")
    psnr = metrics.peak_signal_noise_ratio
    results = {
        "train_digits_per_domain": len(a),
        "fit_seconds": seconds,
        "cyclegan_psnr": float(
            np.mean([psnr(t, x, data_range=2.0) for t, x in zip(test_b, thick)])
        ),
        "identity_psnr": float(
            np.mean(
                [psnr(t, x, data_range=2.0) for t, x in zip(test_b, test_a)]
            )
        ),
        "cycle_reconstruction_mae": float(np.mean(np.abs(back - test_a))),
    }
    path = os.path.join(ROOT, "bench", "results", "cyclegan_digits.png")
    save_grid(np.concatenate([test_a[:8], thick[:8], test_b[:8]]), path, 8)
    print(f"wrote {path}")
    return results


def main():
    parser = argparse.ArgumentParser(
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--data-dir", default=os.path.join(ROOT, "..", "shared", "data")
    )
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--epochs", type=int, default=12)
    parser.add_argument("--patch", type=int, default=32)
    parser.add_argument("--cycle-epochs", type=int, default=5)
    parser.add_argument("--digits", type=int, default=1000)
    parser.add_argument("--filters", type=int, default=16)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--part", choices=("all", "pix2pix", "cyclegan"), default="all"
    )
    args = parser.parse_args()
    if args.quick:
        args.epochs, args.cycle_epochs, args.digits = 1, 1, 200
    os.makedirs(os.path.join(ROOT, "bench", "results"), exist_ok=True)
    results = {"backend": keras.backend.backend(), "args": vars(args)}
    start = time.time()
    if args.part in ("all", "pix2pix"):
        results["pix2pix"] = pix2pix(args)
        p = results["pix2pix"]
        print(f"{'edges->photo':14} {'PSNR':>7} {'SSIM':>6} {'FD':>9}")
        for name in ("pix2pix", "unet_l1_only", "identity"):
            row = p[name]
            print(
                f"{name:14} {row['psnr']:7.2f} {row['ssim']:6.3f} "
                f"{row['fd']:9.3f}"
            )
        print(
            f"FD floor (train vs test photos): {p['fd_floor_train_vs_test']:.3f}"
        )
    if args.part in ("all", "cyclegan"):
        results["cyclegan"] = c = cycle_gan(args)
        print(
            f"thin->thick: CycleGAN PSNR {c['cyclegan_psnr']:.2f} dB, identity "
            f"{c['identity_psnr']:.2f} dB (+{c['cyclegan_psnr'] - c['identity_psnr']:.2f}); "
            f"cycle MAE {c['cycle_reconstruction_mae']:.4f}"
        )
    results["wall_seconds"] = time.time() - start
    path = os.path.join(ROOT, "bench", "results", f"pix2pix_{args.part}.json")
    with open(path, "w") as file:
        json.dump(results, file, indent=1)
    print(f"wrote {path} ({results['wall_seconds']:.0f} s)")


if __name__ == "__main__":
    main()
