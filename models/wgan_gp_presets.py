"""The WGAN-GP presets shipped with gan_zoo: entries of `tools/ship_preset.py`,
cards in `docs/presets/`."""

WGAN_GP_PRESETS = {
    "wgan_gp_fashion_mnist": {
        "metadata": {
            "dataset": "fashion_mnist",
            "summary": "28x28, 30 epochs (5,610 generator steps); FID 8.92 in "
            "fashion_mnist classifier features (real-vs-real floor 0.10)",
            "card": "docs/presets/wgan_gp_fashion_mnist.md",
            "generator_check": [
                -0.999786, -0.146766, 0.186344, 0.760433, -1.0, 0.442135, 0.706738,
                -0.999989, -1.0, 0.734883, 0.811901, -1.0, -0.877905, 0.757742, 0.834165,
                -0.983217,
            ],
        },
        "files": {
            "config.json": "bfc4e817988b49f7e59f0256899ac33e0f9e24891cc5b8b1b55170b4bc400b62",
            "model.weights.h5": "30dc900d27161f8aa4d1b9c4870bf1cab37bc53c446116bba746985ff6551ecd",
            "metadata.json": "060249ebdd7c46f117d8bed80069ce339d7ff9e154fe11fbcb48fb937dab30d1",
        },
    },
}
