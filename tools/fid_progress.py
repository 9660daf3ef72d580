"""Classifier FID of a DCGAN on Fashion-MNIST as training goes on, and the floor.

```
KERAS_BACKEND=jax python tools/fid_progress.py                 # epochs 1 and 5
KERAS_BACKEND=jax python tools/fid_progress.py --report-epochs 1 2 5 10
```

Prints, in the feature space of the shipped Fashion-MNIST classifier
(`gan_zoo.metrics.classifier_extractor("fashion_mnist")`, not Inception):

- the floor: FID of `--num-samples` real *train* images against the real
  *test* images (what a perfect generator would score with this many
  samples; FID is biased upwards at small sample sizes);
- the FID of `--num-samples` DCGAN samples against the test images after
  each epoch of `--report-epochs` (the DCGAN of `gan-zoo train dcgan
  --dataset fashion_mnist`: 28x28, 32 base filters, 100-d noise, the
  paper's Adam).

The test-set statistics are extracted once and reused.
"""

import argparse
import pathlib
import sys
import time

import keras

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))

from gan_zoo import datasets  # noqa: E402
from gan_zoo.metrics.evaluate import fid  # noqa: E402
from gan_zoo.metrics.features import classifier_extractor  # noqa: E402
from gan_zoo.metrics.features import extract  # noqa: E402
from gan_zoo.models import DCGAN  # noqa: E402
from gan_zoo.models.architectures import dcgan_discriminator  # noqa: E402
from gan_zoo.models.architectures import dcgan_generator  # noqa: E402


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--report-epochs", type=int, nargs="+", default=[1, 5])
    parser.add_argument("--num-samples", type=int, default=10_000)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--steps-per-epoch", type=int, default=None)
    parser.add_argument("--base-filters", type=int, default=32)
    parser.add_argument("--latent-dim", type=int, default=100)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    def load(split, shuffle, batch_size=500):
        return datasets.load(
            "fashion_mnist", split=split, batch_size=batch_size, shuffle=shuffle,
            seed=args.seed, drop_remainder=False, download=False,
        )

    extractor = classifier_extractor("fashion_mnist")
    print(f"Feature space: {extractor.name} (test accuracy "
          f"{extractor.metadata['test_accuracy']}); backend {keras.backend.backend()}")
    test = extract(load("test", False), extractor).statistics
    floor = fid(load("train", False), test, extractor=extractor, num_samples=args.num_samples)
    print(f"floor: FID ({extractor.name}), {args.num_samples} real train images "
          f"vs {test.count} test images: {floor:.3f}")

    keras.utils.set_random_seed(args.seed)
    model = DCGAN(
        dcgan_generator(28, 1, args.latent_dim, base_filters=args.base_filters),
        dcgan_discriminator(28, 1, base_filters=args.base_filters),
        seed=args.seed,
    )
    model.compile()
    train = datasets.load(
        "fashion_mnist", split="train", batch_size=args.batch_size, seed=args.seed,
        download=False,
    )
    if args.steps_per_epoch:
        train = train.repeat()
    done, start = 0, time.perf_counter()
    for epoch in sorted(args.report_epochs):
        model.fit(
            train, initial_epoch=done, epochs=epoch,
            steps_per_epoch=args.steps_per_epoch, verbose=0,
        )
        done = epoch
        value = fid(model, test, extractor=extractor, num_samples=args.num_samples,
                    seed=args.seed)
        print(f"DCGAN after {epoch} epoch(s): FID ({extractor.name}), "
              f"{args.num_samples} samples vs {test.count} test images: {value:.3f}"
              f"  [{time.perf_counter() - start:.0f} s]")


if __name__ == "__main__":
    main()
