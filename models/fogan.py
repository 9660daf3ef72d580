"""First Order GAN and its ablation without the gradient term, PWGAN."""

import keras
from keras import ops

from gan_zoo import losses
from gan_zoo.gan import GAN


@keras.saving.register_keras_serializable(package="gan_zoo")
class FOGAN(GAN):
    """First Order GAN (Seward et al. 2018).

    The critic maximises the First Order Penalized Wasserstein Divergence,
    measured at points just next to the generated ones:
    ```
    x~_i = G(z)_i + a_i (x_i - G(z)_i),   a_i ~ U[0, max_perturbation]
    L_D = mean f(x~) - mean f(x)
          + lambda * mean[(f(x_i) - f(x~_i))^2 / ||x_i - x~_i||]
          + mu * mean[(||grad f(x~_i)|| - t_i)^2]
    L_G = -mean f(x~)
    ```
    with the target slope `t_i` of `gan_zoo.losses.first_order_target_slope`
    (pairwise over the batch, no gradient). The generator's loss is on the
    perturbed points, so its step uses the real batch too. Defaults are the
    reference code's text settings: lambda = 0.1 (0.5 for CelebA), mu = 1,
    one critic step per generator step, Adam(beta 0.5, 0.9) with learning
    rates 3e-4 (critic) and 1e-4 (generator). On torch the step runs eagerly:
    torch.compile cannot differentiate twice.

    Args:
        lipschitz_weight: lambda, >= 0.
        gradient_weight: mu, >= 0.
        max_perturbation: the largest `a_i`, in (0, 1].

    Reference:
        Seward et al., "First Order Generative Adversarial Networks", ICML
        2018, https://arxiv.org/abs/1802.04591
    """

    log_names = GAN.log_names + ("lipschitz_penalty", "gradient_penalty")
    generator_uses_real = True
    uses_input_gradients = True
    per_sample_critic = True

    def __init__(
        self,
        generator,
        discriminator,
        lipschitz_weight=0.1,
        gradient_weight=1.0,
        max_perturbation=0.01,
        **kwargs,
    ):
        super().__init__(generator, discriminator, **kwargs)
        for name, value in (
            ("lipschitz_weight", lipschitz_weight),
            ("gradient_weight", gradient_weight),
        ):
            if not value >= 0:
                raise ValueError(f"`{name}` must be >= 0. Received: {name}={value}")
        if not 0.0 < max_perturbation <= 1.0:
            raise ValueError(
                "`max_perturbation` must be in (0, 1]. Received: "
                f"max_perturbation={max_perturbation}"
            )
        self.lipschitz_weight = float(lipschitz_weight)
        self.gradient_weight = float(gradient_weight)
        self.max_perturbation = float(max_perturbation)

    @classmethod
    def default_optimizers(cls):
        return (
            keras.optimizers.Adam(3e-4, beta_1=0.5, beta_2=0.9),
            keras.optimizers.Adam(1e-4, beta_1=0.5, beta_2=0.9),
        )

    def perturb(self, real, fake):
        """`x~ = fake + a * (real - fake)`, `a ~ U[0, max_perturbation]` per sample."""
        fake = ops.convert_to_tensor(fake)
        a = self.draw(
            keras.random.uniform,
            losses.per_sample_shape(fake),
            maxval=self.max_perturbation,
            dtype=fake.dtype,
        )
        return fake + a * (ops.cast(real, fake.dtype) - fake)

    def compute_discriminator_loss(self, real, fake, labels=None, training=True):
        critic = lambda x: self.discriminator(x, training=training)  # noqa: E731
        loss, terms = losses.first_order_critic_loss(
            critic,
            real,
            self.perturb(real, fake),
            lipschitz_weight=self.lipschitz_weight,
            gradient_weight=self.gradient_weight,
        )
        return loss, {"d_loss": loss, **terms}

    def compute_generator_loss(self, real, fake, labels=None, training=True):
        outputs = self.discriminator(self.perturb(real, fake), training=training)
        loss = losses.wasserstein_generator_loss(outputs)
        return loss, {"g_loss": loss}

    def get_config(self):
        return {
            **super().get_config(),
            "lipschitz_weight": self.lipschitz_weight,
            "gradient_weight": self.gradient_weight,
            "max_perturbation": self.max_perturbation,
        }


@keras.saving.register_keras_serializable(package="gan_zoo")
class PWGAN(FOGAN):
    """Penalized Wasserstein GAN: FOGAN without the gradient term (mu = 0).

    ```
    L_D = mean f(x~) - mean f(x) + lambda * mean[(f(x_i) - f(x~_i))^2 / ||x_i - x~_i||]
    L_G = -mean f(x~)
    ```
    The ablation of Seward et al. 2018 (https://arxiv.org/abs/1802.04591);
    no input gradient, so torch can compile its step.
    """

    log_names = GAN.log_names + ("lipschitz_penalty",)
    uses_input_gradients = False

    def __init__(self, generator, discriminator, lipschitz_weight=0.1, **kwargs):
        if kwargs.pop("gradient_weight", 0.0):
            raise ValueError("PWGAN has no gradient term; use FOGAN for mu > 0.")
        super().__init__(
            generator, discriminator, lipschitz_weight, gradient_weight=0.0, **kwargs
        )

    def get_config(self):
        config = super().get_config()
        del config["gradient_weight"]
        return config
