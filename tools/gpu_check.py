"""DCGAN-64 training speed on a GPU: gan_zoo on JAX (XLA) and torch, fp32 and
bf16, against the same networks in plain PyTorch, in one run.

One process measures one framework (the Keras backend is fixed per process),
appending a JSON line per setting to `--results`; `--table` turns the lines
into one Markdown table with images/s, the ratio to plain PyTorch at the same
batch and precision, and the achieved model FLOP/s against the GPU's peak.
`tools/gpu_check.sh` runs it all; no TensorFlow is needed (synthetic data
from a Python generator, no tf.data).

The networks: `dcgan_generator(64, 3, base_filters=64)` and
`dcgan_discriminator(64, 3, base_filters=64)` (the paper's 64x64 DCGAN with
half its width: 512 filters at 4x4), Adam(2e-4, 0.5), sigmoid cross-entropy.
The plain PyTorch reference is built layer by layer from the same Keras
networks (NCHW, `torch.autocast` for bf16) and trains as PyTorch's DCGAN
example does. Each step takes a host batch, as training from a data
pipeline does.

Model FLOPs per image are counted from the layers (2 per multiply-add of
the convolutions and dense layers): a step costs about `4 x G + 9 x D`
forward passes (D step: G forward, D forward and backward on real and
fake; G step: G and D forward and backward).

    KERAS_BACKEND=jax python tools/gpu_check.py --results r.jsonl
    python tools/gpu_check.py --framework pytorch --results r.jsonl
    python tools/gpu_check.py --table r.jsonl
"""

import argparse
import json
import math
import os
import platform
import time

import numpy as np

IMAGE_SIZE, CHANNELS, LATENT_DIM, BASE_FILTERS = 64, 3, 100, 64
# Dense peaks of the H100/H200 SXM (NVIDIA's data sheet), TFLOP/s.
PEAKS = {"bfloat16": 989.4, "float32": 494.7}  # float32 counted at TF32 tensor-core rate
PRECISIONS = {"float32": "float32", "bfloat16": "mixed_bfloat16"}


def keras_networks():
    from gan_zoo.models.architectures import dcgan_discriminator
    from gan_zoo.models.architectures import dcgan_generator

    generator = dcgan_generator(IMAGE_SIZE, CHANNELS, LATENT_DIM, base_filters=BASE_FILTERS)
    discriminator = dcgan_discriminator(IMAGE_SIZE, CHANNELS, base_filters=BASE_FILTERS)
    return generator, discriminator


def multiply_adds(model):
    """Multiply-adds of one image through the convolutions and dense layers."""
    import keras

    total = 0
    for layer in model.layers:
        if isinstance(layer, keras.layers.Dense):
            total += math.prod(layer.kernel.shape)
        elif isinstance(layer, keras.layers.Conv2DTranspose):
            height, width = layer.input.shape[1:3]
            total += height * width * math.prod(layer.kernel.shape)
        elif isinstance(layer, keras.layers.Conv2D):
            height, width = layer.output.shape[1:3]
            total += height * width * math.prod(layer.kernel.shape)
    return total


def step_flops(generator, discriminator, batch):
    return 2 * batch * (4 * multiply_adds(generator) + 9 * multiply_adds(discriminator))


def host_batches(batch, seed=0):
    """The same host batch of images in [-1, 1] as `(images,)`, forever."""
    images = np.random.default_rng(seed).uniform(-1, 1, (batch, IMAGE_SIZE, IMAGE_SIZE, CHANNELS))
    images = images.astype("float32")
    while True:
        yield (images,)


def time_gan_zoo(batch, precision, warmup, steps):
    import keras

    from gan_zoo.models import DCGAN

    keras.config.set_dtype_policy(PRECISIONS[precision])
    try:
        generator, discriminator = keras_networks()
        model = DCGAN(generator, discriminator, seed=0)
        model.compile()  # the paper's optimisers; XLA on JAX, eager on torch
        data = host_batches(batch)
        start = time.perf_counter()
        model.fit(data, steps_per_epoch=warmup, epochs=1, verbose=0, shuffle=False)
        compile_s = time.perf_counter() - start
        start = time.perf_counter()
        model.fit(data, steps_per_epoch=steps, epochs=1, verbose=0, shuffle=False)  # logs sync
        seconds = time.perf_counter() - start
    finally:
        keras.config.set_dtype_policy("float32")
    return seconds, compile_s, step_flops(generator, discriminator, batch)


