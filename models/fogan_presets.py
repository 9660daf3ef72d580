"""The First Order GAN presets shipped with gan_zoo: entries of
`tools/ship_preset.py`, cards in `docs/presets/`."""

FOGAN_PRESETS = {
    "fogan_lm1b": {
        "metadata": {
            "dataset": "lm1b",
            "summary": "character-level 1-D CNN (width 64, 2 residual blocks), 16,000 "
            "generator steps on the lm1b held-out shard; 4-gram JSD 0.690 (real-vs-real "
            "floor 0.159)",
            "card": "docs/presets/fogan_lm1b.md",
            # Log-probabilities of characters (`gan_zoo.presets.generator_check`).
            "generator_check": [
                -24.325152, -69.077553, -30.898336, -26.8064, -69.077553, -69.077553,
                -69.077553, -69.077553, -33.307644, -19.632903, -69.077553, -37.061343,
                -53.917447, -26.153703, -37.726143, -45.290775,
            ],
        },
        "files": {
            "config.json": "de61a12046a21a268c64503c4a1573921fa464afeb0417959be4dcc5c2bf005c",
            "model.weights.h5": "c7b1b2a33bad72320d3dc3f16f7223ceda3a8de1e7f1f6c9cb067eb893fbd7ab",
            "metadata.json": "64c0ea3de2f5b5710a31bcbee0cd7bee632b2dff7e092888dec88eac8ce4d5f7",
        },
    },
}
