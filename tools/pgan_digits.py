"""PGAN on handwritten digits: the likelihoods it logs and the digits it draws.

```
KERAS_BACKEND=jax python tools/pgan_digits.py                  # 8x8 digits at 16x16, 30 epochs
KERAS_BACKEND=jax python tools/pgan_digits.py --variance-floor 1e-6
KERAS_BACKEND=jax python tools/pgan_digits.py --dataset mnist --split test --image-size 28 \
    --dense-units 64 --latent-dim 100 --epochs 30 --out runs/pgan_mnist30   # MNIST
```

The last command's run (2026-12-01) is claim 2 of docs/reproductions.md:
FID in the mnist classifier's features fell from 387 (epoch 3, one class)
to 109-124 (epochs 24-30) while the generated likelihood rose from 7e-3 to
5e-2 (Spearman correlation -0.76). The same with `--dense-units 32 --out
runs/pgan_mnist` reached FID 77.3 at epoch 30 and is the `pgan_mnist`
preset (docs/presets/pgan_mnist.md).

Trains `PGAN(pgan_generator, gmm_discriminator(pgan_encoder))` with the
paper's Adam(1e-4) and prints, every `--report-every` epochs: the mean
likelihood of the generated and of the real batches over each epoch (the
method's quality signal, logged by the training step), and the share of
`--samples` (2,000) samples the dataset's shipped classifier recognises with p > 0.9
(`gan_zoo.metrics.confident_fraction`; the real 16x16 digits: 0.87), the
number of classes and the FID of those samples in the same classifier's
features; at the end, the correlation of the generated likelihood with FID
(PGAN's claim: higher likelihood, better samples). With
`--out`, the trained model is saved there as a preset, its last scores in
the metadata. `main` returns the reports.
"""

import argparse
import pathlib
import sys
import time

import keras
import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))

from gan_zoo import datasets  # noqa: E402
from gan_zoo.metrics import evaluate  # noqa: E402
from gan_zoo.models import PGAN  # noqa: E402
from gan_zoo.models.architectures import gmm_discriminator  # noqa: E402
from gan_zoo.models.architectures import pgan_encoder  # noqa: E402
from gan_zoo.models.architectures import pgan_generator  # noqa: E402


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", choices=("digits", "mnist"), default="digits")
    parser.add_argument("--split", default="train")
    parser.add_argument("--data-dir", help="folder of the dataset's files")
    parser.add_argument("--image-size", type=int, default=16)
    parser.add_argument("--dense-units", type=int, default=1024,
                        help="width of G's and E's dense layers (the paper's 1024)")
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--report-every", type=int, default=3)
    parser.add_argument("--latent-dim", type=int, default=32)
    parser.add_argument("--variance-floor", type=float, default=0.1)
    parser.add_argument("--bottleneck", type=int, default=1,
                        help="dimension of E's embedding (the paper's 1)")
    parser.add_argument("--n-critic", type=int, default=1,
                        help="encoder updates per generator update (the paper's 1)")
    parser.add_argument("--n-generator", type=int, default=1,
                        help="generator updates per step (the paper's 1)")
    parser.add_argument("--learning-rate", type=float, default=1e-4,
                        help="both players' Adam learning rate (the paper's 1e-4)")
    parser.add_argument("--beta-1", type=float, default=0.9, help="both players' Adam beta_1")
    parser.add_argument("--samples", type=int, default=2000, help="samples scored per report")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=pathlib.Path, help="save the model here as a preset")
    args = parser.parse_args(argv)
    keras.utils.set_random_seed(args.seed)
    model = PGAN(
        pgan_generator(args.image_size, latent_dim=args.latent_dim,
                       dense_units=args.dense_units),
        gmm_discriminator(pgan_encoder(args.image_size, bottleneck=args.bottleneck,
                                       dense_units=args.dense_units),
                          variance_floor=args.variance_floor),
        n_critic=args.n_critic,
        n_generator=args.n_generator,
        seed=args.seed,
    )
    adam = lambda: keras.optimizers.Adam(args.learning_rate, beta_1=args.beta_1)  # noqa: E731
    model.compile(adam(), adam())
    real = datasets.load(args.dataset, split=args.split, batch_size=500,
                         image_size=args.image_size, shuffle=False, drop_remainder=False,
                         data_dir=args.data_dir)
    print(f"PGAN on {args.dataset} at {args.image_size}x{args.image_size}, variance floor "
          f"{args.variance_floor}, {keras.backend.backend()} backend")
    print("epoch  fake likelihood  real likelihood  confident share  classes     FID  seconds")
    start, reports = time.time(), []
    for epoch in range(args.report_every, args.epochs + 1, args.report_every):
        data = datasets.load(args.dataset, split=args.split, image_size=args.image_size,
                             seed=args.seed + epoch, data_dir=args.data_dir)
        history = model.fit(data, epochs=args.report_every, verbose=0).history
        quality = evaluate(model, real, metrics=["fid", "class_statistics"],
                           extractor=args.dataset, num_samples=args.samples, seed=args.seed)
        scores = {"fake_likelihood": float(np.mean(history["fake_likelihood"])),
                  "real_likelihood": float(np.mean(history["real_likelihood"])),
                  **{k: float(quality[k]) for k in ("confident_fraction", "distinct_classes",
                                                    "class_kl", "fid")}}
        reports.append(scores)
        print(f"{epoch:5d}  {scores['fake_likelihood']:15.2e}  "
              f"{scores['real_likelihood']:15.3f}  "
              f"{scores['confident_fraction']:15.3f}  {scores['distinct_classes']:7.0f} "
              f"{scores['fid']:7.2f}  {time.time() - start:7.0f}", flush=True)
    if len(reports) > 2:
        # The paper's claim: the generated samples' likelihood tracks their quality.
        likelihood = np.log([r["fake_likelihood"] for r in reports])
        fid = np.array([r["fid"] for r in reports])
        ranks = lambda v: np.argsort(np.argsort(v))  # noqa: E731
        print(f"correlation of log fake likelihood with FID over {len(reports)} reports: "
              f"Pearson {np.corrcoef(likelihood, fid)[0, 1]:.3f}, "
              f"Spearman {np.corrcoef(ranks(likelihood), ranks(fid))[0, 1]:.3f} "
              "(the claim: negative, lower FID where the likelihood is higher)")
    if args.out:
        recipe = {k: str(v) if isinstance(v, pathlib.Path) else v for k, v in vars(args).items()}
        model.save_to_preset(args.out, metadata={
            "dataset": args.dataset,
            "recipe": {"command": "tools/pgan_digits.py", **recipe},
            "generator_steps": int(model.g_optimizer.iterations),
            "metrics": {f"last_{args.report_every}_epochs": scores},
        })
        print(f"Preset: {args.out}")
    return reports


if __name__ == "__main__":
    main()
