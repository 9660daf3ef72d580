"""gan_zoo: GANs exact to their papers, on every Keras 3 backend."""

from gan_zoo import losses
from gan_zoo import presets
from gan_zoo.gan import GAN
from gan_zoo.version import __version__

__all__ = ["GAN", "losses", "presets", "__version__"]
