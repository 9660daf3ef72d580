"""Trains the small per-dataset classifier whose features score GANs offline.

```
KERAS_BACKEND=jax python tools/train_classifier.py --dataset fashion_mnist
```

writes the preset directory `gan_zoo/metrics/classifiers/<dataset>/`:
`config.json` (the Keras model config), `model.weights.h5` and
`metadata.json` (dataset, recipe, epochs, measured test accuracy, gan_zoo
version, backend), which `gan_zoo.metrics.classifier_extractor(dataset)`
loads. Training is seeded (weights, dropout, data order), trains on the
`train` split and measures accuracy once on the `test` split, which plays
no part in training.

The network is a LeNet-style CNN on `[-1, 1]` inputs: three 3x3
convolutions (32, 64, 32 filters, ReLU, 2x2 max-pooling after the first
two), a 128-unit ReLU layer named `features` (the feature vector of
classifier FID/KID), dropout 0.3, and the logits (~76k weights, ~300 KB).
"""

import argparse
import json
import os
import pathlib
import sys
import time

import keras
import numpy as np

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from gan_zoo import datasets  # noqa: E402
from gan_zoo.version import __version__  # noqa: E402

VALUE_RANGE = (-1.0, 1.0)
FEATURE_UNITS = 128


def classifier_model(image_size, channels, num_classes, seed):
    """The classifier; its penultimate layer is named `features`."""
    init = lambda i: keras.initializers.GlorotUniform(seed=seed + i)  # noqa: E731
    inputs = keras.Input((image_size, image_size, channels), name="images")
    x = keras.layers.Conv2D(32, 3, activation="relu", kernel_initializer=init(0))(inputs)
    x = keras.layers.MaxPooling2D()(x)
    x = keras.layers.Conv2D(64, 3, activation="relu", kernel_initializer=init(1))(x)
    x = keras.layers.MaxPooling2D()(x)
    x = keras.layers.Conv2D(32, 3, activation="relu", kernel_initializer=init(2))(x)
    x = keras.layers.Flatten()(x)
    x = keras.layers.Dense(
        FEATURE_UNITS, activation="relu", kernel_initializer=init(3), name="features"
    )(x)
    x = keras.layers.Dropout(0.3, seed=seed)(x)
    logits = keras.layers.Dense(num_classes, kernel_initializer=init(4), name="logits")(x)
    return keras.Model(inputs, logits, name="classifier")


def write_preset(model, image_size, channels, num_classes, seed, out):
    """Writes `config.json` and `model.weights.h5` of an uncompiled copy.

    The copy carries the trained weights but no optimizer state, which would
    triple the file.
    """
    export = classifier_model(image_size, channels, num_classes, seed)
    export.set_weights(model.get_weights())
    config = keras.saving.serialize_keras_object(export)
    (out / "config.json").write_text(json.dumps(config, indent=1) + "\n")
    export.save_weights(out / "model.weights.h5")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dataset", default="fashion_mnist")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--learning-rate", type=float, default=1e-3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--data-dir", type=pathlib.Path)
    parser.add_argument(
        "--out",
        type=pathlib.Path,
        help="preset directory (default: gan_zoo/metrics/classifiers/DATASET)",
    )
    args = parser.parse_args(argv)
    about = datasets.info(args.dataset)
    if about["kind"] != "image" or not about["classes"]:
        raise SystemExit(f"{args.dataset!r} is not a labelled image dataset.")
    for split in ("train", "test"):
        if split not in about["size"]:
            raise SystemExit(f"{args.dataset!r} has no {split!r} split.")
    size, _, channels = about["shape"]
    out = args.out or ROOT / "gan_zoo" / "metrics" / "classifiers" / args.dataset

    def data(split, shuffle):
        return datasets.load(
            args.dataset,
            split=split,
            batch_size=args.batch_size,
            value_range=VALUE_RANGE,
            with_labels=True,
            data_dir=args.data_dir,
            shuffle=shuffle,
            seed=args.seed,
            drop_remainder=False,
            download=False,
        )

    keras.utils.set_random_seed(args.seed)
    model = classifier_model(size, channels, about["classes"], args.seed)
    model.compile(
        optimizer=keras.optimizers.Adam(args.learning_rate),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    start = time.perf_counter()
    model.fit(data("train", True), epochs=args.epochs, verbose=2)
    seconds = time.perf_counter() - start
    _, accuracy = model.evaluate(data("test", False), verbose=0)
    print(f"{args.dataset} test accuracy: {accuracy:.4f} ({seconds:.0f} s training)")

    out.mkdir(parents=True, exist_ok=True)
    write_preset(model, size, channels, about["classes"], args.seed, out)
    metadata = {
        "dataset": args.dataset,
        "description": f"Small CNN classifier of {args.dataset}; its 128-d "
        "penultimate layer ('features') is the feature space of classifier "
        "FID/KID, its softmax the probabilities of the classifier IS.",
        "recipe": {
            "script": "tools/train_classifier.py",
            "train_split": "train",
            "optimizer": f"Adam({args.learning_rate})",
            "batch_size": args.batch_size,
            "epochs": args.epochs,
            "seed": args.seed,
        },
        "epochs": args.epochs,
        "training_steps": int(model.optimizer.iterations),
        "test_split": "test",
        "test_accuracy": round(float(accuracy), 4),
        "value_range": list(VALUE_RANGE),
        "params": int(model.count_params()),
        "backend": keras.backend.backend(),
        "keras_version": keras.__version__,
        "gan_zoo_version": __version__,
    }
    (out / "metadata.json").write_text(json.dumps(metadata, indent=1) + "\n")
    print(f"Wrote {out} ({os.path.getsize(out / 'model.weights.h5') // 1024} KB weights)")


if __name__ == "__main__":
    main()
