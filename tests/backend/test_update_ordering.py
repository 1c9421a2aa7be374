"""TensorFlow: Grappler keeps every read of a variable ordered with its update.

A training step that hands on a `tf.Variable` reads it again at each use.
Grappler's dependency optimizer dropped the edges ordering such a read
before the optimizer's update when a path through shape ops (which constant
folding then removed) seemed to order it; the read could then run after the
update (it did in `RBM` with Gaussian hidden units). These tests optimise
each family's traced step as the runtime does and look for a read and an
update of one variable with no path between them. Every phased family is
covered: the RBM and other Boltzmann steps, flows with batch normalisation,
and the adversarial models (several critic steps, gradient penalties, R1,
EMA, image pools, batch normalisation's moving statistics).
"""

import keras
import numpy as np
import pytest
from keras import ops

import kgen

pytestmark = pytest.mark.skipif(
    keras.backend.backend() != "tensorflow",
    reason="Grappler rewrites TensorFlow graphs only",
)

UPDATES = ("AssignVariableOp", "AssignSubVariableOp", "AssignAddVariableOp")
BINARY = (np.random.default_rng(0).random((8, 6)) < 0.5).astype("float32")
REAL = np.random.default_rng(1).normal(size=(8, 6)).astype("float32")
IMAGES = np.random.default_rng(2).uniform(-1, 1, (8, 8, 8, 1)).astype("float32")
models = kgen.models


def _rbm(layer, **kwargs):
    return models.RBM(layer, weight_decay=0.01, monitor_samples=0, **kwargs)


FAMILIES = {
    "rbm_gaussian_hidden": (
        lambda: _rbm(kgen.layers.BernoulliGaussianRBM(3, seed=0), seed=0),
        BINARY,
    ),
    "rbm_persistent_sparse": (
        lambda: _rbm(
            kgen.layers.BernoulliRBM(3, seed=0),
            persistent_chains=4,
            sparsity_target=0.1,
            sparsity_cost=0.1,
            seed=0,
        ),
        BINARY,
    ),
    "dbm": (
        lambda: models.DBM(6, [4, 3], persistent_chains=8, seed=0),
        BINARY,
    ),
    "boltzmann_machine": (
        lambda: models.BoltzmannMachine(6, 3, seed=0),
        BINARY,
    ),
    "vae": (
        lambda: models.VAE.dense((6,), 2, hidden_units=(5,), seed=0),
        BINARY,
    ),
    "cycle_gan": (
        lambda: models.CycleGAN(
            *(
                models.build_resnet_generator(
                    (8, 8, 1), base_filters=4, num_downsampling=1, num_blocks=1
                )
                for _ in range(2)
            ),
            *(
                models.build_patchgan_discriminator((8, 8, 1), 4, num_layers=2)
                for _ in range(2)
            ),
            pool_size=4,
            seed=0,
        ),
        (IMAGES, IMAGES[::-1]),
    ),
    "style_gan": (
        lambda: models.StyleGAN(
            models.build_style_generator(
                4, (8, 8, 1), filters=4, mapping_layers=2
            ),
            models.build_style_discriminator((8, 8, 1), 4),
            penalty_interval=2,
            ema_decay=0.5,
            seed=0,
        ),
        IMAGES,
    ),
    "gan": (
        lambda: models.GAN(
            models.build_mlp_generator(2, (6,), hidden_units=(5,)),
            models.build_mlp_discriminator((6,), (5,)),
            latent_dim=2,
            seed=0,
        ),
        REAL,
    ),
    "pix2pix": (
        lambda: models.Pix2Pix(
            models.build_unet_generator(
                (8, 8, 1), base_filters=4, num_downsampling=2
            ),
            models.build_patchgan_discriminator((8, 8, 2), 4, num_layers=2),
            seed=0,
        ),
        (IMAGES, IMAGES[::-1]),
    ),
    "star_gan": (  # several critic steps with a gradient penalty
        lambda: models.StarGAN(
            models.build_stargan_generator(
                (8, 8, 1), 3, base_filters=4, num_downsampling=1, num_blocks=1
            ),
            models.build_stargan_discriminator(
                (8, 8, 1), 3, base_filters=4, num_layers=2
            ),
            3,
            discriminator_steps=2,
            seed=0,
        ),
        (IMAGES, np.arange(8) % 3),
    ),
    "deblur_gan": (
        lambda: models.DeblurGAN(
            models.build_resnet_generator(
                (8, 8, 1), base_filters=4, num_downsampling=1, num_blocks=1
            ),
            models.build_patchgan_discriminator((8, 8, 1), 4, num_layers=2),
            critic_steps=2,
            seed=0,
        ),
        (IMAGES, IMAGES[::-1]),
    ),
    "srgan": (  # batch normalisation's moving statistics
        lambda: models.SRGAN(
            models.build_srresnet_generator(
                scale=2, channels=1, num_blocks=1, filters=4
            ),
            models.build_srgan_discriminator(
                (8, 8, 1), filters=4, num_downsampling=1, dense_units=8
            ),
            seed=0,
        ),
        (IMAGES[:, ::2, ::2], IMAGES),
    ),
    "lapgan": (
        lambda: models.LAPGAN(
            [
                models.build_lapgan_generator((8, 8, 1), filters=4),
                models.build_mlp_generator(4, (4, 4, 1), (8,)),
            ],
            [
                models.build_lapgan_discriminator((8, 8, 1), filters=4),
                models.build_mlp_discriminator((4, 4, 1), (8,)),
            ],
            latent_dim=4,
            seed=0,
        ),
        IMAGES,
    ),
    "maf_batch_norm": (
        lambda: models.MAF(
            (6,), num_layers=2, hidden_units=(5,), batch_norm=True, seed=0
        ),
        REAL,
    ),
}


