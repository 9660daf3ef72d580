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

Where a dataset has one split, or only one is at hand, `--holdout N` keeps
`N` examples of `--train-split` (a seeded random choice) out of training
and measures the accuracy on them instead; the metadata records which:

```
python tools/train_classifier.py --dataset digits --holdout 360 --epochs 30
python tools/train_classifier.py --dataset mnist --train-split test --holdout 2000
```

The network is a LeNet-style CNN on `[-1, 1]` inputs: three 3x3
convolutions (32, 64, 32 filters, ReLU, 2x2 max-pooling after the first
two; zero-padded for images under 16 pixels, such as the 8x8 digits), a
128-unit ReLU layer named `features` (the feature vector of classifier
FID/KID), dropout 0.3, and the logits (~76k weights at 28x28, ~300 KB).
"""

import argparse
import json
import os
import pathlib
import sys
import time

import keras
import numpy as np
import tensorflow as tf

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from gan_zoo import datasets  # noqa: E402
from gan_zoo.version import __version__  # noqa: E402

VALUE_RANGE = (-1.0, 1.0)
FEATURE_UNITS = 128
# Below this size the unpadded convolutions and pools would leave no pixel.
MIN_UNPADDED_SIZE = 16


def classifier_model(image_size, channels, num_classes, seed):
    """The classifier; its penultimate layer is named `features`."""
    init = lambda i: keras.initializers.GlorotUniform(seed=seed + i)  # noqa: E731
    padding = "valid" if image_size >= MIN_UNPADDED_SIZE else "same"
    conv = lambda filters, i: keras.layers.Conv2D(  # noqa: E731
        filters, 3, padding=padding, activation="relu", kernel_initializer=init(i)
    )
    inputs = keras.Input((image_size, image_size, channels), name="images")
    x = conv(32, 0)(inputs)
    x = keras.layers.MaxPooling2D()(x)
    x = conv(64, 1)(x)
    x = keras.layers.MaxPooling2D()(x)
    x = conv(32, 2)(x)
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


def held_out(batches, holdout, batch_size, seed):
    """`(train, test)` datasets: `holdout` examples drawn with `seed` are the test.

    `batches` is the whole split, unshuffled; both parts are small enough to
    hold (the datasets that need this have at most 10,000 images).
    """
    images, labels = map(np.concatenate, zip(*batches.as_numpy_iterator()))
    order = np.random.default_rng(seed).permutation(len(images))
    test, train = order[:holdout], order[holdout:]
    train_data = (
        tf.data.Dataset.from_tensor_slices((images[train], labels[train]))
        .shuffle(len(train), seed=seed)
        .batch(batch_size)
    )
    test_data = tf.data.Dataset.from_tensor_slices((images[test], labels[test]))
    return train_data, test_data.batch(batch_size)


def describe_test_set(split, holdout):
    """How the metadata names the images the accuracy was measured on."""
    if not holdout:
        return split
    return f"{holdout} held-out examples of '{split}' (seeded random choice)"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dataset", default="fashion_mnist")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--learning-rate", type=float, default=1e-3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--data-dir", type=pathlib.Path)
    parser.add_argument(
        "--train-split", default="train", help="split to train on (default: train)"
    )
    parser.add_argument(
        "--holdout",
        type=int,
        default=0,
        help="examples of --train-split kept out of training to measure the "
        "accuracy on (default: 0, measure on the 'test' split)",
    )
    parser.add_argument(
        "--out",
        type=pathlib.Path,
        help="preset directory (default: gan_zoo/metrics/classifiers/DATASET)",
    )
    args = parser.parse_args(argv)
    about = datasets.info(args.dataset)
    if about["kind"] != "image" or not about["classes"]:
        raise SystemExit(f"{args.dataset!r} is not a labelled image dataset.")
    test_split = args.train_split if args.holdout else "test"
    for split in (args.train_split, test_split):
        if split not in about["size"]:
            raise SystemExit(
                f"{args.dataset!r} has no {split!r} split (splits: "
                f"{', '.join(about['size'])}); train on one with --train-split "
                "and keep examples out with --holdout N."
            )
    if not 0 <= args.holdout < about["size"][args.train_split]:
        raise SystemExit(
            f"--holdout must be in [0, {about['size'][args.train_split]}). "
            f"Received: {args.holdout}"
        )
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

    if args.holdout:
        train_data, test_data = held_out(
            data(args.train_split, False), args.holdout, args.batch_size, args.seed
        )
    else:
        train_data, test_data = data(args.train_split, True), data(test_split, False)

    keras.utils.set_random_seed(args.seed)
    model = classifier_model(size, channels, about["classes"], args.seed)
    model.compile(
        optimizer=keras.optimizers.Adam(args.learning_rate),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    start = time.perf_counter()
    model.fit(train_data, epochs=args.epochs, verbose=2)
    seconds = time.perf_counter() - start
    _, accuracy = model.evaluate(test_data, verbose=0)
    tested_on = describe_test_set(test_split, args.holdout)
    print(
        f"{args.dataset} accuracy on {tested_on}: {accuracy:.4f} "
        f"({seconds:.0f} s training)"
    )

    out.mkdir(parents=True, exist_ok=True)
    write_preset(model, size, channels, about["classes"], args.seed, out)
    metadata = {
        "dataset": args.dataset,
        "description": f"Small CNN classifier of {args.dataset}; its 128-d "
        "penultimate layer ('features') is the feature space of classifier "
        "FID/KID, its softmax the probabilities of the classifier IS.",
        "recipe": {
            "script": "tools/train_classifier.py",
            "train_split": args.train_split,
            "holdout": args.holdout,
            "optimizer": f"Adam({args.learning_rate})",
            "batch_size": args.batch_size,
            "epochs": args.epochs,
            "seed": args.seed,
        },
        "epochs": args.epochs,
        "training_steps": int(model.optimizer.iterations),
        "test_split": tested_on,
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
