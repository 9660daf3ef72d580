"""Datasets for gan_zoo: embedded digits and toy 2-D mixtures."""

from gan_zoo.datasets.digits import digits
from gan_zoo.datasets.digits import load_digit_images
from gan_zoo.datasets.toy import ring
from gan_zoo.datasets.toy import ring_centers
from gan_zoo.datasets.toy import rotated_gaussians
from gan_zoo.datasets.toy import sample_ring
from gan_zoo.datasets.toy import sample_rotated_gaussians

__all__ = [
    "digits",
    "load_digit_images",
    "ring",
    "ring_centers",
    "rotated_gaussians",
    "sample_ring",
    "sample_rotated_gaussians",
]
