"""GAN objectives as pure functions of the discriminator's outputs.

Every loss is written to be minimised, uses `keras.ops` only in numerically
stable forms (`softplus`, `logsumexp`) and reduces over all its elements, so
it accepts one logit per sample or a patch of logits per sample (the softmax
losses, which couple the samples of a batch, take one logit per sample).
"""

import math

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


# Improved Techniques for Training GANs (Salimans et al. 2016),
# https://arxiv.org/abs/1606.03498


def feature_matching_loss(real_features, fake_features):
    """Feature matching, `L_G = || mean_x f(x) - mean_z f(G(z)) ||_2^2`.

    The means run over the batch; the features of one sample (any shape)
    are flattened. The paper's code averages the squares over the features
    instead of summing them (the same loss divided by their number).

    >>> float(feature_matching_loss(keras.ops.ones((2, 3)), keras.ops.zeros((4, 3))))
    3.0
    """
    real_mean = ops.mean(_flatten(real_features), axis=0)
    fake_mean = ops.mean(_flatten(fake_features), axis=0)
    return ops.sum(ops.square(real_mean - fake_mean))


def semi_supervised_unsupervised_loss(real_logits, fake_logits):
    """The K+1 discriminator's loss on unlabelled real and generated batches.

    With `K` class logits and the fake class's logit fixed at 0,
    `p(fake | x) = 1 / (1 + exp(lse))` where `lse = logsumexp(logits)`, so
    ```
    L_unsup = -mean_real log(1 - p(fake | x)) - mean_fake log p(fake | G(z))
            = mean_real(softplus(lse) - lse) + mean_fake(softplus(lse))
    ```
    (`softplus(lse) - lse` is computed as `softplus(-lse)`). The paper's
    code weighs this term by 0.5.

    >>> round(float(semi_supervised_unsupervised_loss(
    ...     keras.ops.zeros((2, 1)), keras.ops.zeros((2, 1)))), 4)
    1.3863
    """
    real_lse = ops.logsumexp(ops.cast(real_logits, "float32"), axis=-1)
    fake_lse = ops.logsumexp(ops.cast(fake_logits, "float32"), axis=-1)
    return _mean(ops.softplus(-real_lse)) + _mean(ops.softplus(fake_lse))


def semi_supervised_supervised_loss(logits, labels):
    """Softmax cross-entropy of the `K` class logits on labelled samples,
    `L_sup = mean(lse - logit[y])` (the fake class has no part in it).

    >>> round(float(semi_supervised_supervised_loss(
    ...     keras.ops.zeros((2, 4)), keras.ops.array([0, 3]))), 4)
    1.3863
    """
    logits = ops.cast(logits, "float32")
    labels = ops.cast(ops.reshape(labels, (-1,)), "int32")
    picked = ops.take_along_axis(logits, labels[:, None], axis=-1)[:, 0]
    return _mean(ops.logsumexp(logits, axis=-1) - picked)


def historical_averaging_penalty(weights, averages):
    """Historical averaging, `sum_w || w - mean_t w[t] ||^2` over a player's
    weights, the running means `averages` held fixed (no gradient), so that
    the gradient with respect to `w` is `2 (w - mean)`.

    >>> float(historical_averaging_penalty([keras.ops.ones(3)], [keras.ops.zeros(3)]))
    3.0
    """
    return sum(
        ops.sum(ops.square(ops.cast(w, "float32") - ops.stop_gradient(ops.cast(a, "float32"))))
        for w, a in zip(weights, averages)
    )


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


# Added to a squared gradient norm so that the norm's derivative at 0 is
# finite (a critic with dead ReLU units has exactly zero input gradients).
# In float32 it leaves norms above ~6e-3 bit-for-bit unchanged (it is below
# half an ulp of their square) and moves those above 1e-3 by < 1e-6
# relative. Float32 only: in float16 it, and the squares of gradient entries
# below ~2e-4, underflow to 0. TF-GAN adds 1e-10 at the same place.
_NORM_EPSILON = 1e-12


def _flatten(x):
    return ops.reshape(ops.cast(x, "float32"), (ops.shape(x)[0], -1))


def _squared_norms(x):
    """`sum x^2` per sample, in float32 (mixed precision gives a float16 or
    bfloat16 `x`, whose squares underflow)."""
    return ops.sum(ops.square(_flatten(x)), axis=1)


def _per_sample_norm(x):
    """`sqrt(sum x^2 + 1e-12)` per sample: its derivative at `x = 0` is 0."""
    return ops.sqrt(_squared_norms(x) + _NORM_EPSILON)


