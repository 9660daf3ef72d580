"""Softmax GAN: a softmax over the samples of the whole batch."""

import keras

from gan_zoo import losses
from gan_zoo.gan import GAN


@keras.saving.register_keras_serializable(package="gan_zoo")
class SoftmaxGAN(GAN):
    """Softmax GAN (Lin 2017).

    D assigns each sample an energy; its output is read as the logit
    `l = -energy`. The softmax runs over the batch `B = B+ ∪ B-` of real and
    generated samples together, with the actual sizes of both parts:
    ```
    L_D = -mean_{B+}(l) + logsumexp_B(l)    # target 1/|B+| on real samples
    L_G = -mean_B(l) + logsumexp_B(l)       # target 1/|B| on every sample
    ```
    The generator's loss needs D's outputs on the real batch too. The paper
    trains with Adam(2e-4, beta_1=0.5) (the DCGAN settings), the default.

    Reference:
        Lin, "Softmax GAN", 2017, https://arxiv.org/abs/1704.06191
    """

    generator_uses_real = True

    def discriminator_loss(self, real_outputs, fake_outputs):
        return losses.softmax_discriminator_loss(real_outputs, fake_outputs)

    def generator_loss(self, fake_outputs, real_outputs=None):
        return losses.softmax_generator_loss(real_outputs, fake_outputs)
