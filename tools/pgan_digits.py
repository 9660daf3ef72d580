"""PGAN on the 8x8 digits: the likelihoods it logs and the digits it draws.

```
KERAS_BACKEND=jax python tools/pgan_digits.py                  # 16x16, 30 epochs
KERAS_BACKEND=jax python tools/pgan_digits.py --variance-floor 1e-6
```

Trains `PGAN(pgan_generator, gmm_discriminator(pgan_encoder))` with the
paper's Adam(1e-4) and prints, every `--report-every` epochs: the mean
likelihood of the generated and of the real batches over each epoch (the
method's quality signal, logged by the training step), and the share of
2,000 samples the shipped digits classifier recognises with p > 0.9
(`gan_zoo.metrics.confident_fraction`; the real 16x16 digits: 0.87).
"""

import argparse
import pathlib
import sys
import time

import keras
import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))

from gan_zoo import datasets  # noqa: E402
from gan_zoo.metrics import classifier_extractor  # noqa: E402
from gan_zoo.metrics import confident_fraction  # noqa: E402
from gan_zoo.models import PGAN  # noqa: E402
from gan_zoo.models.architectures import gmm_discriminator  # noqa: E402
from gan_zoo.models.architectures import pgan_encoder  # noqa: E402
from gan_zoo.models.architectures import pgan_generator  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--image-size", type=int, default=16)
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--report-every", type=int, default=3)
    parser.add_argument("--latent-dim", type=int, default=32)
    parser.add_argument("--variance-floor", type=float, default=0.1)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    keras.utils.set_random_seed(args.seed)
    model = PGAN(
        pgan_generator(args.image_size, latent_dim=args.latent_dim),
        gmm_discriminator(pgan_encoder(args.image_size), variance_floor=args.variance_floor),
        seed=args.seed,
    )
    model.compile()
    classifier = classifier_extractor("digits")
    print(f"PGAN on digits at {args.image_size}x{args.image_size}, variance floor "
          f"{args.variance_floor}, {keras.backend.backend()} backend")
    print("epoch  fake likelihood  real likelihood  confident share  seconds")
    start = time.time()
    for epoch in range(args.report_every, args.epochs + 1, args.report_every):
        data = datasets.digits(batch_size=64, image_size=args.image_size, seed=args.seed + epoch)
        history = model.fit(data, epochs=args.report_every, verbose=0).history
        _, probabilities = classifier(model.generate(2000, seed=args.seed))
        print(f"{epoch:5d}  {np.mean(history['fake_likelihood']):15.2e}  "
              f"{np.mean(history['real_likelihood']):15.3f}  "
              f"{confident_fraction(probabilities):15.3f}  {time.time() - start:7.0f}",
              flush=True)


if __name__ == "__main__":
    main()
