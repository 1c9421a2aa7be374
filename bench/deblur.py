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
- the residual ResNet generator (output convolution zeroed: it starts at
  the identity) trained with the pixel MSE alone (no critic), `--rounds`
  rounds;
- DeblurGAN (that generator, WGAN-GP PatchGAN critic, pixel content loss
  with weight `--content-weight`), `--gan-rounds` rounds, its generator
  warm-started from the content-only one (`--no-warm-start`: from zero).

The networks train in rounds, each on the training photos blurred anew
(fresh kernels and noise) minus the validation photos `--val-photos`;
after each round the validation PSNR is measured and the best round kept
(see `Rounds`). The Wiener balance and the Richardson-Lucy iteration count
are chosen on training patches (best mean PSNR). The test photos play no
part in training or in any choice.

TensorFlow backend (the fastest for convolutions on a CPU).

    python bench/deblur.py [--quick] [--rounds 6] [--gan-rounds 2]
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
    """The ResNet generator, its output convolution zeroed.

    Zeroed (`zero_output=True`), `G(x) = 0`: training starts from the
    identity, the restoration `x + G(x)` being the blurred input itself.
    """
    keras.utils.set_random_seed(args.seed)
    return kgen.models.build_resnet_generator(
        shape,
        base_filters=args.filters,
        num_downsampling=args.downsampling,
        num_blocks=args.blocks,
        normalization=None if args.norm == "none" else args.norm,
        zero_output=True,
    )


def adam(learning_rate, total_steps):
    """Adam constant for half the updates, then linearly decayed to 0."""
    schedule = kgen.optimizers.LinearDecay(
        learning_rate, total_steps // 2, total_steps - total_steps // 2
    )
    return keras.optimizers.Adam(schedule, beta_1=0.5)


def blur_pairs(args, seed, stride=None, names=None, test_photos=None):
    """`motion_blur_pairs` of the task with these kernels and photos."""
    return kgen.datasets.motion_blur_pairs(
        patch_size=args.patch,
        scale=args.scale,
        min_length=args.min_length,
        max_length=args.max_length,
        noise=args.noise,
        seed=seed,
        stride=stride,
        names=names,
        **({} if test_photos is None else {"test_photos": test_photos}),
    )


def dihedral(images, transforms):
    """Image `i` rotated by `transforms[i] % 4` quarter turns, then
    transposed if `transforms[i] >= 4` (the 8 symmetries of a square).

    The blur kernels' directions are uniform, so a transformed (blurred,
    sharp) pair is another pair of the same task.
    """
    out = np.empty_like(images)
    for i, (image, t) in enumerate(zip(images, transforms)):
        image = np.rot90(image, t % 4)
        out[i] = np.transpose(image, (1, 0, 2)) if t >= 4 else image
    return out


