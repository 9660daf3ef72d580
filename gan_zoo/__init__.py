"""gan_zoo: GANs exact to their papers, on every Keras 3 backend."""

from gan_zoo import losses
from gan_zoo import presets
from gan_zoo.gan import GAN
from gan_zoo.version import __version__

# Registers every method's class for `keras.saving.load_model` and presets.
import gan_zoo.models  # noqa: E402,F401  isort: skip

__all__ = ["GAN", "losses", "presets", "__version__"]
