"""The two players' optimizers, seen by Keras's trainer as one."""


class PlayerOptimizers:
    """Holds the discriminator's and the generator's optimizers.

    Keras's trainers know one `model.optimizer`; in JAX `fit` threads only
    `model.optimizer.variables` through the compiled step. This object is that
    `model.optimizer` for a `gan_zoo.GAN`: its `variables` are both players'
    optimizer variables, and `build` gives each optimizer its own player's
    weights. `optimizers` follows the convention that Keras's callbacks
    (`LearningRateScheduler`, `ReduceLROnPlateau`) use for several optimizers.
    `iterations` counts generator updates.

    Args:
        d_optimizer: the discriminator's `keras.optimizers.Optimizer`.
        g_optimizer: the generator's `keras.optimizers.Optimizer`.
        discriminator: the discriminator model.
        generator: the generator model.
    """

    def __init__(self, d_optimizer, g_optimizer, discriminator, generator):
        self.d_optimizer = d_optimizer
        self.g_optimizer = g_optimizer
        self._discriminator = discriminator
        self._generator = generator

    @property
    def optimizers(self):
        return [self.d_optimizer, self.g_optimizer]

    @property
    def built(self):
        return self.d_optimizer.built and self.g_optimizer.built

    def build(self, variables=None):
        # `variables` (all the model's weights) is ignored: each optimizer
        # takes exactly its own player's trainable weights.
        if not self.d_optimizer.built:
            self.d_optimizer.build(self._discriminator.trainable_variables)
        if not self.g_optimizer.built:
            self.g_optimizer.build(self._generator.trainable_variables)

    @property
    def variables(self):
        return self.d_optimizer.variables + self.g_optimizer.variables

    @property
    def iterations(self):
        return self.g_optimizer.iterations
