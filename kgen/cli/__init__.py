"""The `kgen` command line: `kgen train <model> [options]`.

Each model family registers a trainer module in `TRAINERS`. A trainer module
defines `add_arguments(parser)` and `run(args)`; `run` trains on the embedded
default data unless told otherwise and writes the saved model, pictures and a
`metrics.json` to `--output`.
"""

import argparse
import importlib
import os
import sys

# name -> module holding add_arguments(parser) and run(args)
TRAINERS = {
    "autoencoder": "kgen.cli.train_autoencoder",
    "cgan": "kgen.cli.train_gan",
    "dcgan": "kgen.cli.train_gan",
    "gan": "kgen.cli.train_gan",
    "rbm": "kgen.cli.train_rbm",
    "vae": "kgen.cli.train_vae",
    "wgan-gp": "kgen.cli.train_gan",
}


def build_parser():
    parser = argparse.ArgumentParser(
        prog="kgen",
        description="Train kgen's generative models from the command line.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    train = commands.add_parser("train", help="train a model")
    models = train.add_subparsers(dest="model", required=True)
    for name, module_name in TRAINERS.items():
        module = importlib.import_module(module_name)
        sub = models.add_parser(
            name,
            help=module.__doc__.strip().splitlines()[0],
            description=module.__doc__,
            formatter_class=argparse.ArgumentDefaultsHelpFormatter,
        )
        sub.add_argument(
            "--output", default=f"runs/{name}", help="output folder"
        )
        sub.add_argument("--seed", type=int, default=0, help="random seed")
        module.add_arguments(sub)
        sub.set_defaults(run=module.run)
    return parser


def main(argv=None):
    """Entry point of the `kgen` command."""
    args = build_parser().parse_args(argv)
    os.makedirs(args.output, exist_ok=True)
    args.run(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
