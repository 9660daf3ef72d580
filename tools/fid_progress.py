"""Classifier FID of a DCGAN as training goes on, and the floor.

```
KERAS_BACKEND=jax python tools/fid_progress.py                 # Fashion-MNIST, epochs 1 and 5
KERAS_BACKEND=jax python tools/fid_progress.py --report-epochs 1 2 5 10
KERAS_BACKEND=jax python tools/fid_progress.py --dataset digits --report-epochs 5 50
```

Prints, in the feature space of the dataset's shipped classifier
(`gan_zoo.metrics.classifier_extractor(dataset)`, not Inception):

- the floor: FID of `--num-samples` real *train* images against the real
  reference images (`--reference-split`, default `test`), or, where the two
  splits are one (digits has only `train`), of one random half of the split
  against the other: what a perfect generator would score with this many
  samples (FID is biased upwards at small sample sizes);
- the FID of `--num-samples` DCGAN samples against the reference after
  each epoch of `--report-epochs` (the DCGAN of `gan-zoo train dcgan`:
  at the dataset's resolution, 32 base filters, 100-d noise, the paper's
  Adam).

The reference statistics are extracted once and reused.
"""

import argparse
import pathlib
import sys
import time

import keras
import numpy as np

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
    parser.add_argument("--dataset", default="fashion_mnist")
    parser.add_argument("--train-split", default="train")
    parser.add_argument("--reference-split", default=None)
    parser.add_argument("--report-epochs", type=int, nargs="+", default=[1, 5])
    parser.add_argument("--num-samples", type=int, default=10_000)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--steps-per-epoch", type=int, default=None)
    parser.add_argument("--base-filters", type=int, default=32)
    parser.add_argument("--latent-dim", type=int, default=100)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    splits = datasets.info(args.dataset)["size"]
    reference_split = args.reference_split or ("test" if "test" in splits else "train")
    size, _, channels = datasets.info(args.dataset)["shape"]

    def load(split, shuffle, batch_size=500, drop_remainder=False):
        return datasets.load(
            args.dataset, split=split, batch_size=batch_size, shuffle=shuffle,
            seed=args.seed, drop_remainder=drop_remainder, download=False,
            image_size=size,
        )

    extractor = classifier_extractor(args.dataset)
    print(f"Feature space: {extractor.name} (accuracy "
          f"{extractor.metadata['test_accuracy']} on "
          f"{extractor.metadata['test_split']}); backend {keras.backend.backend()}")
    reference = extract(load(reference_split, False), extractor).statistics
    if args.train_split != reference_split:
        floor = fid(load(args.train_split, False), reference, extractor=extractor,
                    num_samples=args.num_samples)
        print(f"floor: FID ({extractor.name}), {args.num_samples} real "
              f"{args.train_split} images vs {reference.count} {reference_split} "
              f"images: {floor:.3f}")
    else:
        images = np.concatenate(list(load(reference_split, False).as_numpy_iterator()))
        order = np.random.default_rng(args.seed).permutation(len(images))
        half, other = np.array_split(images[order], 2)
        floor = fid(half, other, extractor=extractor)
        print(f"floor: FID ({extractor.name}), {len(half)} vs the other "
              f"{len(other)} real {reference_split} images: {floor:.3f}")

    keras.utils.set_random_seed(args.seed)
    model = DCGAN(
        dcgan_generator(size, channels, args.latent_dim, base_filters=args.base_filters),
        dcgan_discriminator(size, channels, base_filters=args.base_filters),
        seed=args.seed,
    )
    model.compile()
    train = load(args.train_split, True, args.batch_size, drop_remainder=True)
    if args.steps_per_epoch:
        train = train.repeat()
    done, start = 0, time.perf_counter()
    for epoch in sorted(args.report_epochs):
        model.fit(
            train, initial_epoch=done, epochs=epoch,
            steps_per_epoch=args.steps_per_epoch, verbose=0,
        )
        done = epoch
        value = fid(model, reference, extractor=extractor, num_samples=args.num_samples,
                    seed=args.seed)
        print(f"DCGAN after {epoch} epoch(s): FID ({extractor.name}), "
              f"{args.num_samples} samples vs {reference.count} {reference_split} "
              f"images: {value:.3f}"
              f"  [{time.perf_counter() - start:.0f} s]")


if __name__ == "__main__":
    main()
