"""The DCGAN presets shipped with gan_zoo: entries of `tools/ship_preset.py`,
cards in `docs/presets/`."""

DCGAN_PRESETS = {
    "dcgan_fashion_mnist": {
        "metadata": {
            "dataset": "fashion_mnist",
            "summary": "28x28, 10 epochs (9,370 generator steps); FID 4.83 in "
            "fashion_mnist classifier features (real-vs-real floor 0.10)",
            "card": "docs/presets/dcgan_fashion_mnist.md",
            "generator_check": [
                -0.99997, 0.858386, 0.897228, 0.974664, -0.999998, 0.959462, 0.957331, -0.905253,
                -1.0, 0.245949, 0.203611, -1.0, 0.488627, 0.424468, -0.924337, -0.998046,
            ],
        },
        "files": {
            "config.json": "bb0ce4abd2f4f0fa47feb143fd00494598864840bcebc2652994cab80317a96e",
            "model.weights.h5": "2e3375b70bf579693cf0c754dd9f43e5cae89ae3eed3a5dc486b01d18e992307",
            "metadata.json": "56e1aee3cd86b1fe0e64ec636a7f251f4abf4289356635274311917a98660ad4",
        },
    },
}