class Rounds:
    """Training rounds on freshly blurred training photos, selected on a
    validation split of the training photos.

    Round `r` blurs the network-training photos (every training photo but
    the validation ones) with new kernels and noise (seed `seed + 1 + r`),
    `--train-stride` apart, each pair under a random symmetry of the
    square with `--augment`: every round sees new blurs of the same
    photos. After each round the validation PSNR (the validation photos,
    blurred once) is measured and the best round's weights kept (early
    stopping by model selection; the test photos play no part).
    """

    def __init__(self, args):
        self.args = args
        train = [
            n
            for n in kgen.datasets.PHOTOS
            if n not in kgen.datasets.image_pairs.TEST_PHOTOS
        ]
        self.names = [n for n in train if n not in args.val_photos]
        self.validation = blur_pairs(
            args, args.seed, names=args.val_photos, test_photos=()
        )[0][:2]
        self.first = self.pairs(0)  # the same number of pairs every round
        self.steps_per_round = -(-len(self.first[0]) // args.batch)

    def pairs(self, round_index):
        if round_index == 0 and hasattr(self, "first"):
            return self.first
        args = self.args
        seed = args.seed + 1 + round_index
        blurred, sharp, _ = blur_pairs(
            args, seed, args.train_stride, self.names, ()
        )[0]
        if args.augment:
            t = np.random.default_rng(seed).integers(0, 8, len(blurred))
            blurred, sharp = dihedral(blurred, t), dihedral(sharp, t)
        return blurred, sharp

    def validation_psnr(self, restore):
        blurred, sharp = self.validation
        return psnr_ssim(sharp, np.clip(restore(blurred), -1, 1))[0]

    def train(self, model, fit, restore, num_rounds, first_round, label):
        """Runs the rounds; sets the best round's weights. Returns the
        validation PSNR per round."""
        scores, best = [], None
        for r in range(first_round, first_round + num_rounds):
            fit(*self.pairs(r))
            scores.append(self.validation_psnr(restore))
            if scores[-1] == max(scores):
                best = model.get_weights()
            print(f"{label} round {r}: validation PSNR {scores[-1]:.3f}")
        model.set_weights(best)
        return scores


def log_mse(sharp, restored):
    """Each image's `10 log10(MSE + 1e-8)`: DeblurGAN's `"log_mse"`."""
    mse = keras.ops.mean(keras.ops.square(restored - sharp), axis=(1, 2, 3))
    return 10.0 * keras.ops.log10(mse + 1e-8)


def train_content_only(rounds, shape, args):
    """The same residual generator trained with the pixel MSE alone."""
    network = generator(shape, args)
    inputs = keras.Input(shape)
    model = keras.Model(inputs, keras.layers.Add()([inputs, network(inputs)]))
    model.compile(
        optimizer=adam(
            args.learning_rate, rounds.steps_per_round * args.rounds
        ),
        loss=log_mse if args.content_metric == "log_mse" else "mse",
    )
    scores = rounds.train(
        model,
        lambda x, y: model.fit(x, y, batch_size=args.batch, verbose=0),
        lambda x: model.predict(x, verbose=0),
        args.rounds,
        0,
        "content only",
    )
    return network, model, scores


def train_deblur_gan(rounds, network, args):
    """DeblurGAN on `network` (warm-started or zero)."""
    shape = network.input_shape[1:]
    model = kgen.models.DeblurGAN(
        network,
        kgen.models.build_patchgan_discriminator(
            shape, base_filters=args.filters
        ),
        critic_steps=args.critic_steps,
        content_weight=args.content_weight,
        content_metric=args.content_metric,
        seed=args.seed,
    )
    steps = rounds.steps_per_round * args.gan_rounds
    model.compile(
        optimizer={
            # LinearDecay counts the optimizer's own updates: the critic's
            # schedule is `critic_steps` times longer.
            "critic": adam(args.gan_learning_rate, steps * args.critic_steps),
            "generator": adam(args.gan_learning_rate, steps),
        }
    )
    scores = rounds.train(
        model,
        lambda x, y: model.fit(x, y, batch_size=args.batch, verbose=0),
        model.deblur,
        args.gan_rounds,
        args.rounds if args.warm_start else 0,
        "DeblurGAN",
    )
    return model, scores


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
        default=16,
        help="distance between the networks' training patches (overlapping "
        "when below --patch); the test patches never overlap",
    )
    parser.add_argument(
        "--augment",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="each training pair under a random symmetry of the square",
    )
    parser.add_argument(
        "--val-photos",
        default="china,grace_hopper",
        help="training photos held out to select the networks' round",
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=6,
        help="content-only rounds (each on newly blurred training photos)",
    )
    parser.add_argument(
        "--gan-rounds", type=int, default=2, help="DeblurGAN rounds"
    )
    parser.add_argument(
        "--warm-start",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="DeblurGAN's generator starts from the selected content-only "
        "generator (else from zero, for --gan-rounds)",
    )
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--critic-steps", type=int, default=5)
    parser.add_argument(
        "--content-weight",
        type=float,
        default=10.0,
        help="DeblurGAN's content weight (about 1000 for --content-metric mse)",
    )
    parser.add_argument(
        "--content-metric",
        choices=("mse", "log_mse"),
        default="log_mse",
        help="content loss of both networks (log_mse: minus the PSNR)",
    )
    parser.add_argument("--filters", type=int, default=16)
    parser.add_argument("--blocks", type=int, default=4)
    parser.add_argument(
        "--downsampling",
        type=int,
        default=0,
        help="the generator's stride-2 steps (2 in the paper)",
    )
    parser.add_argument(
        "--norm",
        choices=("instance", "none"),
        default="none",
        help="generator normalisation (instance: the paper's)",
    )
    parser.add_argument(
        "--learning-rate",
        type=float,
        default=1e-3,
        help="content-only Adam rate",
    )
    parser.add_argument(
        "--gan-learning-rate",
        type=float,
        default=5e-5,
        help="DeblurGAN's Adam rate (both networks)",
    )
    parser.add_argument("--tune-patches", type=int, default=100)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--figure", default=None, help="also write the picture here"
    )
    args = parser.parse_args()
    args.val_photos = tuple(args.val_photos.split(","))
    if args.quick:
        args.rounds, args.gan_rounds, args.tune_patches = 1, 1, 20
        args.train_stride = 64
    start, cpu_start = time.time(), time.process_time()
    train, test = blur_pairs(args, args.seed)
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
    rounds = Rounds(args)
    print(
        f"{rounds.steps_per_round} steps per round; "
        f"{len(rounds.validation[0])} validation patches"
    )
    baseline_seconds = time.time() - start
    fit_start = time.time()
    network, content_model, content_scores = train_content_only(
        rounds, blurred.shape[1:], args
    )
    content_seconds = time.time() - fit_start
    rows["same generator, content loss only"] = np.clip(
        content_model.predict(t_blurred, verbose=0), -1, 1
    )
    if not args.warm_start:
        network = generator(blurred.shape[1:], args)
    fit_start = time.time()
    model, gan_scores = train_deblur_gan(rounds, network, args)
    gan_seconds = time.time() - fit_start
    rows["DeblurGAN"] = model.deblur(t_blurred)
    extractor = rotation_features((sharp + 1) / 2, args.seed)
    real = extractor((t_sharp + 1) / 2)
    results = {
        "backend": keras.backend.backend(),
        "args": vars(args),
        "train_patches": len(blurred),
        "network_train_pairs_per_round": rounds.steps_per_round * args.batch,
        "validation_identity_psnr": rounds.validation_psnr(lambda x: x),
        "content_validation_psnr_by_round": content_scores,
        "deblurgan_validation_psnr_by_round": gan_scores,
        "test_patches": len(t_blurred),
        "wiener_balance_oracle": balance,
        "wiener_balance_mean_kernel": fixed_balance,
        "richardson_lucy_iterations": iterations,
        "baseline_seconds": baseline_seconds,
        "content_only_seconds": content_seconds,
        "deblurgan_seconds": gan_seconds,
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
