"""Training recipes for the 2-D toy mixtures, as measured by tools/sweep_ring.py.

The papers' optimisers are tuned for images; on the ring of 8 Gaussians with
a small MLP pair, these settings are the ones `tests/training_test.py`
checks. `toy_recipe(cls)` gives `(compile_args, constructor_args)` and
`toy_players(cls)` the pair of networks.
"""

import keras

TOY_LATENT_DIM = 8
TOY_HIDDEN_UNITS = (128, 128)
TOY_STEPS = 3000


def _adam(lr, beta_2=0.999):
    return lambda: keras.optimizers.Adam(lr, beta_1=0.5, beta_2=beta_2)


# Method name -> (optimizer factory, constructor arguments).
_TOY = {
    "GAN": (_adam(1e-3), {}),
    "DCGAN": (_adam(1e-3), {}),
    "LSGAN": (_adam(1e-3), {}),
    "SoftmaxGAN": (_adam(5e-4, 0.9), {}),
    "WGANGP": (_adam(5e-4, 0.9), {}),
    # Clipping at the paper's 0.01 leaves this critic too weak to shape 8 modes.
    "WGAN": (lambda: keras.optimizers.RMSprop(5e-4), {"clip_value": 0.1}),
    # The paper's two time-scale Adam (None: `default_optimizers()`).
    "FOGAN": (None, {}),
    # With one encoder step per generator step (and a 1-D bottleneck) G
    # kept 1-2 modes of the ring; 5 steps and a 2-D bottleneck kept 4-6
    # (`toy_players`; measured in tests/training_test.py, `RING_BARS`).
    "PGAN": (_adam(1e-3), {"n_critic": 5}),
}


def toy_players(cls, latent_dim=TOY_LATENT_DIM, generator_options=None,
                discriminator_options=None):
    """`(generator, discriminator)`: the toy MLPs for 2-D data and a method
    class, with options for their builders (the Improved-GAN switches of
    `mlp_discriminator`). PGAN's discriminator is an MLP encoder with a 2-D
    bottleneck (`pgan_mlp_encoder`) and a mixture, whose
    `discriminator_options` go to `gmm_discriminator` (e.g.
    `variance_floor`)."""
    from gan_zoo.models.architectures import (
        gmm_discriminator,
        mlp_discriminator,
        mlp_generator,
        pgan_mlp_encoder,
    )

    generator = mlp_generator(
        2, latent_dim, hidden_units=TOY_HIDDEN_UNITS, **(generator_options or {})
    )
    if any(klass.__name__ == "PGAN" for klass in cls.__mro__):
        encoder = pgan_mlp_encoder(2, hidden_units=TOY_HIDDEN_UNITS)
        return generator, gmm_discriminator(encoder, **(discriminator_options or {}))
    return generator, mlp_discriminator(
        2, hidden_units=TOY_HIDDEN_UNITS, **(discriminator_options or {})
    )


def toy_recipe(cls):
    """`({"d_optimizer", "g_optimizer"}, constructor kwargs)` for a method class."""
    for klass in cls.__mro__:
        if klass.__name__ in _TOY:
            optimizer, kwargs = _TOY[klass.__name__]
            if optimizer is None:
                d_optimizer, g_optimizer = cls.default_optimizers()
            else:
                d_optimizer, g_optimizer = optimizer(), optimizer()
            return {"d_optimizer": d_optimizer, "g_optimizer": g_optimizer}, dict(kwargs)
    raise ValueError(
        f"No toy recipe for {cls.__name__}; known: {sorted(_TOY)}."
    )
