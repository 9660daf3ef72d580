"""The reference step on JAX: a pure function of the state, and a loop.

`stateless_call` + `jax.value_and_grad` + `optimizer.stateless_apply`
("Writing a training loop from scratch in JAX"). The loop writes the final
state back into the Keras variables, as `fit` does.
"""

import jax
import numpy as np

from benchmarks.references import Reference


class _JaxCritic:
    """The critic at weights `tv`, threading its non-trainable state."""

    def __init__(self, model, tv, ntv, key):
        self.model, self.tv, self.ntv, self.key = model, tv, ntv, key

    def __call__(self, x):
        outputs, self.ntv = self.model.stateless_call(self.tv, self.ntv, x, training=True)
        return outputs

    def uniform(self, shape, maxval=1.0):
        self.key, key = jax.random.split(self.key)
        return jax.random.uniform(key, shape, maxval=maxval)

    def outputs_and_gradient(self, x):
        def fn(x):
            return self.model.stateless_call(self.tv, self.ntv, x, training=True)[0]

        outputs, vjp = jax.vjp(fn, x)
        return outputs, vjp(jax.numpy.ones_like(outputs))[0]


class JaxReference(Reference):
    def compile(self, d_optimizer, g_optimizer, jit_compile=False):
        super().compile(d_optimizer, g_optimizer, jit_compile=False)
        self.step = jax.jit(self.pure_step) if jit_compile else self.pure_step

    def pure_step(self, state, data):
        g_tv, g_ntv, d_tv, d_ntv, d_opt, g_opt, key = state
        G, D = self.generator, self.discriminator
        shape = (self.batch_size, self.latent_dim)
        for real in self.critic_batches(data):
            key, z_key, d_key = jax.random.split(key, 3)
            fake, g_ntv = G.stateless_call(
                g_tv, g_ntv, jax.random.normal(z_key, shape), training=True
            )

            def d_loss_fn(d_tv, d_ntv, real=real, fake=fake, d_key=d_key):
                critic = _JaxCritic(D, d_tv, d_ntv, d_key)
                return self.d_loss_fn(critic, real, fake), critic.ntv

            (d_loss, d_ntv), grads = jax.value_and_grad(d_loss_fn, has_aux=True)(
                d_tv, d_ntv
            )
            d_tv, d_opt = self.d_optimizer.stateless_apply(d_opt, grads, d_tv)
        key, z_key, g_key = jax.random.split(key, 3)
        z = jax.random.normal(z_key, shape)

        def g_loss_fn(g_tv, g_ntv, d_ntv):
            fake, g_ntv = G.stateless_call(g_tv, g_ntv, z, training=True)
            critic = _JaxCritic(D, d_tv, d_ntv, g_key)
            return self.g_loss_fn(critic, real, fake), (g_ntv, critic.ntv)

        (g_loss, (g_ntv, d_ntv)), grads = jax.value_and_grad(g_loss_fn, has_aux=True)(
            g_tv, g_ntv, d_ntv
        )
        g_tv, g_opt = self.g_optimizer.stateless_apply(g_opt, grads, g_tv)
        logs = {"d_loss": d_loss, "g_loss": g_loss}
        return logs, (g_tv, g_ntv, d_tv, d_ntv, d_opt, g_opt, key)

    def _variables(self):
        G, D = self.generator, self.discriminator
        return (
            G.trainable_variables, G.non_trainable_variables,
            D.trainable_variables, D.non_trainable_variables,
            self.d_optimizer.variables, self.g_optimizer.variables,
        )  # fmt: skip

    def state(self):
        """The step's input state: the variables' values and a random key."""
        if not hasattr(self, "_key"):
            self._key = jax.random.key(self.seed)
        values = jax.tree.map(
            lambda v: v.value, self._variables(), is_leaf=lambda v: hasattr(v, "assign")
        )
        return values + (self._key,)

    def train_loop(self, dataset, steps):
        """`steps` steps over `dataset`; the new state goes back at the end."""
        state, logs = self.state(), {}
        for _, data in zip(range(steps), dataset.as_numpy_iterator()):
            logs, state = self.step(state, data)
        self._key = state[-1]
        jax.tree.map(
            lambda v, value: v.assign(value),
            self._variables(),
            state[:-1],
            is_leaf=lambda v: hasattr(v, "assign"),
        )
        return {k: float(np.asarray(v)) for k, v in logs.items()}

    def flops(self, data):
        """FLOPs of one jitted step, from XLA's cost analysis."""
        analysis = jax.jit(self.pure_step).lower(self.state(), data).compile().cost_analysis()
        if isinstance(analysis, (list, tuple)):
            analysis = analysis[0] if analysis else {}
        return float(analysis.get("flops", 0.0)) or None
