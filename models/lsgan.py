"""LSGAN: least-squares objectives for both players."""

import keras

from gan_zoo import losses
from gan_zoo.gan import GAN


@keras.saving.register_keras_serializable(package="gan_zoo")
class LSGAN(GAN):
    """Least squares GAN (Mao et al. 2016), the a-b-c = 0-1-1 coding.

    ```
    L_D = 0.5 * mean((D(x) - 1)^2) + 0.5 * mean(D(G(z))^2)
    L_G = 0.5 * mean((D(G(z)) - 1)^2)
    ```
    D's output is linear (no sigmoid). The paper trains with Adam(2e-4,
    beta_1=0.5), the default here.

    Reference:
        Mao et al., "Least Squares Generative Adversarial Networks", 2016,
        https://arxiv.org/abs/1611.04076
    """

    def discriminator_loss(self, real_outputs, fake_outputs):
        return losses.least_squares_discriminator_loss(real_outputs, fake_outputs)

    def generator_loss(self, fake_outputs, real_outputs=None):
        return losses.least_squares_generator_loss(fake_outputs)