def torch_network(keras_model):
    """The Keras network as a plain `torch.nn.Sequential` (NCHW)."""
    import keras
    import torch

    layers, shape = [], keras_model.input.shape[1:]
    for layer in keras_model.layers[1:]:
        if isinstance(layer, keras.layers.Dense):
            layers.append(torch.nn.Linear(shape[-1], layer.units, bias=layer.use_bias))
        elif isinstance(layer, keras.layers.BatchNormalization):
            norm = torch.nn.BatchNorm1d if len(shape) == 1 else torch.nn.BatchNorm2d
            layers.append(norm(shape[-1], eps=layer.epsilon, momentum=1 - layer.momentum))
        elif isinstance(layer, (keras.layers.Conv2D, keras.layers.Conv2DTranspose)):
            transpose = isinstance(layer, keras.layers.Conv2DTranspose)
            if layer.strides != (2, 2) or layer.kernel_size != (4, 4) or layer.padding != "same":
                raise ValueError(f"{layer.name}: only 4x4 stride-2 'same' convolutions map here")
            conv = torch.nn.ConvTranspose2d if transpose else torch.nn.Conv2d
            layers.append(conv(shape[-1], layer.filters, 4, 2, 1, bias=layer.use_bias))
        elif isinstance(layer, keras.layers.Reshape):
            height, width, channels = layer.target_shape
            layers.append(torch.nn.Unflatten(1, (channels, height, width)))
        elif isinstance(layer, keras.layers.Flatten):
            layers.append(torch.nn.Flatten())
        elif isinstance(layer, keras.layers.LeakyReLU):
            layers.append(torch.nn.LeakyReLU(layer.negative_slope))
        elif isinstance(layer, keras.layers.ReLU):
            layers.append(torch.nn.ReLU())
        elif isinstance(layer, keras.layers.Activation):
            layers.append({"tanh": torch.nn.Tanh, "sigmoid": torch.nn.Sigmoid}[layer.activation.__name__]())
        else:
            raise ValueError(f"No PyTorch counterpart for {type(layer).__name__} {layer.name}")
        shape = layer.output.shape[1:]
    return torch.nn.Sequential(*layers)


def time_pytorch(batch, precision, warmup, steps):
    import torch

    device = "cuda" if torch.cuda.is_available() else "cpu"
    keras_generator, keras_discriminator = keras_networks()
    generator = torch_network(keras_generator).to(device)
    discriminator = torch_network(keras_discriminator).to(device)
    g_optimizer = torch.optim.Adam(generator.parameters(), 2e-4, betas=(0.5, 0.999))
    d_optimizer = torch.optim.Adam(discriminator.parameters(), 2e-4, betas=(0.5, 0.999))
    loss = torch.nn.BCEWithLogitsLoss()
    autocast = torch.autocast(device, dtype=torch.bfloat16, enabled=precision == "bfloat16")
    data = host_batches(batch)

    def step():
        real = torch.from_numpy(next(data)[0]).to(device, non_blocking=True).permute(0, 3, 1, 2)
        ones = torch.ones(batch, 1, device=device)
        zeros = torch.zeros(batch, 1, device=device)
        with autocast:
            fake = generator(torch.randn(batch, LATENT_DIM, device=device))
            d_loss = loss(discriminator(real), ones) + loss(discriminator(fake.detach()), zeros)
        d_optimizer.zero_grad(set_to_none=True)
        d_loss.backward()
        d_optimizer.step()
        with autocast:
            fake = generator(torch.randn(batch, LATENT_DIM, device=device))
            g_loss = loss(discriminator(fake), ones)
        g_optimizer.zero_grad(set_to_none=True)
        g_loss.backward()
        g_optimizer.step()
        return g_loss

    def run(n):
        for _ in range(n):
            last = step()
        last.item()  # waits for the device

    start = time.perf_counter()
    run(warmup)
    compile_s = time.perf_counter() - start
    start = time.perf_counter()
    run(steps)
    seconds = time.perf_counter() - start
    return seconds, compile_s, step_flops(keras_generator, keras_discriminator, batch)


