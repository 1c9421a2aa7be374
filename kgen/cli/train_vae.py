"""Train a variational autoencoder (optionally conditional) on the digits.

Writes `model.keras`, `samples.png`, `reconstructions.png`,
`traversal.png` (a lattice of codes decoded), `latent.png` for a 2-D latent
space, and `metrics.json` (test negative ELBO and IWAE bound, in nats) to
`--output`. A Bernoulli likelihood trains on binarised digits.
"""

import os

import keras
import numpy as np

from kgen.callbacks import KLAnnealing
from kgen.cli.arguments import non_negative_float
from kgen.cli.arguments import non_negative_int
from kgen.cli.arguments import positive_float
from kgen.cli.arguments import positive_int
from kgen.cli.train_autoencoder import add_model_arguments
from kgen.cli.train_autoencoder import build
from kgen.cli.train_autoencoder import finish
from kgen.cli.train_autoencoder import load_data
from kgen.models import VAE
from kgen.models import ConditionalVAE
from kgen.utils import save_image_grid
from kgen.utils import save_latent_traversal


def add_arguments(parser):
    add_model_arguments(parser, latent_dim=8)
    parser.add_argument(
        "--likelihood",
        choices=("bernoulli", "gaussian"),
        default="bernoulli",
        help="decoder likelihood (Bernoulli trains on binarised digits)",
    )
    parser.add_argument(
        "--variance",
        type=variance,
        default="learned",
        help="Gaussian likelihood variance: a number or 'learned'",
    )
    parser.add_argument(
        "--beta",
        type=non_negative_float,
        default=1.0,
        help="weight of the KL term",
    )
    parser.add_argument(
        "--importance-samples",
        type=positive_int,
        default=1,
        help="codes per input in training: 1 for the ELBO, k > 1 for IWAE",
    )
    parser.add_argument(
        "--kl-warmup",
        type=non_negative_int,
        default=0,
        help="epochs of KL annealing (0: none)",
    )
    parser.add_argument(
        "--conditional",
        action="store_true",
        help="train a conditional VAE on the labels",
    )
    parser.add_argument(
        "--iwae-samples",
        type=positive_int,
        default=100,
        help="importance samples of the test bound",
    )


def variance(text):
    """`--variance`: `"learned"` or a number > 0."""
    return text if text == "learned" else positive_float(text)


def run(args):
    keras.utils.set_random_seed(args.seed)
    bernoulli = args.likelihood == "bernoulli"
    (x_train, y_train), (x_test, y_test) = load_data(
        args, "binary" if bernoulli else "unit"
    )
    options = {
        "likelihood": args.likelihood,
        "beta": args.beta,
        "importance_samples": args.importance_samples,
    }
    if not bernoulli:
        options["variance"] = args.variance
    labels = {}
    if args.conditional:
        options["num_classes"] = 10
        labels = {"labels": y_test}
    model = build(
        ConditionalVAE if args.conditional else VAE,
        args,
        x_train.shape[1:],
        **options,
    )
    callbacks = [KLAnnealing(args.kl_warmup)] if args.kl_warmup else []
    history = model.fit(
        x_train,
        y_train if args.conditional else None,
        epochs=args.epochs,
        batch_size=args.batch_size,
        callbacks=callbacks,
        verbose=1,
    )
    test = model.evaluate(
        [x_test, y_test] if args.conditional else x_test,
        verbose=0,
        return_dict=True,
    )
    bound = model.log_likelihood(
        x_test, num_samples=args.iwae_samples, **labels
    )
    metrics = {
        "test_negative_elbo": float(test["negative_elbo"]),
        "test_iwae_bound": float(np.mean(bound)),
        "iwae_samples": args.iwae_samples,
    }
    save_image_grid(
        model.generate(100, seed=args.seed),
        os.path.join(args.output, "samples.png"),
        image_shape=(8, 8),
        num_columns=10,
    )
    if model.latent_dim >= 2:
        save_latent_traversal(
            model,
            os.path.join(args.output, "traversal.png"),
            image_shape=(8, 8),
            labels=0 if args.conditional else None,
        )
    return finish(model, args, history, metrics, x_test, y_test)
