"""The reference step on torch: `zero_grad` / `backward` / `apply`, run by `fit`."""

import torch

from benchmarks.references import Reference, _Critic


def _input_gradient(fn, x):
    x = x.detach().requires_grad_(True)
    outputs = fn(x)
    (gradient,) = torch.autograd.grad(outputs.sum(), x, create_graph=True)
    return outputs, gradient


class TorchReference(Reference):
    def _apply(self, loss, optimizer, weights):
        loss.backward()
        grads = [v.value.grad for v in weights]
        with torch.no_grad():
            optimizer.apply(grads, weights)

    def train_step(self, data):
        critic = _Critic(self, _input_gradient)
        for real in self.critic_batches(data):
            with torch.no_grad():  # the critic's update needs no gradient through G
                fake = self.generator(self.noise(), training=True)
            self.zero_grad()
            d_loss = self.d_loss_fn(critic, real, fake)
            self._apply(d_loss, self.d_optimizer, self.discriminator.trainable_weights)
        noise = self.noise()
        self.zero_grad()
        g_loss = self.g_loss_fn(critic, real, self.generator(noise, training=True))
        self._apply(g_loss, self.g_optimizer, self.generator.trainable_weights)
        return {"d_loss": d_loss.detach(), "g_loss": g_loss.detach()}
