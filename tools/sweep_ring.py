"""Mode coverage on the ring of 8 Gaussians over seeds and recipes.

Trains one method with the MLP pair on `gan_zoo.datasets.ring` and prints,
after every `--eval-every` steps, `(modes covered, high-quality fraction)` of
2,000 samples (within 3 std of a mode, `gan_zoo.metrics.mode_coverage`), one
line per seed. The recipes of `tests/training_test.py` were chosen with it:

    KERAS_BACKEND=jax python tools/sweep_ring.py SoftmaxGAN --d-lr 5e-4 --g-lr 5e-4 --beta-2 0.9
"""

import argparse
import time

import keras

from gan_zoo import datasets
from gan_zoo.metrics import mode_coverage
from gan_zoo.models import FOGAN, GAN, LSGAN, PWGAN, WGAN, WGANGP, SoftmaxGAN
from gan_zoo.models.architectures import mlp_discriminator, mlp_generator

METHODS = {
    m.__name__: m for m in (FOGAN, GAN, LSGAN, PWGAN, SoftmaxGAN, WGAN, WGANGP)
}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("method", choices=sorted(METHODS))
    parser.add_argument("--d-lr", type=float, default=1e-3)
    parser.add_argument("--g-lr", type=float, default=1e-3)
    parser.add_argument("--beta-1", type=float, default=0.5)
    parser.add_argument("--beta-2", type=float, default=0.999)
    parser.add_argument("--rmsprop", action="store_true", help="RMSprop (WGAN)")
    parser.add_argument(
        "--option",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a float constructor argument, e.g. clip_value=0.1 (repeatable)",
    )
    parser.add_argument("--hidden", default="128,128")
    parser.add_argument("--latent-dim", type=int, default=8)
    parser.add_argument("--batch-norm", action="store_true", help="in G")
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--n-critic", type=int)
    parser.add_argument("--steps", type=int, default=3000)
    parser.add_argument("--eval-every", type=int, default=1000)
    parser.add_argument("--seeds", default="0,1,2")
    args = parser.parse_args()
    hidden = tuple(int(h) for h in args.hidden.split(","))
    kwargs = {k: float(v) for k, v in (o.split("=", 1) for o in args.option)}

    def optimizer(lr):
        if args.rmsprop:
            return keras.optimizers.RMSprop(lr)
        return keras.optimizers.Adam(lr, beta_1=args.beta_1, beta_2=args.beta_2)

    print(f"{keras.backend.backend()} backend; {vars(args)}")
    for seed in (int(s) for s in args.seeds.split(",")):
        keras.utils.set_random_seed(seed)
        model = METHODS[args.method](
            mlp_generator(
                latent_dim=args.latent_dim,
                hidden_units=hidden,
                batch_norm=args.batch_norm,
            ),
            mlp_discriminator(hidden_units=hidden),
            n_critic=args.n_critic,
            seed=seed,
            **kwargs,
        )
        model.compile(optimizer(args.d_lr), optimizer(args.g_lr))
        data = datasets.ring(
            batch_size=args.batch_size,
            num_samples=args.batch_size * args.eval_every,
            seed=seed,
        )
        start, scores = time.time(), []
        for _ in range(args.steps // args.eval_every):
            model.fit(data, epochs=1, verbose=0)
            result = mode_coverage(
                model.generate(2000, seed=1), datasets.ring_centers(), 0.05
            )
            scores.append(
                (result["modes_covered"], round(result["high_quality_fraction"], 2))
            )
        print(f"seed {seed}: {scores} ({time.time() - start:.0f} s)", flush=True)


if __name__ == "__main__":
    main()