def _optimized_step(model, x):
    """The model's traced `train_step` on `x` (an array or an `(x, y)`
    tuple), after Grappler's default passes."""
    import tensorflow as tf
    from tensorflow.core.protobuf import config_pb2
    from tensorflow.python.framework import meta_graph
    from tensorflow.python.grappler import tf_optimizer

    data = (
        tuple(map(tf.constant, x)) if isinstance(x, tuple) else tf.constant(x)
    )
    step = tf.function(model.train_step).get_concrete_function(data)
    graph_def = meta_graph.create_meta_graph_def(graph=step.graph)
    fetch = graph_def.collection_def["train_op"].node_list.value
    fetch.extend(
        op.name
        for op in step.graph.get_operations()
        if op.type in UPDATES or op.type == "ReadVariableOp"
    )
    config = config_pb2.ConfigProto()
    config.graph_options.rewrite_options.min_graph_nodes = -1
    return tf_optimizer.OptimizeGraph(config, graph_def)


def _unordered_pairs(graph_def):
    """(read, update) pairs of one variable with no path between them."""
    successors, by_variable = {}, {}
    for node in graph_def.node:
        for name in node.input:
            source = name.lstrip("^").split(":")[0]
            successors.setdefault(source, set()).add(node.name)
        if node.op == "ReadVariableOp" or node.op in UPDATES:
            reads, updates = by_variable.setdefault(node.input[0], ([], []))
            (updates if node.op in UPDATES else reads).append(node.name)

    def descendants(name):
        seen, stack = set(), [name]
        while stack:
            for child in successors.get(stack.pop(), ()):
                if child not in seen:
                    seen.add(child)
                    stack.append(child)
        return seen

    pairs = []
    for reads, updates in by_variable.values():
        after = {name: descendants(name) for name in reads + updates}
        pairs += [
            (read, update)
            for update in updates
            for read in reads
            if update not in after[read] and read not in after[update]
        ]
    return pairs


def _unordered_pairs_of(family):
    """`_unordered_pairs` of a family's step, once `fit` built the model."""
    make, x = FAMILIES[family]
    model = make()
    model.compile(optimizer=keras.optimizers.SGD(0.1))
    data = x if isinstance(x, tuple) else (x,)
    model.fit(*data, batch_size=8, epochs=1, verbose=0)
    return _unordered_pairs(_optimized_step(model, x))


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_reads_stay_ordered_with_updates(family):
    assert _unordered_pairs_of(family) == []


def test_detects_a_variable_handed_on(monkeypatch):
    # The defect these tests guard against (the RBM step before the fix):
    # parameters handed on as variables, read again at each use, in the
    # step of that time (trained on the free-energy gap itself).
    def variables(self, temperature=1.0):
        return {name: v.value for name, v in self._parameter_variables()}

    def free_energy_gap(self, x, parameters=None, training=True):
        layer = self.layer
        parameters = layer.parameters()
        field = layer.hidden_field(x, parameters)
        negative = layer.gibbs(
            x, self.k, self.seed_generator, parameters, hidden_field=field
        )
        return ops.mean(
            layer.free_energy_from_field(x, field, parameters)
        ) - ops.mean(layer.free_energy(negative, parameters))

    monkeypatch.setattr(kgen.layers.RBMLayer, "parameters", variables)
    monkeypatch.setattr(
        models.RBM, "contrastive_divergence_loss", free_energy_gap
    )
    assert _unordered_pairs_of("rbm_gaussian_hidden")
