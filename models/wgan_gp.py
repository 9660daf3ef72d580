"""WGAN-GP: the Wasserstein critic with a gradient penalty."""

import keras

from gan_zoo import losses
from gan_zoo.gan import GAN


@keras.saving.register_keras_serializable(package="gan_zoo")
class WGANGP(GAN):
    """Wasserstein GAN with gradient penalty (Gulrajani et al. 2017).

    ```
    x_hat = eps * x + (1 - eps) * G(z),   eps ~ U[0, 1] per sample
    L_C = mean(f(G(z))) - mean(f(x)) + lambda * mean((||grad f(x_hat)|| - 1)^2)
    L_G = -mean(f(G(z)))
    ```
    lambda = 10 and `n_critic` = 5 (the paper's Algorithm 1), each critic
    update on its own real batch (see `gan_zoo.GAN`). Adam(1e-4, beta_1=0.5,
    beta_2=0.9) follows the authors' image code; the paper's Algorithm 1
    lists beta_1 = 0 (pass your own optimizers for it). The critic must not
    use batch norm (the penalty is per sample). On torch the step runs
    eagerly: torch.compile cannot differentiate twice.

    Args:
        gradient_penalty_weight: lambda.

    Reference:
        Gulrajani et al., "Improved Training of Wasserstein GANs", 2017,
        https://arxiv.org/abs/1704.00028
    """

    log_names = GAN.log_names + ("gradient_penalty",)
    default_n_critic = 5
    uses_input_gradients = True
    per_sample_critic = True

    def __init__(self, generator, discriminator, gradient_penalty_weight=10.0, **kwargs):
        super().__init__(generator, discriminator, **kwargs)
        if gradient_penalty_weight < 0:
            raise ValueError(
                "`gradient_penalty_weight` must be >= 0. Received: "
                f"gradient_penalty_weight={gradient_penalty_weight}"
            )
        self.gradient_penalty_weight = float(gradient_penalty_weight)

    @classmethod
    def default_optimizers(cls):
        return (
            keras.optimizers.Adam(1e-4, beta_1=0.5, beta_2=0.9),
            keras.optimizers.Adam(1e-4, beta_1=0.5, beta_2=0.9),
        )

    def discriminator_loss(self, real_outputs, fake_outputs):
        return losses.wasserstein_discriminator_loss(real_outputs, fake_outputs)

    def generator_loss(self, fake_outputs, real_outputs=None):
        return losses.wasserstein_generator_loss(fake_outputs)

    def discriminator_penalties(self, real, fake, training=True):
        critic = lambda x: self.discriminator(x, training=training)  # noqa: E731
        eps = self.draw(
            keras.random.uniform, losses.per_sample_shape(real), dtype=real.dtype
        )
        penalty = losses.wasserstein_gradient_penalty(critic, real, fake, eps=eps)
        return {"gradient_penalty": self.gradient_penalty_weight * penalty}

    def get_config(self):
        return {
            **super().get_config(),
            "gradient_penalty_weight": self.gradient_penalty_weight,
        }
