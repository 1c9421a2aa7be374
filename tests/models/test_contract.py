"""The shared contract of kgen's models (docs/guides/glossary.md).

Signatures of `generate`, `log_likelihood`, `interpolate` and `pretrain`
over every model class, the uniform `log_likelihood` against the
specialised methods on tiny models, `DBN.pretrain` against `DBM.pretrain`,
and configs saved under older argument names.
"""

import inspect
import itertools
import json
import os
import zipfile

import keras
import numpy as np
import pytest

import kgen
import kgen.applications  # noqa: F401 (registers the application models)
from kgen.layers import BernoulliRBM
from kgen.models import DBM
from kgen.models import DBN
from kgen.models import RBM
from kgen.models import BoltzmannMachine
from kgen.models import GenerativeModel
from kgen.utils.config_compat import upgrade_config


def _all_model_classes():
    found, stack = [], [GenerativeModel]
    while stack:
        cls = stack.pop()
        found.append(cls)
        stack.extend(cls.__subclasses__())
    kgen_classes = {c for c in found if c.__module__.startswith("kgen.")}
    return sorted(kgen_classes, key=lambda c: c.__qualname__)


MODEL_CLASSES = _all_model_classes()
IDS = [cls.__name__ for cls in MODEL_CLASSES]


def _parameters(function):
    return list(inspect.signature(function).parameters.values())[1:]


@pytest.mark.parametrize("cls", MODEL_CLASSES, ids=IDS)
def test_generate_takes_labels_then_seed_by_keyword(cls):
    parameters = _parameters(cls.generate)
    names = [p.name for p in parameters]
    assert names[0] == "num_samples"
    assert parameters[0].kind is inspect.Parameter.POSITIONAL_OR_KEYWORD
    kinds = {p.name: p.kind for p in parameters}
    assert kinds["labels"] is inspect.Parameter.KEYWORD_ONLY
    assert kinds["seed"] is inspect.Parameter.KEYWORD_ONLY
    assert names.index("labels") == 1 and names.index("seed") == 2


@pytest.mark.parametrize("cls", MODEL_CLASSES, ids=IDS)
def test_one_log_likelihood_entry_point(cls):
    assert cls.log_likelihood is GenerativeModel.log_likelihood
    for name in cls.likelihood_methods.values():
        assert callable(getattr(cls, name)), (cls, name)
    allowed = {"exact", "ais", "bound", "iwae", "elbo"}
    assert set(cls.likelihood_methods) <= allowed


@pytest.mark.parametrize("cls", MODEL_CLASSES, ids=IDS)
def test_interpolate_joins_two_given_samples(cls):
    if not hasattr(cls, "interpolate"):
        return
    names = [p.name for p in _parameters(cls.interpolate)]
    assert names[:3] == ["x_start", "x_end", "num_steps"]


def test_every_likelihood_family_is_reachable():
    methods = {
        cls.__name__: set(cls.likelihood_methods) for cls in MODEL_CLASSES
    }
    assert methods["BoltzmannMachine"] == {"exact"}
    assert methods["RBM"] == {"exact", "ais"}
    assert methods["DBN"] == methods["UpDownDBN"] == {"bound"}
    assert methods["DBM"] == {"exact", "bound"}
    assert methods["VAE"] == methods["ConditionalVAE"] == {"iwae", "elbo"}
    for name in ("NADE", "MADE", "PixelCNN", "RealNVP", "MAF"):
        assert methods[name] == {"exact"}, name
    assert methods["GAN"] == set()


def test_pretrain_has_one_signature():
    assert inspect.signature(DBN.pretrain) == inspect.signature(DBM.pretrain)


# Uniform likelihood against the specialised methods ----------------------


def _binary_states(n):
    return np.array(list(itertools.product([0, 1], repeat=n)), "float32")


def _trained_rbm(rng):
    rbm = RBM(BernoulliRBM(3, seed=0), seed=0)
    rbm.build((None, 4))
    rbm.set_weights([rng.normal(0, 1, w.shape) for w in rbm.get_weights()])
    return rbm


