"""DCGAN: the GAN objective with the DCGAN architecture and optimiser."""

import keras

from gan_zoo.gan import GAN


@keras.saving.register_keras_serializable(package="gan_zoo")
class DCGAN(GAN):
    """Deep convolutional GAN (Radford et al. 2015).

    The objective is the GAN's (`gan_zoo.GAN`: non-saturating generator loss,
    optional minimax form and one-sided label smoothing); what DCGAN adds is
    the architecture, built by
    `gan_zoo.models.architectures.dcgan_generator` / `dcgan_discriminator`
    (strided convolutions, batch norm except at G's output and D's input,
    ReLU/tanh in G, LeakyReLU(0.2) in D, N(0, 0.02) initialisation), and the
    optimiser, Adam(2e-4, beta_1=0.5) for both players (the default here).

    Example:
    ```python
    from gan_zoo.models import DCGAN
    from gan_zoo.models.architectures import dcgan_discriminator, dcgan_generator
    model = DCGAN(dcgan_generator(28, 1), dcgan_discriminator(28, 1))
    model.compile()
    model.fit(gan_zoo.datasets.digits(image_size=28), epochs=5)
    ```

    Reference:
        Radford, Metz, Chintala, "Unsupervised Representation Learning with
        Deep Convolutional Generative Adversarial Networks", 2015,
        https://arxiv.org/abs/1511.06434
    """
