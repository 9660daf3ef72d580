"""WGAN: the Wasserstein critic, kept Lipschitz by weight clipping."""

import keras
from keras import ops

from gan_zoo import losses
from gan_zoo.gan import GAN


@keras.saving.register_keras_serializable(package="gan_zoo")
class WGAN(GAN):
    """Wasserstein GAN with weight clipping (Arjovsky et al. 2017).

    ```
    L_C = mean(f(G(z))) - mean(f(x))       then clip w to [-c, c]
    L_G = -mean(f(G(z)))
    ```
    `n_critic` = 5 critic updates per generator update, c = 0.01,
    RMSprop(5e-5) for both players (the paper's Algorithm 1; the defaults).
    Departure: the critic updates of one step share the real batch (fresh
    noise each time); the paper draws a new real batch for each.

    Args:
        clip_value: `c`, the bound of every critic weight.

    Reference:
        Arjovsky, Chintala, Bottou, "Wasserstein GAN", 2017,
        https://arxiv.org/abs/1701.07875
    """

    default_n_critic = 5

    def __init__(self, generator, discriminator, clip_value=0.01, **kwargs):
        super().__init__(generator, discriminator, **kwargs)
        if clip_value <= 0:
            raise ValueError(
                f"`clip_value` must be > 0. Received: clip_value={clip_value}"
            )
        self.clip_value = float(clip_value)

    @classmethod
    def default_optimizers(cls):
        return keras.optimizers.RMSprop(5e-5), keras.optimizers.RMSprop(5e-5)

    def discriminator_loss(self, real_outputs, fake_outputs):
        return losses.wasserstein_discriminator_loss(real_outputs, fake_outputs)

    def generator_loss(self, fake_outputs, real_outputs=None):
        return losses.wasserstein_generator_loss(fake_outputs)

    def after_discriminator_step(self):
        for w in self.discriminator.trainable_variables:
            w.assign(ops.clip(w, -self.clip_value, self.clip_value))

    def get_config(self):
        return {**super().get_config(), "clip_value": self.clip_value}
