"""Motion deblurring: DeblurGAN against classical deconvolution.

Task: `kgen.datasets.motion_blur_pairs` — `--patch` x `--patch` patches of
the bundled photos downscaled by `--scale`, each blurred by its own random
linear motion kernel (length `--min-length`..`--max-length` pixels, any
direction) plus Gaussian noise `--noise`; the test photos (chelsea, coffee,
rocket) never contribute a training pixel.

Compared on the held-out patches, in PSNR and SSIM (`skimage.metrics`,
images in [-1, 1]) and a Fréchet distance in features trained on sharp
training patches only (the rotation-prediction CNN of `bench/pix2pix.py`):

- identity: the blurred input;
- Wiener deconvolution (`skimage.restoration.wiener`) with the TRUE kernel
  of each patch (oracle), and Richardson-Lucy
  (`skimage.restoration.richardson_lucy`) with the true kernel (oracle);
- Wiener WITHOUT the oracle: one fixed kernel for every patch, the mean of
  the training kernels (what is known of the blur without seeing a test
  kernel);
- DeblurGAN (residual ResNet generator, WGAN-GP PatchGAN critic, pixel
  content loss with weight `--content-weight`), and the same residual
  generator trained with the pixel MSE alone (no critic).

The Wiener balance and the Richardson-Lucy iteration count are chosen on
training patches (best mean PSNR), never on the test set.

TensorFlow backend (the fastest for convolutions on a CPU).

    python bench/deblur.py [--quick] [--epochs 8] [--norm none]
"""

import argparse
import json
import os
import time

os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import keras  # noqa: E402
import numpy as np  # noqa: E402
from pix2pix import psnr_ssim  # noqa: E402
from pix2pix import rotation_features  # noqa: E402
from pix2pix import save_grid  # noqa: E402
from skimage import restoration  # noqa: E402

import kgen  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BALANCES = (0.01, 0.03, 0.1, 0.3, 1.0, 3.0)
ITERATIONS = (2, 5, 10, 20)


def deconvolve(method, blurred, kernels, parameter):
    """Per-channel deconvolution of images in [-1, 1], reflect-padded.

    Args:
        method: `"wiener"` (parameter: balance) or `"richardson_lucy"`
            (parameter: iterations).
        blurred: `(n, h, w, c)` images.
        kernels: `(n, k, k)` kernels, one per image.
    """
    margin = kernels.shape[-1]
    out = np.empty_like(blurred)
    for i, (image, kernel) in enumerate(zip((blurred + 1) / 2, kernels)):
        padded = np.pad(
            image, ((margin, margin), (margin, margin), (0, 0)), "reflect"
        )
        channels = []
        for c in range(image.shape[-1]):
            if method == "wiener":
                result = restoration.wiener(padded[..., c], kernel, parameter)
            else:
                result = restoration.richardson_lucy(
                    padded[..., c], kernel, num_iter=parameter
                )
            channels.append(result[margin:-margin, margin:-margin])
        out[i] = np.stack(channels, -1)
    return np.clip(2 * out - 1, -1, 1)


def tuned(method, choices, blurred, sharp, kernels):
    """The parameter with the best mean PSNR on these (training) patches."""
    scores = {
        p: psnr_ssim(sharp, deconvolve(method, blurred, kernels, p))[0]
        for p in choices
    }
    best = max(scores, key=scores.get)
    print(f"{method}: training PSNR by parameter {scores} -> {best}")
    return best


def generator(shape, args):
    """The ResNet generator, its last convolution zeroed.

    Zeroed, `G(x) = 0`: training starts from the identity, the restoration
    `x + G(x)` being the blurred input itself.
    """
    keras.utils.set_random_seed(args.seed)
    network = kgen.models.build_resnet_generator(
        shape,
        base_filters=args.filters,
        num_blocks=args.blocks,
        normalization=None if args.norm == "none" else args.norm,
    )
    last = network.layers[-1]
    last.set_weights([np.zeros_like(w) for w in last.get_weights()])
    return network


