"""Training recipes for the 2-D toy mixtures, as measured by tools/sweep_ring.py.

The papers' optimisers are tuned for images; on the ring of 8 Gaussians with
a small MLP pair, these settings are the ones `tests/training_test.py`
checks. `toy_recipe(cls)` gives `(compile_args, constructor_args)`.
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
}


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
