"""Recommenders: RBM collaborative filtering, AutoRec and Mult-VAE.

Keras models that learn from `(user, item, rating)` triples, predict
ratings or scores and recommend unseen items, plus the ranking metrics and
NumPy baselines of their benchmarks.
"""

from kgen.applications.recommendation import baselines
from kgen.applications.recommendation.auto_rec import AutoRec
from kgen.applications.recommendation.losses import masked_squared_error
from kgen.applications.recommendation.losses import multinomial_log_likelihood
from kgen.applications.recommendation.mult_vae import MultVAE
from kgen.applications.recommendation.ranking import fold_in_split
from kgen.applications.recommendation.ranking import ndcg_at_k
from kgen.applications.recommendation.ranking import recall_at_k
from kgen.applications.recommendation.ranking import top_k
from kgen.applications.recommendation.rbm_recommender import RBMRecommender
from kgen.applications.recommendation.recommender import Recommender

__all__ = [
    "AutoRec",
    "MultVAE",
    "RBMRecommender",
    "Recommender",
    "baselines",
    "fold_in_split",
    "masked_squared_error",
    "multinomial_log_likelihood",
    "ndcg_at_k",
    "recall_at_k",
    "top_k",
]
