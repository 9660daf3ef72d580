"""Generator and discriminator builders shared by the methods in `gan_zoo.models`."""

from gan_zoo.models.architectures.char_cnn import CharCNNCritic
from gan_zoo.models.architectures.char_cnn import CharCNNGenerator
from gan_zoo.models.architectures.dcgan import dcgan_discriminator
from gan_zoo.models.architectures.dcgan import dcgan_generator
from gan_zoo.models.architectures.dcgan import dcgan_sizes
from gan_zoo.models.architectures.mlp import mlp_discriminator
from gan_zoo.models.architectures.mlp import mlp_generator
from gan_zoo.models.architectures.pgan import gmm_discriminator
from gan_zoo.models.architectures.pgan import pgan_encoder
from gan_zoo.models.architectures.pgan import pgan_generator
from gan_zoo.models.architectures.pgan import pgan_mlp_encoder

__all__ = [
    "CharCNNCritic",
    "CharCNNGenerator",
    "dcgan_discriminator",
    "dcgan_generator",
    "dcgan_sizes",
    "gmm_discriminator",
    "mlp_discriminator",
    "mlp_generator",
    "pgan_encoder",
    "pgan_generator",
    "pgan_mlp_encoder",
]