def per_sample_shape(x):
    """`(batch, 1, ..., 1)`: the shape of one random weight per sample of `x`."""
    return (ops.shape(x)[0],) + (1,) * (len(x.shape) - 1)


def wasserstein_gradient_penalty(critic, real, fake, seed=None, eps=None):
    """The two-sided gradient penalty of WGAN-GP.

    Formula:
    ```
    x_hat = eps * x + (1 - eps) * G(z),   eps ~ U[0, 1] per sample
    GP = mean((||grad_{x_hat} f(x_hat)||_2 - 1)^2)
    ```
    `||g||_2 = sqrt(sum g^2 + 1e-12)` in float32: finite derivative at g = 0.
    Multiply by `lambda` (10 in the paper) and add it to the critic's loss.
    The gradient with respect to the input comes from `gan_zoo.backend` and
    stays differentiable with respect to the critic's weights.

    Args:
        critic: a callable mapping a batch of samples to outputs.
        real: a batch of real samples.
        fake: a batch of generated samples of the same shape.
        seed: a `keras.random.SeedGenerator` or integer for `eps`.
        eps: the weights, of shape `per_sample_shape(real)`, to use instead
            of drawing them.

    Returns:
        A scalar. For a linear critic `f(x) = w.x` it is `(||w|| - 1)^2`.
    """
    real, fake = ops.convert_to_tensor(real), ops.convert_to_tensor(fake)
    if tuple(real.shape[1:]) != tuple(fake.shape[1:]):
        raise ValueError(
            "`real` and `fake` must have the same sample shape. "
            f"Received: real.shape={real.shape}, fake.shape={fake.shape}"
        )
    if eps is None:
        eps = keras.random.uniform(per_sample_shape(real), seed=seed, dtype=real.dtype)
    x_hat = eps * real + (1.0 - eps) * fake
    _, grad = backend.outputs_and_input_gradient(critic, x_hat)
    return _mean(ops.square(_per_sample_norm(grad) - 1.0))


# First Order Generative Adversarial Networks (Seward et al. 2018),
# https://arxiv.org/abs/1802.04591

# Added to distances in the target slope; pairs closer than this have no
# Lipschitz term (METHODS.md, from the paper's reference code).
_FIRST_ORDER_NORM_EPSILON = 1e-6
_FIRST_ORDER_MIN_DISTANCE = 1e-8


def _scores(outputs):
    """A critic's outputs as one float32 value per sample."""
    return ops.reshape(ops.cast(outputs, "float32"), (-1,))


# Floats per block of the pairwise differences in the target slope (64 MB).
_PAIRWISE_BLOCK_FLOATS = 1 << 24