def adam(num_samples, args, updates_per_step=1):
    """Adam with the learning rate constant, then linearly decayed to 0.

    `LinearDecay` counts the optimizer's own updates, so an optimizer that
    updates `updates_per_step` times per `fit` step (the critic's) gets a
    schedule that many times longer: every optimizer decays over the whole
    run.
    """
    steps = -(-num_samples // args.batch) * args.epochs * updates_per_step
    schedule = kgen.optimizers.LinearDecay(
        args.learning_rate, steps // 2, steps - steps // 2
    )
    return keras.optimizers.Adam(schedule, beta_1=0.5)


def blur_pairs(args, stride=None):
    """The task's (train, test) pairs, training patches `stride` apart."""
    return kgen.datasets.motion_blur_pairs(
        patch_size=args.patch,
        scale=args.scale,
        min_length=args.min_length,
        max_length=args.max_length,
        noise=args.noise,
        seed=args.seed,
        stride=stride,
    )


def augmented(images, augment):
    """The images, plus their flips and transposes when `augment` is set.

    The blur kernels' directions are uniform, so flipping or transposing a
    (blurred, sharp) pair gives another pair of the same task.
    """
    if not augment:
        return images
    return np.concatenate(
        [
            images,
            images[:, ::-1],
            images[:, :, ::-1],
            np.transpose(images, (0, 2, 1, 3)),
        ]
    )


def train_content_only(blurred, sharp, args):
    """The same residual generator trained with the pixel MSE alone."""
    network = generator(blurred.shape[1:], args)
    inputs = keras.Input(blurred.shape[1:])
    model = keras.Model(inputs, keras.layers.Add()([inputs, network(inputs)]))
    model.compile(optimizer=adam(len(blurred), args), loss="mse")
    model.fit(
        blurred, sharp, batch_size=args.batch, epochs=args.epochs, verbose=2
    )
    return lambda x: np.clip(model.predict(x, verbose=0), -1, 1)


def train_deblur_gan(blurred, sharp, args):
    shape = blurred.shape[1:]
    model = kgen.models.DeblurGAN(
        generator(shape, args),
        kgen.models.build_patchgan_discriminator(
            shape, base_filters=args.filters
        ),
        critic_steps=args.critic_steps,
        content_weight=args.content_weight,
        seed=args.seed,
    )
    model.compile(
        optimizer={
            "critic": adam(len(blurred), args, args.critic_steps),
            "generator": adam(len(blurred), args),
        }
    )
    model.fit(
        blurred, sharp, batch_size=args.batch, epochs=args.epochs, verbose=2
    )
    return model


def main():
    parser = argparse.ArgumentParser(
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--data-dir",
        default=os.path.join(ROOT, "..", "shared", "data"),
        help="unused: the photos ship with scikit-image/learn, matplotlib",
    )
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--patch", type=int, default=32)
    parser.add_argument("--scale", type=float, default=0.5)
    parser.add_argument("--min-length", type=float, default=3.0)
    parser.add_argument("--max-length", type=float, default=13.0)
    parser.add_argument("--noise", type=float, default=0.01)
    parser.add_argument(
        "--train-stride",
        type=int,
        default=None,
        help="distance between training patches (default: --patch, no "
        "overlap); the test patches never overlap",
    )
    parser.add_argument(
        "--augment",
        action="store_true",
        help="also train on flipped and transposed training pairs",
    )
    parser.add_argument("--epochs", type=int, default=8)
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--critic-steps", type=int, default=5)
    parser.add_argument("--content-weight", type=float, default=1000.0)
    parser.add_argument("--filters", type=int, default=16)
    parser.add_argument("--blocks", type=int, default=4)
    parser.add_argument(
        "--norm",
        choices=("instance", "none"),
        default="none",
        help="generator normalisation (instance: the paper's)",
    )
    parser.add_argument("--learning-rate", type=float, default=2e-4)
    parser.add_argument("--tune-patches", type=int, default=100)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--figure", default=None, help="also write the picture here"
    )
    args = parser.parse_args()
    if args.quick:
        args.epochs, args.tune_patches = 1, 20
    start, cpu_start = time.time(), time.process_time()
    train, test = blur_pairs(args)
    (blurred, sharp, kernels), (t_blurred, t_sharp, t_kernels) = train, test
    print(f"{len(blurred)} training, {len(t_blurred)} test patches")
    picks = np.random.default_rng(args.seed).choice(
        len(blurred), args.tune_patches, replace=False
    )
    tune = (blurred[picks], sharp[picks])
    mean_kernel = np.mean(kernels, axis=0)
    fixed = np.broadcast_to(mean_kernel, t_kernels.shape)
    balance = tuned("wiener", BALANCES, *tune, kernels[picks])
    fixed_balance = tuned(
        "wiener",
        BALANCES,
        *tune,
        np.broadcast_to(mean_kernel, (len(picks),) + mean_kernel.shape),
    )
    iterations = tuned("richardson_lucy", ITERATIONS, *tune, kernels[picks])
    rows = {
        "identity (blurred input)": t_blurred,
        "Wiener, true kernel (oracle)": deconvolve(
            "wiener", t_blurred, t_kernels, balance
        ),
        "Richardson-Lucy, true kernel (oracle)": deconvolve(
            "richardson_lucy", t_blurred, t_kernels, iterations
        ),
        "Wiener, mean kernel (no oracle)": deconvolve(
            "wiener", t_blurred, fixed, fixed_balance
        ),
    }
    pairs = (blurred, sharp)
    if args.train_stride:  # more training pairs, same task
        pairs = blur_pairs(args, args.train_stride)[0][:2]
    pairs = [augmented(images, args.augment) for images in pairs]
    print(f"{len(pairs[0])} training pairs for the networks")
    baseline_seconds = time.time() - start
    fit_start, fit_cpu = time.time(), time.process_time()
    model = train_deblur_gan(*pairs, args)
    fit_seconds = time.time() - fit_start
    fit_cpu = time.process_time() - fit_cpu
    rows["DeblurGAN"] = model.deblur(t_blurred)
    rows["same generator, content loss only"] = train_content_only(
        *pairs, args
    )(t_blurred)
    extractor = rotation_features((sharp + 1) / 2, args.seed)
    real = extractor((t_sharp + 1) / 2)
    results = {
        "backend": keras.backend.backend(),
        "args": vars(args),
        "train_patches": len(blurred),
        "network_train_pairs": len(pairs[0]),
        "test_patches": len(t_blurred),
        "wiener_balance_oracle": balance,
        "wiener_balance_mean_kernel": fixed_balance,
        "richardson_lucy_iterations": iterations,
        "baseline_seconds": baseline_seconds,
        "deblurgan_fit_seconds": fit_seconds,
        "deblurgan_fit_cpu_seconds": fit_cpu,
        "fd_floor_train_vs_test": float(
            kgen.metrics.frechet_distance(extractor((sharp + 1) / 2), real)
        ),
        "methods": {},
    }
    print(f"{'method':40} {'PSNR':>7} {'SSIM':>6} {'FD':>8}")
    for name, images in rows.items():
        images = np.clip(images, -1, 1)
        psnr, ssim = psnr_ssim(t_sharp, images)
        fd = float(
            kgen.metrics.frechet_distance(real, extractor((images + 1) / 2))
        )
        results["methods"][name] = {"psnr": psnr, "ssim": ssim, "fd": fd}
        print(f"{name:40} {psnr:7.2f} {ssim:6.3f} {fd:8.3f}")
    identity = results["methods"]["identity (blurred input)"]["psnr"]
    no_oracle = results["methods"]["Wiener, mean kernel (no oracle)"]["psnr"]
    gan = results["methods"]["DeblurGAN"]["psnr"]
    print(
        f"DeblurGAN - identity: {gan - identity:+.2f} dB; "
        f"DeblurGAN - Wiener without oracle: {gan - no_oracle:+.2f} dB"
    )
    results["wall_seconds"] = time.time() - start
    results["cpu_seconds"] = time.process_time() - cpu_start
    os.makedirs(os.path.join(ROOT, "bench", "results"), exist_ok=True)
    path = os.path.join(ROOT, "bench", "results", "deblur.json")
    with open(path, "w") as file:
        json.dump(results, file, indent=1)
    # The 6 most textured test patches (largest squared error of the blurred
    # input), where deblurring shows, drawn 3x larger.
    error = np.mean((t_blurred - t_sharp) ** 2, axis=(1, 2, 3))
    shown = np.sort(np.argsort(error)[-6:])
    order = (
        "identity (blurred input)",
        "Wiener, mean kernel (no oracle)",
        "Richardson-Lucy, true kernel (oracle)",
        "DeblurGAN",
    )
    grid = [np.clip(rows[name][shown], -1, 1) for name in order]
    grid = [
        np.repeat(np.repeat(g, 3, axis=1), 3, axis=2)
        for g in grid + [t_sharp[shown]]
    ]
    for figure in filter(
        None,
        [
            os.path.join(ROOT, "bench", "results", "deblur_photos.png"),
            args.figure,
        ],
    ):
        save_grid(np.concatenate(grid), figure, len(shown))
        print(f"wrote {figure}")
    print(f"wrote {path} ({results['wall_seconds']:.0f} s)")


if __name__ == "__main__":
    main()