def test_rbm_exact_and_ais(rng):
    rbm = _trained_rbm(rng)
    states = _binary_states(4)
    exact = rbm.log_likelihood(states)
    np.testing.assert_allclose(
        exact, kgen.metrics.log_likelihood(rbm, states), rtol=1e-6
    )
    np.testing.assert_allclose(np.exp(exact).sum(), 1.0, rtol=1e-4)
    ais = rbm.log_likelihood(
        states, method="ais", betas=1000, num_runs=50, seed=0
    )
    np.testing.assert_allclose(ais, exact, atol=0.1)
    with pytest.raises(ValueError, match=r"\['exact', 'ais'\]"):
        rbm.log_likelihood(states, method="bound")


def test_boltzmann_machine_exact_sums_to_one():
    machine = BoltzmannMachine(3, 1, seed=0)
    machine.set_weights(
        [
            np.random.default_rng(1).normal(0, 1, w.shape)
            for w in machine.get_weights()
        ]
    )
    log_p = machine.log_likelihood(_binary_states(3), temperature=2.0)
    np.testing.assert_allclose(np.exp(log_p).sum(), 1.0, rtol=1e-5)


def test_dbm_methods_match_the_specialised_ones(rng):
    dbm = DBM(4, [3, 2], seed=0)
    dbm.set_weights([rng.normal(0, 0.5, w.shape) for w in dbm.get_weights()])
    dbm.trained.assign(1)
    states = _binary_states(4)
    exact = dbm.log_likelihood(states)
    np.testing.assert_allclose(np.exp(exact).sum(), 1.0, rtol=1e-4)
    bound = dbm.log_likelihood(states, method="bound")
    np.testing.assert_allclose(bound, dbm.log_likelihood_bound(states))
    assert np.all(bound <= exact + 1e-5)


def test_dbn_bound_matches_log_likelihood_bound(rng):
    dbn = DBN(4, [3, 2], seed=0)
    dbn.set_weights([rng.normal(0, 0.5, w.shape) for w in dbn.get_weights()])
    dbn.pretrained_layers.assign(2)
    x = _binary_states(4)
    np.testing.assert_allclose(
        dbn.log_likelihood(x, method="bound", num_samples=5, seed=3),
        dbn.log_likelihood_bound(x, num_samples=5, seed=3),
        rtol=1e-6,
    )


def test_vae_iwae_and_elbo():
    vae = kgen.models.VAE.dense((4,), latent_dim=2, hidden_units=(3,), seed=0)
    x = _binary_states(4)[:6]
    np.testing.assert_allclose(
        vae.log_likelihood(x, num_samples=4, seed=1),
        vae.log_likelihood(x, method="iwae", num_samples=4, seed=1),
    )
    np.testing.assert_allclose(
        vae.log_likelihood(x, method="elbo", num_samples=2, seed=1),
        -vae.negative_elbo(x, num_samples=2, seed=1),
        rtol=1e-6,
    )


def test_autoregressive_exact_is_log_prob_and_normalised():
    nade = kgen.models.NADE(4, num_hidden=3, seed=0)
    states = _binary_states(4)
    log_p = nade.log_likelihood(states)
    np.testing.assert_allclose(log_p, nade.log_prob(states))
    np.testing.assert_allclose(np.exp(log_p).sum(), 1.0, rtol=1e-5)


def test_flow_exact_is_log_prob():
    flow = kgen.models.MAF((2,), num_layers=1, hidden_units=(4,), seed=0)
    x = np.random.default_rng(0).normal(size=(5, 2)).astype("float32")
    np.testing.assert_allclose(flow.log_likelihood(x), flow.log_prob(x))


def test_models_without_likelihood_say_so():
    gan = kgen.models.GAN(
        kgen.models.build_mlp_generator(2, (3,), hidden_units=(4,)),
        kgen.models.build_mlp_discriminator((3,), hidden_units=(4,)),
        latent_dim=2,
    )
    with pytest.raises(ValueError, match="GAN has no likelihood"):
        gan.log_likelihood(np.zeros((2, 3), "float32"))
    with pytest.raises(ValueError, match="unconditional"):
        _trained_rbm(np.random.default_rng(0)).generate(2, labels=1)