def device_name(framework):
    if framework == "pytorch" or os.environ.get("KERAS_BACKEND") == "torch":
        import torch

        return torch.cuda.get_device_name() if torch.cuda.is_available() else platform.processor() or "cpu"
    import jax

    device = jax.devices()[0]
    return getattr(device, "device_kind", device.platform)


def measure(args):
    import keras

    backend = keras.backend.backend() if args.framework == "gan_zoo" else "torch"
    timer = time_gan_zoo if args.framework == "gan_zoo" else time_pytorch
    device = device_name(args.framework)
    for precision in args.precisions:
        for batch in args.batches:
            try:
                seconds, compile_s, flops = timer(batch, precision, args.warmup, args.steps)
            except Exception as error:  # one setting failing (memory) must not end the run
                row = {"error": f"{type(error).__name__}: {str(error).splitlines()[0][:200]}"}
            else:
                row = {
                    "images_per_s": batch * args.steps / seconds,
                    "step_ms": 1000 * seconds / args.steps,
                    "warmup_s": compile_s,
                    "tflops": flops * args.steps / seconds / 1e12,
                }
            row.update(framework=args.framework, backend=backend, precision=precision,
                       batch=batch, steps=args.steps, device=device)
            print(json.dumps(row), flush=True)
            with open(args.results, "a") as out:
                out.write(json.dumps(row) + "\n")


def table(path):
    rows = [json.loads(line) for line in open(path) if line.strip()]
    reference = {
        (r["precision"], r["batch"]): r["images_per_s"]
        for r in rows
        if r["framework"] == "pytorch" and "images_per_s" in r
    }
    devices = sorted({r["device"] for r in rows})
    lines = [
        f"Device: {', '.join(devices)}. Peaks used: bf16 {PEAKS['bfloat16']} TFLOP/s, "
        f"fp32 {PEAKS['float32']} TFLOP/s (TF32 tensor cores), dense, H100/H200 SXM.",
        "",
        "| framework | backend | precision | batch | images/s | step ms | x plain PyTorch "
        "| model TFLOP/s | % of peak | warm-up s |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        head = f"| {r['framework']} | {r['backend']} | {r['precision']} | {r['batch']} "
        if "error" in r:
            lines.append(head + f"| failed: {r['error']} | | | | | |")
            continue
        base = reference.get((r["precision"], r["batch"]))
        ratio = f"{r['images_per_s'] / base:.2f}" if base else "-"
        peak = 100 * r["tflops"] / PEAKS[r["precision"]]
        lines.append(
            head + f"| {r['images_per_s']:.0f} | {r['step_ms']:.2f} | {ratio} "
            f"| {r['tflops']:.3g} | {peak:.3g} | {r['warmup_s']:.1f} |"
        )
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--framework", choices=["gan_zoo", "pytorch"], default="gan_zoo")
    parser.add_argument("--batches", type=int, nargs="+", default=[64, 256, 1024])
    parser.add_argument("--precisions", nargs="+", choices=list(PRECISIONS), default=list(PRECISIONS))
    parser.add_argument("--warmup", type=int, default=10, help="untimed steps (compilation)")
    parser.add_argument("--steps", type=int, default=50, help="timed steps")
    parser.add_argument("--results", default="gpu_check.jsonl", help="JSON lines appended here")
    parser.add_argument("--table", metavar="JSONL", help="print the Markdown table of a results file")
    args = parser.parse_args()
    if args.table:
        print(table(args.table))
    else:
        measure(args)


if __name__ == "__main__":
    main()
