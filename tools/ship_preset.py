"""Copies a trained preset into the package and prints its registry entry.

The preset folder (the `--out` of `gan-zoo train`, or any `save_to_preset`
folder) gives `config.json`, `model.weights.h5` and `metadata.json`; they are
copied to `gan_zoo/pretrained/NAME/`. Printed: the entry for
`models/<method>_presets.py`, with each file's SHA-256 and a check of the
generator (its outputs for fixed NumPy noise, which tests compare on every
backend).

    python tools/ship_preset.py runs/dcgan-fashion_mnist dcgan_fashion_mnist \
        --dataset fashion_mnist --summary "28x28, 10 epochs; ..."
"""

import argparse
import hashlib
import json
import pathlib
import pprint
import shutil

from gan_zoo import GAN
from gan_zoo.presets import CONFIG_FILE
from gan_zoo.presets import METADATA_FILE
from gan_zoo.presets import PRETRAINED_DIR
from gan_zoo.presets import WEIGHTS_FILE
from gan_zoo.presets import generator_check


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=pathlib.Path)
    parser.add_argument("name")
    parser.add_argument("--dataset", required=True)
    parser.add_argument("--summary", required=True, help="one line for `gan-zoo presets`")
    args = parser.parse_args()
    target = PRETRAINED_DIR / args.name
    target.mkdir(parents=True, exist_ok=True)
    files = {}
    for name in (CONFIG_FILE, WEIGHTS_FILE, METADATA_FILE):
        shutil.copyfile(args.source / name, target / name)
        files[name] = hashlib.sha256((target / name).read_bytes()).hexdigest()
    model = GAN.from_preset(str(target))
    metadata = json.loads((target / METADATA_FILE).read_text())
    entry = {
        "metadata": {
            "dataset": args.dataset,
            "summary": args.summary,
            "card": f"docs/presets/{args.name}.md",
            "generator_check": generator_check(model),
        },
        "files": files,
    }
    print(f"# {type(model).__name__}, trained with the {metadata['backend']} backend")
    print(f'"{args.name}": ' + pprint.pformat(entry, sort_dicts=False, width=88) + ",")


if __name__ == "__main__":
    main()
