"""Reference training steps written by hand, as the keras-io examples write them.

Each method's objective is two backend-neutral functions of a `critic`
(`critic(x)`, `critic.uniform(shape, maxval)`, `critic.outputs_and_gradient(x)`),
the real batch and the generated one, in the forms of the keras-io examples
"DCGAN overriding `train_step`" (one discriminator call on the concatenated
fake + real batch) and "WGAN-GP" (critic updates with the penalty on random
interpolates, then one generator update). The update machinery is written
per backend, as Keras's guides write it: `tf.GradientTape` +
`apply_gradients` on TensorFlow and `zero_grad()` / `backward()` /
`optimizer.apply` on torch, both run by `fit`; on JAX `stateless_call` +
`jax.value_and_grad` + `stateless_apply` in a pure step, run by an explicit
loop (Keras's JAX `fit` threads only `self.optimizer.variables`, which a
two-optimizer model cannot use), `jax.jit`-compiled when jit is on.

To do the same work as gan_zoo's step: each of the `n_critic` critic updates
takes its own slice of the step's real batch, the fakes of a critic update
carry no gradient to the generator, and the models run with `training=True`.
"""

import keras
from keras import ops

from gan_zoo.losses import first_order_target_slope


def _flat(x):
    return ops.reshape(x, (ops.shape(x)[0], -1))


def _norms(x):
    return ops.sqrt(ops.sum(ops.square(_flat(x)), axis=1) + 1e-12)


def _per_sample(x):
    return (x.shape[0],) + (1,) * (len(x.shape) - 1)


# The objectives: (discriminator loss, generator loss).


def _bce(labels, logits):
    return ops.mean(ops.binary_crossentropy(labels, logits, from_logits=True))


def dcgan_d(critic, real, fake):
    n = real.shape[0]
    logits = critic(ops.concatenate([fake, real], axis=0))
    labels = ops.concatenate([ops.zeros((n, 1)), ops.ones((n, 1))], axis=0)
    return _bce(labels, logits)


def dcgan_g(critic, real, fake):
    return _bce(ops.ones((fake.shape[0], 1)), critic(fake))


def softmax_d(critic, real, fake):
    logits = ops.reshape(critic(ops.concatenate([real, fake], axis=0)), (-1,))
    return -ops.mean(logits[: real.shape[0]]) + ops.logsumexp(logits)


def softmax_g(critic, real, fake):
    logits = ops.reshape(critic(ops.concatenate([real, fake], axis=0)), (-1,))
    return -ops.mean(logits) + ops.logsumexp(logits)


def wgan_gp_d(critic, real, fake, gp_weight=10.0):
    cost = ops.mean(critic(fake)) - ops.mean(critic(real))
    alpha = critic.uniform(_per_sample(real))
    _, gradient = critic.outputs_and_gradient(real + alpha * (fake - real))
    return cost + gp_weight * ops.mean(ops.square(_norms(gradient) - 1.0))


def wasserstein_g(critic, real, fake):
    return -ops.mean(critic(fake))


def _perturb(critic, real, fake):
    return fake + critic.uniform(_per_sample(fake), maxval=0.01) * (real - fake)


def fogan_d(critic, real, fake, lipschitz_weight=0.1, gradient_weight=1.0):
    perturbed = _perturb(critic, real, fake)
    real_out = ops.reshape(critic(real), (-1,))
    perturbed_out, gradient = critic.outputs_and_gradient(perturbed)
    perturbed_out = ops.reshape(perturbed_out, (-1,))
    slope = first_order_target_slope(real, perturbed, real_out, perturbed_out)
    lipschitz = ops.square(real_out - perturbed_out) / _norms(real - perturbed)
    return (
        ops.mean(perturbed_out) - ops.mean(real_out)
        + lipschitz_weight * ops.mean(lipschitz)
        + gradient_weight * ops.mean(ops.square(_norms(gradient) - slope))
    )


def fogan_g(critic, real, fake):
    return -ops.mean(critic(_perturb(critic, real, fake)))


OBJECTIVES = {
    "dcgan": (dcgan_d, dcgan_g),
    "softmax": (softmax_d, softmax_g),
    "wgan_gp": (wgan_gp_d, wasserstein_g),
    "fogan": (fogan_d, fogan_g),
}


class Reference(keras.Model):
    """The players, their optimizers and the objective; subclasses step."""

    def __init__(self, generator, discriminator, objective, n_critic, batch_size, seed):
        super().__init__()
        self.generator = generator
        self.discriminator = discriminator
        self.d_loss_fn, self.g_loss_fn = OBJECTIVES[objective]
        self.n_critic = n_critic
        self.batch_size = batch_size
        self.latent_dim = generator.input_shape[-1]
        self.seed_generator = keras.random.SeedGenerator(seed)
        self.seed = seed
        self.built = True

    def compile(self, d_optimizer, g_optimizer, jit_compile=False):
        super().compile(jit_compile=jit_compile)
        self.d_optimizer, self.g_optimizer = d_optimizer, g_optimizer
        # Built now, so that no variable is created inside a compiled step.
        d_optimizer.build(self.discriminator.trainable_variables)
        g_optimizer.build(self.generator.trainable_variables)

    def critic_batches(self, real):
        n = self.batch_size
        return [real[i * n : (i + 1) * n] for i in range(self.n_critic)]

    def noise(self):
        return keras.random.normal(
            (self.batch_size, self.latent_dim), seed=self.seed_generator
        )


class _Critic:
    """`critic(x)` in training mode, its draws and its input gradient."""

    def __init__(self, model, input_gradient):
        self.model, self._input_gradient = model, input_gradient

    def __call__(self, x):
        return self.model.discriminator(x, training=True)

    def uniform(self, shape, maxval=1.0):
        return keras.random.uniform(shape, maxval=maxval, seed=self.model.seed_generator)

    def outputs_and_gradient(self, x):
        return self._input_gradient(lambda x: self(x), x)


def reference_class(backend):
    """The `Reference` subclass that steps on `backend`."""
    if backend == "tensorflow":
        from benchmarks.references_tf import TFReference

        return TFReference
    if backend == "torch":
        from benchmarks.references_torch import TorchReference

        return TorchReference
    from benchmarks.references_jax import JaxReference

    return JaxReference
