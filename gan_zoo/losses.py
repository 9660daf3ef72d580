"""GAN objectives as pure functions of the discriminator's outputs.

Every loss is written to be minimised, uses `keras.ops` only in numerically
stable forms (`softplus`, `logsumexp`) and reduces over all its elements, so
it accepts one logit per sample or a patch of logits per sample (the softmax
losses, which couple the samples of a batch, take one logit per sample).
"""

import keras
from keras import ops

from gan_zoo import backend


def _mean(x):
    return ops.mean(ops.cast(x, "float32"))


# Generative Adversarial Nets (Goodfellow et al. 2014),
# https://arxiv.org/abs/1406.2661


def gan_discriminator_loss(real_logits, fake_logits, label_smoothing=0.0):
    """Sigmoid cross-entropy of the discriminator, real target `1 - s`.

    Formula:
    ```
    L_D = mean[(1 - s) * softplus(-l_real) + s * softplus(l_real)]
          + mean[softplus(l_fake)]
    ```
    One-sided label smoothing (Salimans et al. 2016,
    https://arxiv.org/abs/1606.03498) sets the real target to `1 - s`
    (`s = 0.1` gives 0.9) and leaves the fake target at 0.

    Args:
        real_logits: discriminator logits on real samples, any shape.
        fake_logits: discriminator logits on generated samples, any shape.
        label_smoothing: `s` in [0, 1).

    Returns:
        A scalar.

    >>> float(gan_discriminator_loss(keras.ops.zeros(4), keras.ops.zeros(4)))
    1.3862943649291992
    """
    if not 0.0 <= label_smoothing < 1.0:
        raise ValueError(
            "`label_smoothing` must be in [0, 1). "
            f"Received: label_smoothing={label_smoothing}"
        )
    s = label_smoothing
    real = (1.0 - s) * ops.softplus(-real_logits) + s * ops.softplus(real_logits)
    return _mean(real) + _mean(ops.softplus(fake_logits))


def gan_generator_loss(fake_logits, minimax=False):
    """The generator's GAN loss, non-saturating by default.

    Formula:
    ```
    non-saturating: L_G = mean softplus(-l_fake)     # = -mean log D(G(z))
    minimax:        L_G = -mean softplus(l_fake)     # = mean log(1 - D(G(z)))
    ```
    The minimax form saturates when D rejects the samples confidently
    (Goodfellow et al. 2014, section 3); it is offered for comparisons.

    >>> float(gan_generator_loss(keras.ops.zeros(4)))
    0.6931471824645996
    """
    if minimax:
        return -_mean(ops.softplus(fake_logits))
    return _mean(ops.softplus(-fake_logits))


# Least Squares Generative Adversarial Networks (Mao et al. 2016),
# https://arxiv.org/abs/1611.04076


def least_squares_discriminator_loss(real_outputs, fake_outputs):
    """`L_D = 0.5 * mean((D(x) - 1)^2) + 0.5 * mean(D(G(z))^2)`.

    >>> float(least_squares_discriminator_loss(
    ...     keras.ops.ones(2), keras.ops.ones(2)))
    0.5
    """
    return 0.5 * _mean(ops.square(real_outputs - 1.0)) + 0.5 * _mean(
        ops.square(fake_outputs)
    )


def least_squares_generator_loss(fake_outputs):
    """`L_G = 0.5 * mean((D(G(z)) - 1)^2)`.

    >>> float(least_squares_generator_loss(keras.ops.zeros(2)))
    0.5
    """
    return 0.5 * _mean(ops.square(fake_outputs - 1.0))


# Softmax GAN (Lin 2017), https://arxiv.org/abs/1704.06191


def _batch_logits(real_logits, fake_logits):
    real = ops.reshape(ops.cast(real_logits, "float32"), (-1,))
    fake = ops.reshape(ops.cast(fake_logits, "float32"), (-1,))
    return real, ops.concatenate([real, fake], axis=0)


