"""Where a PyTorch GAN step's time goes: hand loop, kgen's step, `fit`.

Same networks, data and updates as `bench/gan_speed.py`. In one process, in
turn for several rounds: one epoch of the plain PyTorch loop, one epoch of
kgen's compiled training function called in a bare Python loop (the step
without `fit`'s data loader and callbacks), and one `fit` epoch. Prints the
median time per step of each and the median paired ratio to the hand loop.

    python bench/gan_torch_breakdown.py [--rounds 8]
"""

import argparse
import os
import time

os.environ["KERAS_BACKEND"] = "torch"

import gan_speed  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402

import kgen  # noqa: E402


def main():
    parser = argparse.ArgumentParser(
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--rounds", type=int, default=8)
    rounds = parser.parse_args().rounds
    x = gan_speed.data()
    batches = torch.as_tensor(x)
    gan = kgen.models.GAN(
        *gan_speed.networks(), latent_dim=gan_speed.LATENT, seed=0
    )
    gan.compile(
        optimizer={
            "discriminator": gan_speed.optimizer(),
            "generator": gan_speed.optimizer(),
        }
    )
    gan.fit(
        x, batch_size=gan_speed.BATCH, epochs=1, verbose=0
    )  # builds everything

    def step_loop(order):
        for start in range(0, len(order), gan_speed.BATCH):
            logs = gan.train_function(
                [batches[order[start : start + gan_speed.BATCH]]]
            )
            {
                name: float(value) for name, value in logs.items()
            }  # as fit's callbacks read them

    def fit_epoch(order):
        gan.fit(
            x, batch_size=gan_speed.BATCH, epochs=1, shuffle=True, verbose=0
        )

    arms = {
        "hand loop": gan_speed.torch_loop(x),
        "kgen train step": step_loop,
        "kgen fit": fit_epoch,
    }
    times = {name: [] for name in arms}
    rng = np.random.default_rng(0)
    for _ in range(rounds):
        for name, run_epoch in arms.items():
            order = rng.permutation(len(x))
            start = time.perf_counter()
            run_epoch(order)
            times[name].append(time.perf_counter() - start)
    steps = len(x) // gan_speed.BATCH
    hand = np.array(times["hand loop"])
    for name, seconds in times.items():
        seconds = np.array(seconds)
        print(
            f"{name:16} {np.median(seconds) / steps * 1e3:6.2f} ms/step   "
            f"hand ÷ this {np.median(hand / seconds):.3f}"
        )
    print("(`kgen fit` includes one `fit` call's setup per epoch.)")


if __name__ == "__main__":
    main()
