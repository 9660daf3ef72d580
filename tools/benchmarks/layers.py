"""`bench.py layers`: peak memory of MinibatchDiscrimination's two forms.

This is a benchmark, not a test: it prints numbers and asserts nothing.

`gan_zoo.layers.MinibatchDiscrimination` compares every pair of samples of a
batch of N in B kernels of C channels. The naive form
(`memory_efficient=False`) does it through one N x N x B x C tensor; the
default form compares the rows in C blocks of ceil(N / C) samples, one block
after the other (`keras.ops.map`), each recomputed in the backward pass
(`keras.remat`). Both give the same output.

For each form and for the forward pass alone and forward + backward
(gradients with respect to the input features and the kernel, of the sum of
the outputs), it reports:

- XLA (JAX backend): the temporary buffers of the compiled program, from
  `jax.jit(f).lower(...).compile().memory_analysis().temp_size_in_bytes`
  (inputs and outputs excluded). This is what a compiled train step on JAX
  (and, with the same compiler, TensorFlow's XLA) allocates.
- eager (torch backend): the peak of the bytes allocated during the call,
  from the torch profiler's allocation events (`profile_memory=True`) taken
  in time order; inputs (allocated before) are excluded, outputs included.

Keras reads `KERAS_BACKEND` once per process, so without `--backend` it
runs one subprocess per backend:

    python tools/bench.py layers                  # N=256, B=100, C=5, A=64
    python tools/bench.py layers --backend jax    # one backend, this process
"""

from benchmarks import common


def add_arguments(p):
    p.add_argument("--batch", type=int, default=256, help="N (default 256)")
    p.add_argument("--num-kernels", type=int, default=100, help="B (default 100)")
    p.add_argument("--kernel-dim", type=int, default=5, help="C (default 5)")
    p.add_argument("--features", type=int, default=64, help="A (default 64)")


def _layer_and_inputs(args, memory_efficient):
    import keras
    import numpy as np

    from gan_zoo.layers import MinibatchDiscrimination

    layer = MinibatchDiscrimination(
        num_kernels=args.num_kernels,
        kernel_dim=args.kernel_dim,
        memory_efficient=memory_efficient,
    )
    layer.build((args.batch, args.features))
    x = np.random.default_rng(0).normal(size=(args.batch, args.features))
    return layer, keras.ops.convert_to_tensor(x.astype("float32"))


def _temp_bytes(compiled):
    return compiled.memory_analysis().temp_size_in_bytes


def measure_jax(args):
    import jax
    import jax.numpy as jnp

    rows = {}
    for memory_efficient in (False, True):
        layer, x = _layer_and_inputs(args, memory_efficient)
        kernel = layer.kernel.value

        def forward(kernel, x, layer=layer):
            outputs, _ = layer.stateless_call([kernel], [], x)
            return outputs

        def total(kernel, x, forward=forward):
            return jnp.sum(forward(kernel, x))

        backward = jax.grad(total, argnums=(0, 1))
        rows[memory_efficient] = {
            name: _temp_bytes(jax.jit(fn).lower(kernel, x).compile())
            for name, fn in (("forward", forward), ("forward+backward", backward))
        }
    return rows


def measure_torch(args):
    import torch
    from torch.profiler import ProfilerActivity, profile

    def peak_bytes(fn):
        with profile(activities=[ProfilerActivity.CPU], profile_memory=True) as prof:
            fn()
        current = peak = 0
        for event in sorted(prof.events(), key=lambda e: e.time_range.start):
            current += event.self_cpu_memory_usage
            peak = max(peak, current)
        return peak

    rows = {}
    for memory_efficient in (False, True):
        layer, x = _layer_and_inputs(args, memory_efficient)
        x = x.detach().requires_grad_(True)
        kernel = layer.kernel.value

        def forward(layer=layer, x=x):
            with torch.no_grad():
                layer(x)

        def backward(layer=layer, x=x, kernel=kernel):
            torch.autograd.grad(layer(x).sum(), [x, kernel])

        forward(), backward()  # warm-up
        rows[memory_efficient] = {
            "forward": peak_bytes(forward),
            "forward+backward": peak_bytes(backward),
        }
    return rows


def run_one(args):
    measure = {"jax": measure_jax, "torch": measure_torch}[args.backend]
    return {str(k): v for k, v in measure(args).items()}


def _mb(n):
    return f"{n / 1e6:8.1f} MB"


def print_table(args, results):
    n, b, c = args.batch, args.num_kernels, args.kernel_dim
    print(
        f"MinibatchDiscrimination, N={n}, B={b}, C={c}, A={args.features}, float32. "
        f"One N*N*B*C tensor: {_mb(4 * n * n * b * c).strip()}; "
        f"one N*N*B tensor: {_mb(4 * n * n * b).strip()}."
    )
    labels = {
        "jax": "XLA (jax, compiled temp buffers)",
        "torch": "eager (torch, peak allocated)",
    }
    header = ("backend / mode", "pass", "naive", "blocks", "ratio")
    print("{:36s} {:18s} {:>11s} {:>11s} {:>7s}".format(*header))
    for backend, rows in results.items():
        if isinstance(rows, str):
            print(f"{labels[backend]:36s} n/a: {rows}")
            continue
        for name in ("forward", "forward+backward"):
            naive, blocks = rows["False"][name], rows["True"][name]
            ratio = f"{naive / blocks:7.1f}" if blocks else "    inf"
            cells = (labels[backend], name, _mb(naive), _mb(blocks), ratio)
            print("{:36s} {:18s} {:>11s} {:>11s} {}".format(*cells))


def main(args, argv):
    if args.backend:
        results = {args.backend: run_one(args)}
        if args.machine_readable:
            common.emit(results)
            return results
    else:
        results = {}
        for backend in ("jax", "torch"):
            rows, failures = common.run_backends("layers", argv, [backend], args.timeout)
            results[backend] = rows[-1][backend] if rows else (failures or ["failed"])[-1]
    print_table(args, results)
    return results
