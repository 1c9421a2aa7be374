"""Shared by the autoencoder and VAE benchmarks: backend choice, a printed
table and the JSON file in bench/results/."""

import argparse
import json
import os

RESULTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "results")


def parse_args(description, **extra):
    """`--quick` plus `extra` options; picks JAX unless KERAS_BACKEND is set."""
    os.environ.setdefault("KERAS_BACKEND", "jax")
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument(
        "--quick", action="store_true", help="few epochs: a smoke run"
    )
    for name, kwargs in extra.items():
        parser.add_argument(f"--{name.replace('_', '-')}", **kwargs)
    return parser.parse_args()


def report(name, rows, **payload):
    """Prints `rows` (a list of dicts) as a table and writes the JSON."""
    columns = list(rows[0])
    widths = [
        max(len(str(c)), *(len(_cell(r[c])) for r in rows)) for c in columns
    ]
    print(" | ".join(str(c).ljust(w) for c, w in zip(columns, widths)))
    print("-+-".join("-" * w for w in widths))
    for row in rows:
        print(
            " | ".join(_cell(row[c]).ljust(w) for c, w in zip(columns, widths))
        )
    os.makedirs(RESULTS, exist_ok=True)
    path = os.path.join(RESULTS, f"{name}.json")
    with open(path, "w") as file:
        json.dump({"rows": rows, **payload}, file, indent=2)
    print(f"wrote {path}")


def _cell(value):
    return f"{value:.3f}" if isinstance(value, float) else str(value)