def softmax_discriminator_loss(real_logits, fake_logits):
    """Cross-entropy of the batch softmax against uniform-over-real targets.

    The discriminator's output is read as a logit `l = -energy`; the softmax
    runs over the whole batch `B = B+ ∪ B-` (real and generated together).

    Formula:
    ```
    L_D = -mean_{B+}(l) + logsumexp_B(l)
    ```
    `|B+|` and `|B-|` are the actual sizes of the two inputs, which may differ.

    Args:
        real_logits: one logit per real sample, shape `(|B+|,)` or `(|B+|, 1)`.
        fake_logits: one logit per generated sample.

    >>> float(softmax_discriminator_loss(keras.ops.zeros(2), keras.ops.zeros(2)))
    1.3862943649291992
    """
    real, batch = _batch_logits(real_logits, fake_logits)
    return -ops.mean(real) + ops.logsumexp(batch)


def softmax_generator_loss(real_logits, fake_logits):
    """Cross-entropy of the batch softmax against uniform targets on all of B.

    Formula:
    ```
    L_G = -mean_B(l) + logsumexp_B(l)
    ```
    Its minimum, `log |B|`, is reached when D gives every sample of the
    batch the same logit.

    >>> float(softmax_generator_loss(keras.ops.zeros(2), keras.ops.zeros(3)))
    1.6094379425048828
    """
    _, batch = _batch_logits(real_logits, fake_logits)
    return -ops.mean(batch) + ops.logsumexp(batch)


# Wasserstein GAN (Arjovsky et al. 2017), https://arxiv.org/abs/1701.07875
# Improved Training of Wasserstein GANs (Gulrajani et al. 2017),
# https://arxiv.org/abs/1704.00028


def wasserstein_discriminator_loss(real_outputs, fake_outputs):
    """The critic's loss, `L_C = mean(f(G(z))) - mean(f(x))`.

    >>> float(wasserstein_discriminator_loss(keras.ops.ones(2), keras.ops.zeros(2)))
    -1.0
    """
    return _mean(fake_outputs) - _mean(real_outputs)


def wasserstein_generator_loss(fake_outputs):
    """`L_G = -mean(f(G(z)))`.

    >>> float(wasserstein_generator_loss(keras.ops.ones(2)))
    -1.0
    """
    return -_mean(fake_outputs)


def _per_sample_norm(x):
    flat = ops.reshape(ops.cast(x, "float32"), (ops.shape(x)[0], -1))
    return ops.sqrt(ops.sum(ops.square(flat), axis=1))


def wasserstein_gradient_penalty(critic, real, fake, seed=None):
    """The two-sided gradient penalty of WGAN-GP.

    Formula:
    ```
    x_hat = eps * x + (1 - eps) * G(z),   eps ~ U[0, 1] per sample
    GP = mean((||grad_{x_hat} f(x_hat)||_2 - 1)^2)
    ```
    Multiply by `lambda` (10 in the paper) and add it to the critic's loss.
    The gradient with respect to the input comes from `gan_zoo.backend` and
    stays differentiable with respect to the critic's weights.

    Args:
        critic: a callable mapping a batch of samples to outputs.
        real: a batch of real samples.
        fake: a batch of generated samples of the same shape.
        seed: a `keras.random.SeedGenerator` or integer for `eps`.

    Returns:
        A scalar. For a linear critic `f(x) = w.x` it is `(||w|| - 1)^2`.
    """
    real, fake = ops.convert_to_tensor(real), ops.convert_to_tensor(fake)
    if tuple(real.shape[1:]) != tuple(fake.shape[1:]):
        raise ValueError(
            "`real` and `fake` must have the same sample shape. "
            f"Received: real.shape={real.shape}, fake.shape={fake.shape}"
        )
    eps_shape = (ops.shape(real)[0],) + (1,) * (len(real.shape) - 1)
    eps = keras.random.uniform(eps_shape, seed=seed, dtype=real.dtype)
    x_hat = eps * real + (1.0 - eps) * fake
    grad = backend.input_gradient(critic, x_hat)
    return _mean(ops.square(_per_sample_norm(grad) - 1.0))
