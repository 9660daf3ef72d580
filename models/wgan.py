"""WGAN: the Wasserstein critic, kept Lipschitz by weight clipping."""

import keras
from keras import ops

from gan_zoo import losses
from gan_zoo.gan import GAN

# The reference code's warm-up: this many critic updates per generator update
# for the first `_WARMUP_GENERATOR_STEPS` generator updates and every
# `_WARMUP_EVERY`-th one after.
_WARMUP_CRITIC_UPDATES = 100
_WARMUP_GENERATOR_STEPS = 25
_WARMUP_EVERY = 500


@keras.saving.register_keras_serializable(package="gan_zoo")
class WGAN(GAN):
    """Wasserstein GAN with weight clipping (Arjovsky et al. 2017).

    ```
    L_C = mean(f(G(z))) - mean(f(x))       then clip w to [-c, c]
    L_G = -mean(f(G(z)))
    ```
    `n_critic` = 5 critic updates per generator update, each on its own real
    batch, and c = 0.01 (the paper's Algorithm 1). RMSprop(5e-5) for both
    players with rho = 0.99 and epsilon 1e-8 (the authors' PyTorch code,
    which uses PyTorch's RMSprop defaults; Keras's default rho is 0.9).

    With `warmup=True`, the reference code's schedule: 100 critic updates
    per generator update for the first 25 generator updates and every 500th
    one. Steps keep `n_critic` critic updates each; the generator update is
    skipped until a step completes the schedule's count (100 / 5 = 20 steps
    per warm-up generator update).

    Args:
        clip_value: `c`, the bound of every critic weight.
        warmup: follow the reference code's warm-up schedule.

    Reference:
        Arjovsky, Chintala, Bottou, "Wasserstein GAN", 2017,
        https://arxiv.org/abs/1701.07875
    """

    default_n_critic = 5

    def __init__(self, generator, discriminator, clip_value=0.01, warmup=False, **kwargs):
        super().__init__(generator, discriminator, **kwargs)
        if clip_value <= 0:
            raise ValueError(
                f"`clip_value` must be > 0. Received: clip_value={clip_value}"
            )
        self.clip_value = float(clip_value)
        self.warmup = bool(warmup)
        if self.warmup:
            self.critic_updates_since_generator = self.add_weight(
                shape=(),
                dtype="int32",
                initializer="zeros",
                trainable=False,
                name="critic_updates_since_generator",
            )

    @classmethod
    def default_optimizers(cls):
        return tuple(
            keras.optimizers.RMSprop(5e-5, rho=0.99, epsilon=1e-8) for _ in range(2)
        )

    def discriminator_loss(self, real_outputs, fake_outputs):
        return losses.wasserstein_discriminator_loss(real_outputs, fake_outputs)

    def generator_loss(self, fake_outputs, real_outputs=None):
        return losses.wasserstein_generator_loss(fake_outputs)

    def after_discriminator_step(self):
        for w in self.discriminator.trainable_variables:
            w.assign(ops.clip(w, -self.clip_value, self.clip_value))
        if self.warmup:
            self.critic_updates_since_generator.assign_add(1)

    def generator_update_due(self):
        if not self.warmup:
            return None
        done = self.g_optimizer.iterations
        warming = ops.logical_or(
            done < _WARMUP_GENERATOR_STEPS, ops.equal(done % _WARMUP_EVERY, 0)
        )
        needed = ops.where(warming, _WARMUP_CRITIC_UPDATES, self.n_critic)
        count = self.critic_updates_since_generator
        due = ops.greater_equal(count.value, ops.cast(needed, "int32"))
        count.assign(ops.cast(ops.where(due, 0, count.value), "int32"))
        return due

    def get_config(self):
        return {**super().get_config(), "clip_value": self.clip_value, "warmup": self.warmup}
