"""Training speed of the demos' network (lessons/network.py) against PyTorch on the CPU, one core each.

The same task for every row: the 64-64-10 ReLU network on the digits'
1,347 training images, mini-batches of 32 reshuffled every epoch, classical
momentum (``lr = 0.05``, ``momentum = 0.9``) from the same He-normal start,
cross-entropy loss, ``EPOCHS`` epochs; the test accuracy is measured at the
end.  Ours runs ``lessons.network.train`` with a momentum step written inline
with the curriculum's signature; PyTorch runs ``nn.Sequential(Linear, ReLU,
Linear)`` with ``torch.optim.SGD(momentum=0.9)`` in float64 and float32.

``s_per_epoch`` is the median over epochs of the time spent in the training
steps (shuffling included, per-epoch evaluation excluded), best of
``REPEATS`` runs; ``run_s`` is the wall time of the whole best run, with the
per-epoch evaluation of the training loss and accuracy that ``train`` does
(and the PyTorch loop does likewise).  PyTorch uses ``torch.set_num_threads(1)``
and NumPy's BLAS is limited to one thread with threadpoolctl.
"""

from __future__ import annotations

import statistics
import time

import numpy as np

from .timing import load

EPOCHS = 20
REPEATS = 3
BATCH_SIZE = 32
LR, MOMENTUM = 0.05, 0.9
SIZES = (64, 64, 10)


def momentum_step(theta, grad, velocity, *, lr, momentum=0.9):
    """Classical momentum with the curriculum's signature (written here, not taken from the course)."""
    velocity = momentum * velocity - lr * grad
    return theta + velocity, velocity


def _ours(split, seed: int) -> tuple[list[float], float, float]:
    from lessons import network as nw

    net = nw.init_network(SIZES, rng=np.random.default_rng(seed))
    start = time.perf_counter()
    trained, history = nw.train(net, split.X_train, split.y_train, epochs=EPOCHS, batch_size=BATCH_SIZE,
                                optimizer=nw.Optimizer.momentum(momentum_step, lr=LR, momentum=MOMENTUM),
                                rng=np.random.default_rng(seed + 1))
    run_s = time.perf_counter() - start
    return list(history.seconds), run_s, nw.accuracy(trained, split.X_test, split.y_test)


def _torch(split, seed: int, dtype) -> tuple[list[float], float, float]:
    import torch

    from lessons import network as nw

    start_net = nw.init_network(SIZES, rng=np.random.default_rng(seed))  # the same He-normal start as ours
    model = torch.nn.Sequential(torch.nn.Linear(SIZES[0], SIZES[1]), torch.nn.ReLU(),
                                torch.nn.Linear(SIZES[1], SIZES[2])).to(dtype)
    with torch.no_grad():
        for layer, W, b in zip((model[0], model[2]), start_net.weights, start_net.biases):
            layer.weight.copy_(torch.tensor(W.T, dtype=dtype))
            layer.bias.copy_(torch.tensor(b, dtype=dtype))
    opt = torch.optim.SGD(model.parameters(), lr=LR, momentum=MOMENTUM)
    X = torch.tensor(split.X_train, dtype=dtype)
    y = torch.tensor(split.y_train)
    gen = torch.Generator().manual_seed(seed + 1)
    seconds = []
    start = time.perf_counter()
    for _ in range(EPOCHS):
        t0 = time.perf_counter()
        order = torch.randperm(len(y), generator=gen)
        Xs, ys = X[order], y[order]
        for i in range(0, len(y), BATCH_SIZE):
            opt.zero_grad()
            loss = torch.nn.functional.cross_entropy(model(Xs[i:i + BATCH_SIZE]), ys[i:i + BATCH_SIZE])
            loss.backward()
            opt.step()
        seconds.append(time.perf_counter() - t0)
        with torch.no_grad():  # what train() records after each epoch
            logits = model(X)
            float(torch.nn.functional.cross_entropy(logits, y))
            float((logits.argmax(1) == y).double().mean())
    run_s = time.perf_counter() - start
    with torch.no_grad():
        pred = model(torch.tensor(split.X_test, dtype=dtype)).argmax(1).numpy()
    return seconds, run_s, float(np.mean(pred == split.y_test))


def _best(fn, *args) -> tuple[float, float, float]:
    """(median seconds per epoch, wall seconds of the run, test accuracy) of the fastest of REPEATS runs."""
    runs = []
    for repeat in range(REPEATS):
        seconds, run_s, acc = fn(*args, repeat)
        runs.append((statistics.median(seconds), run_s, acc))
    return min(runs)


def run() -> list[dict]:
    """One row per implementation; ``ours_over_this`` is our seconds per epoch over this row's."""
    import torch
    from threadpoolctl import threadpool_limits

    from lessons.data import load_digits

    split = load_digits()
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        with threadpool_limits(limits=1):
            _ours(split, 0)  # warm-up: imports, allocator, BLAS
            _torch(split, 0, torch.float64)
            results = []
            for name, dtype, fn in [
                ("lessons.network.train (NumPy)", "float64", _ours),
                ("torch nn.Sequential + optim.SGD", "float64", lambda s, r: _torch(s, r, torch.float64)),
                ("torch nn.Sequential + optim.SGD", "float32", lambda s, r: _torch(s, r, torch.float32)),
            ]:
                before = load()
                results.append((name, dtype, _best(fn, split), before, load()))
    finally:
        torch.set_num_threads(threads)
    ours = results[0][2][0]
    what = (f"{'-'.join(map(str, SIZES))} ReLU, digits ({len(split.y_train)} train), batch {BATCH_SIZE}, "
            f"momentum SGD lr={LR}, {EPOCHS} epochs, 1 thread, best of {REPEATS}")
    return [{"implementation": name, "dtype": dtype, "s_per_epoch": float(s_epoch), "run_s": float(run_s),
             "test_accuracy": float(acc), "ours_over_this": float(ours / s_epoch), "measured": what,
             "load_before": before, "load_after": after}
            for name, dtype, (s_epoch, run_s, acc), before, after in results]
