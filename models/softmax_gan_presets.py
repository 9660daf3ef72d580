"""The Softmax GAN presets shipped with gan_zoo: entries of `tools/ship_preset.py`,
cards in `docs/presets/`."""

SOFTMAX_GAN_PRESETS = {
    "softmax_gan_digits": {
        "metadata": {
            "dataset": "digits",
            "summary": "28x28, 60 epochs (1,680 generator steps); FID 6.26 in digits "
            "classifier features (real-vs-real floor 0.72)",
            "card": "docs/presets/softmax_gan_digits.md",
            "generator_check": [
                -0.995109, -0.618435, 0.913436, -0.836425, -0.994437, -0.755551, 0.644231,
                -0.996579, -0.99774, 0.72638, 0.662637, -0.997863, -0.99935, 0.986496, -0.93107,
                -0.989506,
            ],
        },
        "files": {
            "config.json": "033df63a9f90cba9e94d0c98adb4142ae4a6a7b805b0cce02d5f19e1864d02a8",
            "model.weights.h5": "fad6ff96ab435003b861d2685f2ecf3c2f3aac642ace1be0957d573f98e54c60",
            "metadata.json": "221bc2d87b57434fe324867d0a464133bb17a974d7b25633887bff6a2f705526",
        },
    },
}
