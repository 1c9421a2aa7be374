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

from kgen.cli.arguments import non_negative_int
from kgen.cli.arguments import prepare_output
from kgen.version import __version__

# name -> module holding add_arguments(parser) and run(args)
TRAINERS = {
    "autoencoder": "kgen.cli.train_autoencoder",
    "bm": "kgen.cli.train_boltzmann",
    "cgan": "kgen.cli.train_gan",
    "cyclegan": "kgen.cli.train_translation",
    "dbm": "kgen.cli.train_boltzmann",
    "dbn": "kgen.cli.train_boltzmann",
    "dcgan": "kgen.cli.train_gan",
    "deblurgan": "kgen.cli.train_deblurgan",
    "gan": "kgen.cli.train_gan",
    "lapgan": "kgen.cli.train_lapgan",
    "made": "kgen.cli.train_autoregressive",
    "nade": "kgen.cli.train_autoregressive",
    "pixelcnn": "kgen.cli.train_autoregressive",
    "pix2pix": "kgen.cli.train_translation",
    "maf": "kgen.cli.train_flow",
    "rbm": "kgen.cli.train_rbm",
    "srgan": "kgen.cli.train_srgan",
    "realnvp": "kgen.cli.train_flow",
    "stargan": "kgen.cli.train_stargan",
    "stylegan": "kgen.cli.train_stylegan",
    "vae": "kgen.cli.train_vae",
    "wgan-gp": "kgen.cli.train_gan",
}


def build_parser():
    parser = argparse.ArgumentParser(
        prog="kgen",
        description="Train kgen's generative models from the command line.",
    )
    parser.add_argument(
        "--version", action="version", version=f"kgen {__version__}"
    )
    commands = parser.add_subparsers(dest="command", required=True)
    train = commands.add_parser("train", help="train a model")
    models = train.add_subparsers(dest="model", required=True)
    for name, module_name in TRAINERS.items():
        module = importlib.import_module(module_name)
        summary = module.__doc__.strip().splitlines()[0]
        sub = models.add_parser(
            name,
            help=getattr(module, "HELP", {}).get(name, summary),
            description=module.__doc__,
            formatter_class=argparse.ArgumentDefaultsHelpFormatter,
        )
        sub.add_argument(
            "--output", default=f"runs/{name}", help="output folder"
        )
        sub.add_argument(
            "--seed",
            type=non_negative_int,
            default=0,
            help="random seed of the data split, the networks and training",
        )
        module.add_arguments(sub)
        sub.set_defaults(run=module.run)
    return parser


def main(argv=None):
    """Entry point of the `kgen` command.

    Arguments and the output folder are checked before training starts; an
    error ends the command with a one-line message and exit status 2.
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        prepare_output(args.output)
        before = set(os.listdir(args.output))
        args.run(args)
    except (ValueError, OSError) as error:
        print(f"kgen: error: {error}", file=sys.stderr)
        return 2
    written = sorted(set(os.listdir(args.output)) - before) or sorted(
        os.listdir(args.output)
    )
    print(f"Wrote {', '.join(written)} to {os.path.abspath(args.output)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
