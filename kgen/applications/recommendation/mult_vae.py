"""Mult-VAE: a variational autoencoder of users' clicks for top-N lists."""

import keras
import numpy as np
from keras import ops

from kgen.applications.recommendation.losses import multinomial_log_likelihood
from kgen.applications.recommendation.ranking import ndcg_at_k
from kgen.applications.recommendation.ranking import recall_at_k
from kgen.applications.recommendation.recommender import Recommender
from kgen.layers.gaussian_sampling import GaussianSampling
from kgen.losses.kl_divergence import gaussian_kl_divergence
from kgen.utils.validation import check_integer
from kgen.utils.validation import check_number


@keras.saving.register_keras_serializable(package="kgen")
class MultVAE(Recommender):
    """Variational autoencoder with a multinomial likelihood (Mult-VAE).

    Liang et al.'s model for top-N recommendation from implicit feedback.
    A user's clicks `x` (1 for every item rated at least
    `positive_rating`, else 0) are L2-normalised and passed through input
    dropout and a tanh MLP encoder to a Gaussian posterior `q(z | x)`; the
    decoder maps `z` to logits over items, and the likelihood is
    multinomial, `log p(x | z) = sum_i x_i log softmax(f(z))_i`. Each step
    minimises

    \\[ -\\log p(x \\mid z) + \\beta\\, \\mathrm{KL}(q(z \\mid x) \\,\\|\\,
        \\mathcal N(0, I)), \\]

    with `beta` held in the non-trainable variable `kl_weight`, which
    `kgen.callbacks.KLAnnealing` ramps from 0 up to `beta` (the paper
    anneals to 0.2). With `weight_decay` = λ > 0 the objective also gets
    the paper's L2 penalty `λ Σ ||W||²` over every kernel of the encoder and
    decoder (not the biases), added to the mean over the batch's users.
    `fit` logs `loss`, `reconstruction_loss` (the
    multinomial negative log-likelihood) and `kl_loss`; with
    `validation_data` it also logs `val_recall_at_20` and `val_ndcg_at_100`
    of the held-out clicks of known users, ranked among the items they did
    not click in training.

    `score_items(history)` ranks items for new users from their clicks
    (fold-in, no retraining); `predict` returns the probability of each
    item in the user's multinomial.

    Reference:
        Liang, Krishnan, Hoffman & Jebara, "Variational Autoencoders for
        Collaborative Filtering", WWW 2018.

    Args:
        hidden_units: tuple of ints, encoder layer sizes (the decoder
            mirrors them); the paper uses `(600,)`.
        latent_dim: int >= 1 (the paper uses 200).
        dropout: float in [0, 1), input dropout rate (0.5 in the paper).
        beta: float >= 0, final weight of the KL term.
        weight_decay: float >= 0, the L2 coefficient λ on the kernels (0,
            the default, adds nothing). Liang et al. tune it per data set;
            it is the main guard against over-fitting on few users.
        positive_rating: `None` (every rated item is a click) or the lowest
            rating counted as a click (e.g. 4).
        rating_scale: `(low, high)` of the ratings.
        num_users: int or `None` (set by `fit`).
        num_items: int or `None` (set by `fit`).
        seed: int or `None`, seed of the model's random streams.
        **kwargs: passed to `keras.Model` (e.g. `name`).

    Example:

    ```python
    data = kgen.datasets.load_movielens_100k()
    model = kgen.applications.recommendation.MultVAE(positive_rating=4, seed=0)
    model.compile(optimizer=keras.optimizers.Adam(1e-3))
    model.fit(data, epochs=100, batch_size=64,
              callbacks=[kgen.callbacks.KLAnnealing(epochs=50)])
    model.recommend(1, k=20)
    ```
    """

    predicts_ratings = False
    tracked_losses = ("reconstruction_loss", "kl_loss")

    def __init__(
        self,
        hidden_units=(600,),
        latent_dim=200,
        dropout=0.5,
        beta=0.2,
        weight_decay=0.0,
        positive_rating=None,
        rating_scale=(1, 5),
        num_users=None,
        num_items=None,
        seed=None,
        **kwargs,
    ):
        self.hidden_units = tuple(
            check_integer(u, "hidden_units") for u in hidden_units
        )
        self.latent_dim = check_integer(latent_dim, "latent_dim")
        self.dropout = check_number(
            dropout, "dropout", low=0, high=1, high_open=True
        )
        self.beta = check_number(beta, "beta", low=0)
        self.weight_decay = check_number(weight_decay, "weight_decay", low=0)
        self.positive_rating = positive_rating
        super().__init__(
            rating_scale=rating_scale,
            num_users=num_users,
            num_items=num_items,
            seed=seed,
            **kwargs,
        )
        if positive_rating is not None:
            self.check_values(np.array([positive_rating]), "positive_rating")

    def _build_networks(self):
        offset = 0 if self.seed is None else self.seed
        regularizer = (
            keras.regularizers.L2(self.weight_decay)
            if self.weight_decay
            else None
        )

        def dense(units, activation, name, index):
            initializer = keras.initializers.GlorotUniform(
                None if self.seed is None else offset + index
            )
            return keras.layers.Dense(
                units,
                activation,
                kernel_initializer=initializer,
                kernel_regularizer=regularizer,
                name=name,
            )

        encoder = [
            dense(u, "tanh", f"encoder_{i}", i)
            for i, u in enumerate(self.hidden_units)
        ]
        encoder.append(dense(2 * self.latent_dim, None, "posterior", 50))
        decoder = [
            dense(u, "tanh", f"decoder_{i}", 100 + i)
            for i, u in enumerate(reversed(self.hidden_units))
        ]
        decoder.append(dense(self.num_items, None, "logits", 200))
        self.encoder = keras.Sequential(encoder, name="encoder")
        self.decoder = keras.Sequential(decoder, name="decoder")
        self.encoder.build((None, self.num_items))
        self.decoder.build((None, self.latent_dim))
        self.sampling = GaussianSampling(
            seed=None if self.seed is None else self.seed + 2, name="sampling"
        )
        self.kl_weight = self.add_weight(
            shape=(),
            initializer=keras.initializers.Constant(self.beta),
            trainable=False,
            name="kl_weight",
        )

    def clicks(self, rows):
        """0/1 clicks from rating rows (`positive_rating` and above)."""
        rows = ops.convert_to_tensor(rows)
        threshold = self.positive_rating or 0.0
        positive = (rows > 0) & (rows >= threshold)
        return ops.cast(positive, rows.dtype)

    def call(self, inputs, training=False):
        """`(logits, mean, log_var)` of rating rows (dropout in training)."""
        x = self.clicks(inputs)
        norm = ops.sqrt(ops.maximum(ops.sum(x * x, axis=-1, keepdims=True), 1))
        x = x / norm
        if training and self.dropout:
            # The model's own stream, whose state is saved with the model.
            x = keras.random.dropout(x, self.dropout, seed=self.seed_generator)
        posterior = self.encoder(x, training=training)
        mean = posterior[..., : self.latent_dim]
        log_var = posterior[..., self.latent_dim :]
        z = self.sampling([mean, log_var]) if training else mean
        return self.decoder(z, training=training), mean, log_var

    def compute_loss(
        self, x=None, y=None, y_pred=None, sample_weight=None, training=True
    ):
        logits, mean, log_var = y_pred
        reconstruction = -multinomial_log_likelihood(self.clicks(x), logits)
        kl = gaussian_kl_divergence(mean, log_var)
        for name, value in (
            ("reconstruction_loss", reconstruction),
            ("kl_loss", kl),
        ):
            self.add_tracker(name).update_state(ops.mean(value))
        weight = ops.cast(self.kl_weight, kl.dtype)
        loss = ops.mean(reconstruction + weight * kl)
        for penalty in self.losses:  # the kernels' L2 (`weight_decay`)
            loss = loss + ops.cast(penalty, loss.dtype)
        return loss

    def score_items(self, history):
        """Item logits (ranking scores) for users given their rating rows.

        Works for users outside the training data (the fold-in of Liang et
        al.): the posterior mean of their clicks is decoded without
        sampling or dropout.
        """
        history = self._check_history(history)
        logits, _, _ = self(ops.convert_to_tensor(history))
        return ops.convert_to_numpy(logits)

    def user_scores(self, user_index):
        logits = super().user_scores(user_index)
        logits = logits - logits.max(axis=-1, keepdims=True)
        return np.exp(logits) / np.exp(logits).sum(axis=-1, keepdims=True)

    def validation_metrics(self, users, items, values):
        """`val_recall_at_20` and `val_ndcg_at_100` of held-out clicks."""
        rows, users = np.unique(self.user_index(users), return_inverse=True)
        heldout = np.zeros((len(rows), self.num_items), "float32")
        heldout[users, self.item_index(items)] = values
        heldout = ops.convert_to_numpy(self.clicks(heldout))
        seen = ops.convert_to_numpy(self.ratings)[rows]
        scores = self.score_items(seen)
        scores[seen > 0] = -np.inf
        keep = heldout.sum(axis=1) > 0
        return {
            "val_recall_at_20": float(
                np.mean(recall_at_k(scores[keep], heldout[keep], 20))
            ),
            "val_ndcg_at_100": float(
                np.mean(ndcg_at_k(scores[keep], heldout[keep], 100))
            ),
        }

    def get_config(self):
        return {
            **super().get_config(),
            "hidden_units": list(self.hidden_units),
            "latent_dim": self.latent_dim,
            "dropout": self.dropout,
            "beta": self.beta,
            "weight_decay": self.weight_decay,
            "positive_rating": self.positive_rating,
        }
