"""The reference step on TensorFlow: `tf.GradientTape`, run by `fit`."""

import tensorflow as tf

from benchmarks.references import Reference, _Critic


def _input_gradient(fn, x):
    with tf.GradientTape() as tape:
        tape.watch(x)
        outputs = fn(x)
    return outputs, tape.gradient(outputs, x)


class TFReference(Reference):
    def train_step(self, data):
        critic = _Critic(self, _input_gradient)
        d_weights = self.discriminator.trainable_weights
        g_weights = self.generator.trainable_weights
        for real in self.critic_batches(data):
            fake = self.generator(self.noise(), training=True)
            with tf.GradientTape() as tape:
                d_loss = self.d_loss_fn(critic, real, fake)
            grads = tape.gradient(d_loss, d_weights)
            self.d_optimizer.apply_gradients(zip(grads, d_weights))
        noise = self.noise()
        with tf.GradientTape() as tape:
            g_loss = self.g_loss_fn(critic, real, self.generator(noise, training=True))
        grads = tape.gradient(g_loss, g_weights)
        self.g_optimizer.apply_gradients(zip(grads, g_weights))
        return {"d_loss": d_loss, "g_loss": g_loss}
