"""gan_zoo: GANs exact to their papers, on every Keras 3 backend."""

from gan_zoo import losses
from gan_zoo import presets
from gan_zoo.gan import GAN
from gan_zoo.presets import list_presets
from gan_zoo.version import __version__

# Registers every serializable class (methods, architectures, layers) for
# `keras.saving.load_model` and presets; none of them imports TensorFlow.
import gan_zoo.layers  # noqa: E402,F401  isort: skip
import gan_zoo.models  # noqa: E402,F401  isort: skip
import gan_zoo.models.architectures  # noqa: E402,F401  isort: skip

__all__ = ["GAN", "list_presets", "losses", "presets", "__version__"]