def first_order_target_slope(real, perturbed, real_outputs, perturbed_outputs):
    """The slope the First Order critic's gradient norm is pulled towards.

    For each perturbed point `x~_i`, over all real points `x_j` of the batch
    (`d_ij = ||x_j - x~_i|| + 1e-6`):
    ```
    t_i = || mean_j (x_j - x~_i) (f(x_j) - f(x~_i)) / d_ij^3 ||
          / mean_j (1 / d_ij)
    ```
    A norm, so `t_i >= 0` (the clamp of the paper's image code holds by
    construction); no gradient flows through the result. The differences
    `x_j - x~_i` are taken directly, never through
    `||a||^2 + ||b||^2 - 2 a.b`: that expansion loses a close pair's
    distance to float32 cancellation (an error of about
    `sqrt(eps) ||x||`, 1e-3 on the ring of radius 2), and the `1 / d^3`
    weight turns a distance rounded to 0 into a target slope of 1e4-1e5
    (measured; issue 19). Memory is bounded by taking the perturbed points
    in blocks of at most `2^24 / (N * dim)` rows.

    Args:
        real: real batch `x`, shape `(N, ...)`.
        perturbed: perturbed batch `x~`, shape `(M, ...)`, same sample shape.
        real_outputs: `f(x)`, `N` values.
        perturbed_outputs: `f(x~)`, `M` values.

    Returns:
        `t`, shape `(M,)`.
    """
    x = ops.stop_gradient(_flatten(real))
    x_tilde = ops.stop_gradient(_flatten(perturbed))
    f_x = ops.stop_gradient(ops.reshape(ops.cast(real_outputs, "float32"), (-1,)))
    f_tilde = ops.stop_gradient(ops.reshape(ops.cast(perturbed_outputs, "float32"), (-1,)))

    def block_slopes(block):
        rows, f_rows = block
        difference = x[None, :, :] - rows[:, None, :]  # (k, N, dim)
        distance = ops.sqrt(ops.sum(ops.square(difference), axis=-1)) + _FIRST_ORDER_NORM_EPSILON
        weights = (f_x[None, :] - f_rows[:, None]) / distance**3
        direction = ops.mean(weights[:, :, None] * difference, axis=1)
        slope = ops.sqrt(ops.sum(ops.square(direction), axis=1))
        return slope / ops.mean(1.0 / distance, axis=1)

    # Static sizes (TensorFlow may trace the batch size as unknown).
    m, n = perturbed.shape[0], real.shape[0]
    sample_shape = tuple(real.shape[1:])
    dim = None if None in sample_shape else math.prod(sample_shape)
    rows_per_block = max(1, _PAIRWISE_BLOCK_FLOATS // max(1, (n or 256) * (dim or 1)))
    if m is None or dim is None or m <= rows_per_block:
        return block_slopes((x_tilde, f_tilde))
    blocks = -(-m // rows_per_block)
    pad = blocks * rows_per_block - m
    rows = ops.reshape(ops.pad(x_tilde, [[0, pad], [0, 0]]), (blocks, rows_per_block, dim))
    f_rows = ops.reshape(ops.pad(f_tilde, [[0, pad]]), (blocks, rows_per_block))
    return ops.reshape(ops.map(block_slopes, (rows, f_rows)), (-1,))[:m]


def first_order_critic_loss(
    critic, real, perturbed, lipschitz_weight=0.1, gradient_weight=1.0
):
    """The First Order critic's loss (the negative penalized divergence).

    With `x~_i = G(z)_i + a_i (x_i - G(z)_i)`, `a_i ~ U[0, 0.01]`:
    ```
    L_D = mean f(x~) - mean f(x)
          + lambda * mean[(f(x_i) - f(x~_i))^2 / ||x_i - x~_i||]
          + mu * mean[(||grad_x f(x~_i)|| - t_i)^2]
    ```
    `||g|| = sqrt(sum g^2 + 1e-12)` in float32: finite derivative at g = 0.
    `t_i` is `first_order_target_slope`; pairs closer than 1e-8 add no
    Lipschitz term. `gradient_weight=0` is the Penalized Wasserstein GAN.
    With `gradient_weight > 0`, `f(x~)` comes out of the pass that takes its
    input gradient (`backend.outputs_and_input_gradient`): the critic runs
    once on `x~`, not twice.

    Args:
        critic: a callable mapping a batch to one output per sample.
        real: real batch `x`.
        perturbed: `x~`, the same shape, row `i` made from real row `i`.
        lipschitz_weight: lambda.
        gradient_weight: mu.

    Returns:
        `(loss, terms)`: a scalar and a dict with the weighted
        `"lipschitz_penalty"` and, when `gradient_weight > 0`,
        `"gradient_penalty"`.
    """
    real, perturbed = ops.convert_to_tensor(real), ops.convert_to_tensor(perturbed)
    if tuple(real.shape) != tuple(perturbed.shape):
        raise ValueError(
            "`real` and `perturbed` must have the same shape (row i of "
            f"`perturbed` is made from row i of `real`). Received: "
            f"real.shape={real.shape}, perturbed.shape={perturbed.shape}"
        )
    real_outputs = _scores(critic(real))
    terms = {}
    if gradient_weight:
        perturbed_outputs, gradient = backend.outputs_and_input_gradient(
            critic, perturbed
        )
        perturbed_outputs = _scores(perturbed_outputs)
        slope = first_order_target_slope(
            real, perturbed, real_outputs, perturbed_outputs
        )
        terms["gradient_penalty"] = gradient_weight * _mean(
            ops.square(_per_sample_norm(gradient) - slope)
        )
    else:
        perturbed_outputs = _scores(critic(perturbed))
    squared_distance = _squared_norms(real - perturbed)
    close = squared_distance < _FIRST_ORDER_MIN_DISTANCE**2
    # The square root only of the pairs kept: its derivative at 0 is NaN.
    distance = ops.sqrt(ops.where(close, 1.0, squared_distance))
    lipschitz = ops.where(
        close, 0.0, ops.square(real_outputs - perturbed_outputs) / distance
    )
    terms["lipschitz_penalty"] = lipschitz_weight * _mean(lipschitz)
    loss = _mean(perturbed_outputs) - _mean(real_outputs)
    for value in terms.values():
        loss = loss + value
    return loss, terms
