"""Semi-supervised MNIST with 10 labels per class (Salimans et al. 2016,
section 5.1): `SemiSupervisedGAN` against the same discriminator trained on
the labelled examples alone (`unsupervised_weight=0`: same network, batches,
optimizer and steps), both scored on held-out digits.

The paper's permutation-invariant networks: D 784-1000-500-250-250-250-10
with Gaussian noise (0.3 on the input, 0.5 after each hidden layer), G
100-500-500-784 with batch norm and softplus; no weight normalisation here
(Keras has none), pixels in [-1, 1] with a tanh output.

Offline, only MNIST's test split is at hand: `--split test` (the default)
trains on its first 8,000 digits and scores the last 2,000; `--split train`
trains on the 60,000 training digits and scores the test split.

```
python tools/semi_supervised_mnist.py --data-dir ../shared/data/mnist --epochs 20
```
"""

import argparse
import time

import keras
import numpy as np

from gan_zoo import datasets
from gan_zoo.datasets.mnist import load_arrays
from gan_zoo.models import SemiSupervisedGAN
from gan_zoo.models.architectures import mlp_discriminator, mlp_generator


def flat_digits(split, data_dir):
    images, labels = load_arrays("mnist", split, data_dir=data_dir)
    return images.reshape(len(images), -1).astype("float32") / 127.5 - 1.0, labels


def build(hidden_units, unsupervised_weight, seed):
    keras.utils.set_random_seed(seed)
    return SemiSupervisedGAN(
        mlp_generator(
            784, 100, (500, 500), "softplus", batch_norm=True, output_activation="tanh"
        ),
        mlp_discriminator(
            784, hidden_units, "relu", output_units=10, input_noise=0.3, hidden_noise=0.5
        ),
        unsupervised_weight=unsupervised_weight,
        seed=seed,
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", help="folder of MNIST's IDX gzip files")
    parser.add_argument("--split", choices=("test", "train"), default="test")
    parser.add_argument("--labels-per-class", type=int, default=10)
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--batch-size", type=int, default=100)
    parser.add_argument("--hidden-units", default="1000,500,250,250,250")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    hidden_units = tuple(int(u) for u in args.hidden_units.split(","))

    x, y = flat_digits(args.split, args.data_dir)
    if args.split == "test":
        (x, y), (x_held_out, y_held_out) = (x[:8000], y[:8000]), (x[8000:], y[8000:])
    else:
        x_held_out, y_held_out = flat_digits("test", args.data_dir)
    print(
        f"{len(x)} training digits ({args.labels_per_class} labels per class), "
        f"{len(x_held_out)} held out; {args.epochs} epochs of batch {args.batch_size}; "
        f"{keras.backend.backend()} backend"
    )
    data = datasets.semi_supervised(
        (x, y), labels_per_class=args.labels_per_class, batch_size=args.batch_size, seed=args.seed
    )
    errors = {}
    for name, weight in (("semi-supervised GAN", 1.0), ("labels only", 0.0)):
        model = build(hidden_units, weight, args.seed)
        model.compile()
        start = time.time()
        for epoch in range(1, args.epochs + 1):
            model.fit(data, epochs=1, verbose=0)
            if epoch % 5 == 0 or epoch == args.epochs:
                accuracy = model.evaluate(
                    x_held_out, y_held_out, batch_size=500, verbose=0, return_dict=True
                )["accuracy"]
                errors[name] = 1.0 - accuracy
                print(f"{name:20s} epoch {epoch:3d}: held-out error {errors[name]:.4f} "
                      f"({time.time() - start:.0f} s)", flush=True)
    print(" | ".join(f"{name}: {error:.4f}" for name, error in errors.items()))


if __name__ == "__main__":
    main()
