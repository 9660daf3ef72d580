"""The PGAN presets shipped with gan_zoo: entries of `tools/ship_preset.py`,
cards in `docs/presets/`."""

PGAN_PRESETS = {
    "pgan_mnist": {
        "metadata": {
            "dataset": "mnist",
            "summary": "the paper's MNIST networks with 32 dense units, 30 epochs on the "
            "10,000 test-split digits; FID 75.70 in mnist classifier features (floor 10.45)",
            "card": "docs/presets/pgan_mnist.md",
            "generator_check": [
                -0.998776, -1.0, -0.999962, -1.0, -1.0, 0.957519, -1.0, -0.999999, -0.999999,
                0.994305, -1.0, -0.999999, -1.0, 0.984851, -0.999518, -0.999446,
            ],
        },
        "files": {
            "config.json": "bdf6dd39faf367b1ec2807017484380bd929a66acd329e34ff28a321012b3494",
            "model.weights.h5": "dfcc1e14b19a691c564ed5c041f9d85df03d508823604651629920338a56d57a",
            "metadata.json": "1425eae68939e1a98aeb994c1046e2af040ba698fd0b0b499dcf2da11bab94a0",
        },
    },
}
