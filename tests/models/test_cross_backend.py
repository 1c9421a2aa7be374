"""A `.keras` file saved on one backend continues training on the others.

The models are trained for one epoch and saved on the backend under test;
one subprocess per other backend loads every file, trains it one more epoch
and reports the loss it logged.
"""

import json
import os
import subprocess
import sys

import keras
import numpy as np
import pytest

import kgen

BACKENDS = ("tensorflow", "jax", "torch")
_RNG = np.random.default_rng(0)
_BINARY = (_RNG.random((16, 6)) < 0.4).astype("float32")
_UNIT = _RNG.random((16, 6)).astype("float32")
_LABELS = np.arange(16) % 2


def _families():
    """name -> (model, fit data as a tuple)."""
    models = kgen.models
    gan_parts = {
        "generator": models.build_mlp_generator(2, (6,), hidden_units=(4,)),
        "discriminator": models.build_mlp_discriminator((6,), (4,)),
    }
    conditional_parts = {
        "generator": models.build_mlp_generator(
            2, (6,), hidden_units=(4,), num_classes=2
        ),
        "discriminator": models.build_mlp_discriminator(
            (6,), (4,), num_classes=2
        ),
    }
    return {
        "rbm": (models.RBM(kgen.layers.BernoulliRBM(3), seed=0), (_BINARY,)),
        "autoencoder": (
            models.Autoencoder.dense((6,), latent_dim=2, hidden_units=(4,)),
            (_UNIT,),
        ),
        "vae": (
            models.VAE.dense((6,), latent_dim=2, hidden_units=(4,), seed=0),
            (_BINARY,),
        ),
        "gan": (models.GAN(**gan_parts, latent_dim=2, seed=0), (_UNIT,)),
        "cgan": (
            models.ConditionalGAN(
                **conditional_parts, latent_dim=2, num_classes=2, seed=0
            ),
            (_UNIT, _LABELS),
        ),
    }


def _train(model, data):
    history = model.fit(*data, batch_size=8, epochs=1, verbose=0)
    return {k: float(v[-1]) for k, v in history.history.items()}


_LOADER = """
import json, sys
import keras
import numpy as np
import kgen  # registers kgen's classes
directory = sys.argv[1]
results = {}
for name in json.loads(sys.argv[2]):
    model = keras.saving.load_model(f"{directory}/{name}.keras")
    data = np.load(f"{directory}/{name}.npz")
    arrays = [data[k] for k in sorted(data.files)]
    history = model.fit(*arrays, batch_size=8, epochs=1, verbose=0)
    results[name] = {k: float(v[-1]) for k, v in history.history.items()}
print("RESULTS" + json.dumps(results))
"""


def test_files_saved_here_train_on_every_other_backend(tmp_path):
    families = _families()
    for name, (model, data) in families.items():
        model.compile(optimizer="adam")
        _train(model, data)
        model.save(tmp_path / f"{name}.keras")
        np.savez(
            tmp_path / f"{name}.npz",
            **{f"a{i}": array for i, array in enumerate(data)},
        )
    here = keras.backend.backend()
    for other in [b for b in BACKENDS if b != here]:
        env = dict(os.environ, KERAS_BACKEND=other)
        result = subprocess.run(
            [
                sys.executable,
                "-c",
                _LOADER,
                str(tmp_path),
                json.dumps(list(families)),
            ],
            env=env,
            capture_output=True,
            text=True,
        )
        if "No module named" in result.stderr and other in result.stderr:
            pytest.skip(f"backend {other} is not installed")
        assert result.returncode == 0, (
            f"saved on {here}, training on {other} failed:\n"
            f"{result.stderr[-3000:]}"
        )
        line = result.stdout.splitlines()[-1]
        results = json.loads(line[len("RESULTS") :])
        for name, logs in results.items():
            assert logs and all(np.isfinite(v) for v in logs.values()), (
                other,
                name,
                logs,
            )
