"""PGAN: a Gaussian-mixture likelihood as the discriminator's output."""

import keras
from keras import ops

from gan_zoo import losses
from gan_zoo.arguments import check_positive_int
from gan_zoo.gan import GAN
from gan_zoo.layers import GMMLikelihood


@keras.saving.register_keras_serializable(package="gan_zoo")
class PGAN(GAN):
    """Probabilistic GAN (Eghbal-zadeh & Widmer 2017).

    D is an encoder `E` to a bottleneck followed by a Gaussian mixture
    (`gan_zoo.layers.GMMLikelihood`) whose likelihood, without its constant,
    lies in (0, 1]:
    ```
    L(e) = sum_k pi_k exp(-0.5 * sum_d (e_d - mu_kd)^2 / var_kd)
    each D update:  fit (pi, mu, var) to E(x) of the real batch (no gradient),
                    then  L_D = 0.5*mean((L(E(x)) - 1)^2) + 0.5*mean(L(E(G(z)))^2)
    L_G = 0.5*mean((L(E(G(z))) - 1)^2)
    ```
    The mixture is fitted in closed form for one component (the paper's) or
    by `em_iterations` EM steps for more, inside the compiled step, and saved
    with the model (non-trainable weights). The mean likelihoods of the real
    and of the generated batch are logged at every step
    (`real_likelihood`, `fake_likelihood`): the method's quality signal.

    Three choices make the game learnable; each was measured on the digits
    (`tools/pgan_digits.py`):
    - The bottleneck is batch-normalised, as in the paper's encoder, and in
      D's step the real and generated batches go through `E` in one call, so
      the embeddings have unit variance over both. Without it, the fixed
      mixture's gradient mostly shrinks the embeddings, which the next fit
      undoes.
    - The mixture's variances are floored (`gmm_discriminator`'s
      `variance_floor`, 0.1 of that unit variance). With the floor at 1e-6,
      E separated the generated embeddings by 50-300 standard deviations
      of the real ones within 100 steps: their likelihood was exactly 0 in
      float32 and G had no gradient at all.
    - G is scored by D as it stands: `E` in inference mode (batch norm's
      moving statistics). Scored in training mode beside the real batch, G
      learned to move the batch statistics (checkerboard images); alone in
      training mode, batch norm would rescale G's batch to look like any
      other.

    Args:
        generator: as `gan_zoo.GAN`.
        discriminator: a functional model whose last layer is a
            `GMMLikelihood` applied to the encoder's output.
        em_iterations: EM steps of each fit (more than one component).
        freeze_generator: never update G (its loss is still computed and
            logged), to watch the encoder converge against a fixed G: the
            paper's account of the generator's gradient switching off.
        **kwargs: as `gan_zoo.GAN`.

    Reference:
        Eghbal-zadeh & Widmer, "Probabilistic Generative Adversarial
        Networks", 2017, https://arxiv.org/abs/1708.01886
    """

    log_names = GAN.log_names + ("real_likelihood", "fake_likelihood")

    def __init__(
        self, generator, discriminator, em_iterations=10, freeze_generator=False, **kwargs
    ):
        super().__init__(generator, discriminator, **kwargs)
        self.mixture = _mixture_head(discriminator)
        self.encoder = keras.Model(discriminator.input, self.mixture.input, name="encoder")
        check_positive_int("em_iterations", em_iterations)
        self.em_iterations = em_iterations
        self.freeze_generator = bool(freeze_generator)

    @classmethod
    def default_optimizers(cls):
        return keras.optimizers.Adam(1e-4), keras.optimizers.Adam(1e-4)

    def compute_discriminator_loss(self, real, fake, labels=None, training=True):
        n = ops.shape(real)[0]
        embeddings = self.encoder(ops.concatenate([real, fake], axis=0), training=training)
        real_embeddings, fake_embeddings = embeddings[:n], embeddings[n:]
        if training:
            self.mixture.fit(real_embeddings, iterations=self.em_iterations)
        real_likelihood = self.mixture(real_embeddings)
        fake_likelihood = self.mixture(fake_embeddings)
        loss = losses.least_squares_discriminator_loss(real_likelihood, fake_likelihood)
        return loss, {
            "d_loss": loss,
            "real_likelihood": _mean(real_likelihood),
            "fake_likelihood": _mean(fake_likelihood),
        }

    def compute_generator_loss(self, real, fake, labels=None, training=True):
        # D as it stands: batch norm on its moving statistics (see the class
        # docstring).
        fake_likelihood = self.discriminator(fake, training=False)
        loss = losses.least_squares_generator_loss(fake_likelihood)
        return loss, {"g_loss": loss}

    def generator_update_due(self):
        return ops.zeros((), "bool") if self.freeze_generator else None

    def get_config(self):
        return {
            **super().get_config(),
            "em_iterations": self.em_iterations,
            "freeze_generator": self.freeze_generator,
        }


def _mean(x):
    return ops.mean(ops.cast(x, "float32"))


def _mixture_head(discriminator):
    layers = getattr(discriminator, "layers", None) or []
    if not getattr(discriminator, "inputs", None) or not isinstance(
        layers[-1] if layers else None, GMMLikelihood
    ):
        raise ValueError(
            "PGAN's discriminator is an encoder followed by a GMMLikelihood "
            "layer: a functional model whose last layer is that layer, e.g. "
            "gan_zoo.models.architectures.gmm_discriminator(encoder). "
            f"Received: {discriminator!r}"
        )
    return layers[-1]
