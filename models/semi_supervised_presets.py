"""The semi-supervised GAN presets shipped with gan_zoo: entries of
`tools/ship_preset.py`, cards in `docs/presets/`."""

SEMI_SUPERVISED_PRESETS = {
    "semi_supervised_mnist": {
        "metadata": {
            "dataset": "mnist",
            "summary": "the paper's permutation-invariant MNIST networks, 100 labels, 60 "
            "epochs on 8,000 test-split digits; held-out error 6.70% on the last 2,000",
            "card": "docs/presets/semi_supervised_mnist.md",
            "generator_check": [
                -0.939715, -0.999191, -0.7086, -0.986717, -0.976889, -0.999931, 0.425784,
                0.951528, -0.996175, -0.738573, 0.075992, -0.989117, 0.183305, -0.200686,
                -0.986651, 0.428674,
            ],
        },
        "files": {
            "config.json": "77bc48dc2cc4641d7c4b76e518d1bf6cc218eec13354681daed646e880ae5387",
            "model.weights.h5": "fc4655470389cdc35fec2457c933972990f17dbda21e981cb585e5cc8182769f",
            "metadata.json": "f0252b28a7de6c2b5b364027cc60e452da47702346da6f196523b1a00991a86f",
        },
    },
}
