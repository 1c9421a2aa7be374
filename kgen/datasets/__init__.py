"""Dataset loaders: the embedded digits and photos work offline; MNIST,
MovieLens 100K and Shuttle read a local copy or download the upstream file."""

from kgen.datasets.digit_domains import DIGIT_DOMAINS
from kgen.datasets.digit_domains import digit_domains
from kgen.datasets.digit_domains import domain_translation_pairs
from kgen.datasets.digit_domains import render_digit_domains
from kgen.datasets.digits import load_digits
from kgen.datasets.image_pairs import edges_to_photos
from kgen.datasets.image_pairs import motion_blur_kernels
from kgen.datasets.image_pairs import motion_blur_pairs
from kgen.datasets.image_pairs import super_resolution_pairs
from kgen.datasets.image_pairs import thin_to_thick_digits
from kgen.datasets.mnist import load_mnist
from kgen.datasets.movielens import load_movielens_100k
from kgen.datasets.movielens import ratings_matrix
from kgen.datasets.photos import PHOTOS
from kgen.datasets.photos import load_photos
from kgen.datasets.shuttle import load_shuttle
from kgen.datasets.toy_densities import gaussian_ring_log_density
from kgen.datasets.toy_densities import sample_gaussian_ring
from kgen.datasets.toy_densities import sample_two_moons
from kgen.datasets.toy_densities import two_moons_log_density

__all__ = [
    "DIGIT_DOMAINS",
    "PHOTOS",
    "digit_domains",
    "domain_translation_pairs",
    "edges_to_photos",
    "gaussian_ring_log_density",
    "load_digits",
    "load_mnist",
    "load_movielens_100k",
    "load_photos",
    "load_shuttle",
    "motion_blur_kernels",
    "motion_blur_pairs",
    "ratings_matrix",
    "render_digit_domains",
    "sample_gaussian_ring",
    "sample_two_moons",
    "super_resolution_pairs",
    "thin_to_thick_digits",
    "two_moons_log_density",
]
