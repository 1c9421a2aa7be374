"""Small utilities shared across kgen."""

from kgen.utils.checked_data import checked_stream
from kgen.utils.config_compat import upgrade_config
from kgen.utils.images import image_grid
from kgen.utils.images import save_filter_grid
from kgen.utils.images import save_image_grid
from kgen.utils.plots import latent_lattice
from kgen.utils.plots import save_latent_scatter
from kgen.utils.plots import save_latent_traversal
from kgen.utils.plots import save_reconstructions
from kgen.utils.pyramid import build_gaussian_pyramid
from kgen.utils.pyramid import build_laplacian_pyramid
from kgen.utils.pyramid import collapse_laplacian_pyramid
from kgen.utils.pyramid import pyramid_down
from kgen.utils.pyramid import pyramid_up
from kgen.utils.serialization import deserialize_network
from kgen.utils.serialization import serialize_network
from kgen.utils.validation import check_array
from kgen.utils.validation import check_bool
from kgen.utils.validation import check_choice
from kgen.utils.validation import check_integer
from kgen.utils.validation import check_labels
from kgen.utils.validation import check_number
from kgen.utils.validation import is_array
from kgen.utils.validation import one_hot
from kgen.utils.validation import seed_generator

__all__ = [
    "checked_stream",
    "image_grid",
    "save_filter_grid",
    "save_image_grid",
    "latent_lattice",
    "save_latent_scatter",
    "save_latent_traversal",
    "save_reconstructions",
    "build_gaussian_pyramid",
    "build_laplacian_pyramid",
    "collapse_laplacian_pyramid",
    "pyramid_down",
    "pyramid_up",
    "deserialize_network",
    "serialize_network",
    "check_array",
    "check_bool",
    "check_choice",
    "check_integer",
    "check_labels",
    "check_number",
    "is_array",
    "one_hot",
    "seed_generator",
    "upgrade_config",
]