# DBN.pretrain works like DBM.pretrain -------------------------------------


@pytest.fixture
def data(rng):
    return (rng.random((32, 6)) < 0.3).astype("float32")


@pytest.mark.parametrize("cls", [DBN, DBM])
def test_pretrain_forwards_k_and_persistent_chains(cls, data):
    """`DBM.pretrain(optimizer=...)` and the compiled `DBN.fit` (which is
    `DBN.pretrain`) train the bottom layer as the same RBM would."""
    model = cls(6, [5, 2], seed=0)
    chains = dict(k=2, persistent_chains=8)
    options = dict(batch_size=8, shuffle=False, verbose=0)
    if cls is DBN:
        model.compile(optimizer=keras.optimizers.SGD(0.1))
        model.fit(data, **chains, **options)
        reference_layer = BernoulliRBM(5, seed=0)
        kernel = model.rbm_layers[0].kernel
    else:
        model.pretrain(
            data, optimizer=keras.optimizers.SGD(0.1), **chains, **options
        )
        reference_layer = model.pretraining_layers()[0]
        kernel = model.kernels[0]
    reference = RBM(reference_layer, seed=0, name="reference", **chains)
    reference.compile(optimizer=keras.optimizers.SGD(0.1))
    reference.fit(data, **options)
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(kernel),
        keras.ops.convert_to_numpy(reference.layer.kernel),
        atol=1e-5,
    )


@pytest.mark.parametrize("cls", [DBN, DBM])
def test_pretrain_refuses_the_same_mistakes(cls, data):
    model = cls(6, [5, 4], seed=0)
    with pytest.raises(ValueError, match="needs an optimizer"):
        model.pretrain(data)
    with pytest.raises(ValueError, match="unsupervised"):
        model.pretrain(data, np.zeros(len(data)), optimizer="sgd")


# Configs saved under older argument names -------------------------------


def test_upgrade_config_renames_drops_and_refuses_both():
    renamed = {"gibbs_steps": "k", "old": None}
    assert upgrade_config({"gibbs_steps": 2, "old": 1, "a": 0}, renamed) == {
        "k": 2,
        "a": 0,
    }
    with pytest.raises(ValueError, match="both `gibbs_steps`"):
        upgrade_config({"gibbs_steps": 2, "k": 3}, renamed)


OLD_CONFIGS = {
    BoltzmannMachine: (
        {"num_visible": 3, "num_hidden": 1, "gibbs_steps": 2, "num_chains": 5},
        {"k": 2, "persistent_chains": 5},
    ),
    DBM: (
        {"num_visible": 4, "hidden_units": [3, 2], "gibbs_steps": 3},
        {"k": 3},
    ),
    DBN: (
        {"num_visible": 4, "hidden_units": [3], "k": 2, "persistent_chains": 4},
        {},
    ),
}


@pytest.mark.parametrize("cls", list(OLD_CONFIGS), ids=lambda c: c.__name__)
def test_old_config_names_load(cls):
    old, expected = OLD_CONFIGS[cls]
    model = cls.from_config(old)
    config = model.get_config()
    for key, value in expected.items():
        assert config[key] == value
    assert not {"gibbs_steps", "num_chains"} & set(config)


def test_keras_file_saved_with_old_names_loads(tmp_path):
    machine = BoltzmannMachine(3, 1, k=2, persistent_chains=5, seed=0)
    path = os.path.join(tmp_path, "new.keras")
    machine.save(path)
    old_path = os.path.join(tmp_path, "old.keras")
    with zipfile.ZipFile(path) as new, zipfile.ZipFile(old_path, "w") as old:
        for item in new.infolist():
            content = new.read(item.filename)
            if item.filename == "config.json":
                config = json.loads(content)
                inner = config["config"]
                inner["gibbs_steps"] = inner.pop("k")
                inner["num_chains"] = inner.pop("persistent_chains")
                content = json.dumps(config).encode()
            old.writestr(item, content)
    loaded = keras.models.load_model(old_path)
    assert (loaded.k, loaded.persistent_chains) == (2, 5)
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(loaded.chains),
        keras.ops.convert_to_numpy(machine.chains),
    )
