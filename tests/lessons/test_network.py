"""Tests of lessons/network.py, the demos' network, against independent oracles.

Oracles: central finite differences of the objective (with and without a
penalty, with a fixed dropout mask); PyTorch autograd in double precision
(``torch.nn.functional``) for the logits, hidden pre-activations, loss and
every layer's gradient, and ``torch.optim.SGD(momentum=...)`` for a whole
training run; recording step functions for the optimizer adapters; the closed
forms of the penalties, of He initialization and of the curriculum's update
rules, written in this file. Nothing expected is taken from the module's own
output.
"""

from __future__ import annotations

import functools
import math

import numpy as np
import pytest

from lessons import network as nw
from lessons.data import load_digits
from lessons.sigmoid import stable_sigmoid
from tests import oracles

from .stubs import stub

pytestmark = pytest.mark.project

# --------------------------------------------------------------------------- closed forms written here


def tanh_grad(x):
    return 1.0 - np.tanh(x) ** 2


def sigmoid_grad(x):
    s = stable_sigmoid(x)
    return s * (1.0 - s)


def l2_penalty(weights, *, lam):
    return lam / 2 * sum(float(np.sum(W ** 2)) for W in weights)


def l2_penalty_grad(W, *, lam):
    return lam * W


def l1_penalty(weights, *, lam):
    return lam * sum(float(np.sum(np.abs(W))) for W in weights)


def l1_penalty_grad(W, *, lam):
    return lam * np.sign(W)


def fixed_mask(shape, p):
    """A mask that does not depend on the rng: every third unit dropped, the rest scaled by 1 / (1 - p)."""
    keep = (np.arange(math.prod(shape)).reshape(shape) % 3) != 0
    return np.where(keep, 1.0 / (1.0 - p), 0.0)


def fixed_dropout_forward(x, *, p, rng, train=True):
    mask = fixed_mask(x.shape, p) if train else np.ones(x.shape)
    return x * mask, mask


def dropout_backward(dout, mask):
    return dout * mask


def momentum_step(theta, grad, velocity, *, lr, momentum=0.9):
    velocity = momentum * velocity - lr * grad
    return theta + velocity, velocity


def adam_step(theta, grad, m, v, t, *, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad ** 2
    return theta - lr * (m / (1 - beta1 ** t)) / (np.sqrt(v / (1 - beta2 ** t)) + eps), m, v


def tiny_problem(sizes, n_samples=7, seed=0, activation=np.tanh, activation_grad=tanh_grad):
    rng = np.random.default_rng(seed)
    net = nw.init_network(sizes, rng=rng, activation=activation, activation_grad=activation_grad)
    # non-zero biases, so their gradients are tested away from the starting point
    net = net.with_theta(net.theta + 0.3 * rng.normal(size=net.n_params))
    X = rng.normal(size=(n_samples, sizes[0]))
    y = rng.integers(0, sizes[-1], size=n_samples)
    return net, X, y


PENALTIES = {
    "none": None,
    "l2": nw.Penalty(l2_penalty, l2_penalty_grad, lam=0.3),
    "l1": nw.Penalty(l1_penalty, l1_penalty_grad, lam=0.2),
}


# --------------------------------------------------------------------------- gradients

@pytest.mark.parametrize("sizes", [(4, 3), (3, 5, 4), (3, 5, 4, 3)])
@pytest.mark.parametrize("penalty", list(PENALTIES))
@pytest.mark.parametrize("with_dropout", [False, True])
def test_gradient_matches_finite_differences(sizes, penalty, with_dropout):
    net, X, y = tiny_problem(sizes)
    dropout = nw.Dropout(fixed_dropout_forward, dropout_backward, p=0.4) if with_dropout else None
    kwargs = dict(penalty=PENALTIES[penalty], dropout=dropout, rng=np.random.default_rng(1))
    value, grad = nw.loss_and_grad(net, X, y, **kwargs)
    numeric = oracles.numerical_grad(lambda th: nw.loss_and_grad(net.with_theta(th), X, y, **kwargs)[0],
                                     net.theta)
    assert isinstance(value, float)
    assert grad.shape == (net.n_params,)
    np.testing.assert_allclose(grad, numeric, rtol=1e-6, atol=1e-8)


def test_penalty_gradient_touches_the_weights_only():
    net, X, y = tiny_problem((3, 5, 4))
    lam = 0.7
    _, plain = nw.loss_and_grad(net, X, y)
    value, penalized = nw.loss_and_grad(net, X, y, penalty=nw.Penalty(l2_penalty, l2_penalty_grad, lam=lam))
    diff_w, diff_b = nw.split(net.sizes, penalized - plain)
    for dW, W in zip(diff_w, net.weights):
        np.testing.assert_allclose(dW, lam * W, atol=1e-12)
    for db in diff_b:
        np.testing.assert_array_equal(db, 0.0)
    assert value == pytest.approx(nw.loss_and_grad(net, X, y)[0] + lam / 2 * sum(np.sum(W ** 2) for W in net.weights))


def _torch_run(net, X, y, activation, lam=0.0, mask_p=None):
    torch = oracles.torch()
    F = torch.nn.functional
    Ws = [torch.tensor(np.array(W), requires_grad=True) for W in net.weights]
    bs = [torch.tensor(np.array(b), requires_grad=True) for b in net.biases]
    h = torch.tensor(X)
    zs = []
    for i, (W, b) in enumerate(zip(Ws, bs)):
        # F.linear takes the weight as (fan_out, fan_in), PyTorch's layout
        z = F.linear(h, W.T, b)
        if i == len(Ws) - 1:
            break
        zs.append(z)
        h = activation(z)
        if mask_p is not None:
            h = h * torch.tensor(fixed_mask(tuple(h.shape), mask_p))
    loss = F.cross_entropy(z, torch.tensor(y))
    if lam:
        loss = loss + lam / 2 * sum((W ** 2).sum() for W in Ws)
    loss.backward()
    grads = [W.grad.numpy() for W in Ws], [b.grad.numpy() for b in bs]
    return z.detach().numpy(), [t.detach().numpy() for t in zs], float(loss.detach()), grads


@pytest.mark.parametrize("act", ["relu", "sigmoid"])
@pytest.mark.parametrize("lam", [0.0, 0.05])
@pytest.mark.parametrize("with_dropout", [False, True])
def test_forward_loss_and_gradients_match_torch_autograd(act, lam, with_dropout):
    torch = oracles.torch()
    activation, activation_grad, torch_act = {
        "relu": (nw.relu, nw.relu_grad, torch.relu),
        "sigmoid": (stable_sigmoid, sigmoid_grad, torch.sigmoid),
    }[act]
    net, X, y = tiny_problem((5, 7, 6, 4), n_samples=11, seed=3, activation=activation,
                             activation_grad=activation_grad)
    p = 0.25 if with_dropout else None
    logits_t, zs_t, loss_t, (gW_t, gb_t) = _torch_run(net, X, y, torch_act, lam=lam, mask_p=p)

    logits, hidden = nw.forward(net, X, return_hidden=True)
    if not with_dropout:
        np.testing.assert_allclose(logits, logits_t, rtol=1e-12, atol=1e-12)
        for z, z_t in zip(hidden.pre_activations, zs_t):
            np.testing.assert_allclose(z, z_t, rtol=1e-12, atol=1e-12)
    penalty = nw.Penalty(l2_penalty, l2_penalty_grad, lam=lam) if lam else None
    dropout = nw.Dropout(fixed_dropout_forward, dropout_backward, p=p) if with_dropout else None
    value, grad = nw.loss_and_grad(net, X, y, penalty=penalty, dropout=dropout, rng=np.random.default_rng(0))
    assert value == pytest.approx(loss_t, rel=1e-12)
    gW, gb = nw.split(net.sizes, grad)
    for a, b in zip(gW + gb, gW_t + gb_t):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)


def test_training_run_matches_torch_sgd_with_momentum():
    """Full-batch steps: our classical momentum with velocity v equals torch's with buffer b = -v / lr."""
    torch = oracles.torch()
    net, X, y = tiny_problem((6, 8, 5, 3), n_samples=20, seed=5, activation=nw.relu, activation_grad=nw.relu_grad)
    lr, mu, epochs = 0.2, 0.9, 15
    trained, history = nw.train(net, X, y, epochs=epochs, batch_size=len(y), rng=np.random.default_rng(0),
                                optimizer=nw.Optimizer.momentum(momentum_step, lr=lr, momentum=mu))
    params = [torch.tensor(np.array(a), requires_grad=True) for pair in zip(net.weights, net.biases) for a in pair]
    opt = torch.optim.SGD(params, lr=lr, momentum=mu)
    Xt, yt = torch.tensor(X), torch.tensor(y)
    for _ in range(epochs):
        opt.zero_grad()
        h = Xt
        for i in range(0, len(params), 2):
            h = h @ params[i] + params[i + 1]
            if i < len(params) - 2:
                h = torch.relu(h)
        loss = torch.nn.functional.cross_entropy(h, yt)
        loss.backward()
        opt.step()
    expected = np.concatenate([p.detach().numpy().ravel() for p in params])
    np.testing.assert_allclose(trained.theta, expected, rtol=1e-9, atol=1e-12)
    assert history.n_epochs == epochs


# --------------------------------------------------------------------------- the course's defaults

def test_default_relu_and_its_gradient():
    x = np.array([-2.0, -0.0, 0.0, 1e-300, 3.0])
    np.testing.assert_array_equal(nw.relu(x), [0.0, 0.0, 0.0, 1e-300, 3.0])
    np.testing.assert_array_equal(nw.relu_grad(x), [0.0, 0.0, 0.0, 1.0, 1.0])


def test_default_cross_entropy_is_stable_and_matches_torch():
    torch = oracles.torch()
    rng = np.random.default_rng(0)
    logits = rng.normal(size=(6, 4)) * np.array([[1.0], [10.0], [1e3], [1e4], [-1e4], [1.0]])
    y = np.array([0, 1, 2, 3, 0, 3])
    z = torch.tensor(logits, requires_grad=True)
    loss = torch.nn.functional.cross_entropy(z, torch.tensor(y))
    loss.backward()
    assert nw.softmax_cross_entropy(logits, y) == pytest.approx(float(loss.detach()), rel=1e-12)
    np.testing.assert_allclose(nw.softmax_cross_entropy_grad(logits, y), z.grad.numpy(), atol=1e-15)


def test_default_he_normal_has_the_right_shape_and_spread():
    fan_in, fan_out = 64, 500
    W = nw.he_normal(fan_in, fan_out, rng=np.random.default_rng(0))
    assert W.shape == (fan_in, fan_out)
    sigma2, n = 2.0 / fan_in, W.size
    # mean and second moment within 5 standard errors of the normal's
    assert abs(W.mean()) < 5 * math.sqrt(sigma2 / n)
    assert abs(np.mean(W ** 2) - sigma2) < 5 * sigma2 * math.sqrt(2.0 / n)


def test_default_minibatches_cover_every_sample_once_with_a_new_order_each_call():
    X = np.arange(20.0).reshape(10, 2)
    y = np.arange(10)
    rng = np.random.default_rng(0)
    first = nw.minibatches(X, y, 4, rng=rng)
    second = nw.minibatches(X, y, 4, rng=rng)
    assert [len(yb) for _, yb in first] == [4, 4, 2]
    order = np.concatenate([yb for _, yb in first])
    assert sorted(order) == list(range(10))
    for Xb, yb in first:
        np.testing.assert_array_equal(Xb, X[yb])
    assert not np.array_equal(order, np.concatenate([yb for _, yb in second]))


def test_default_sgd_step():
    np.testing.assert_allclose(nw.sgd_step(np.array([1.0, 2.0]), np.array([0.5, -1.0]), lr=0.1), [0.95, 2.1])


# --------------------------------------------------------------------------- the optimizer adapters

class Recorder:
    """A step function that records what it receives and returns new, distinct state values."""

    def __init__(self, n_state, nesterov=False, adam=False):
        self.calls = []
        self.n_state, self.nesterov, self.adam = n_state, nesterov, adam
        self.__name__ = "recorder_step"

    def __call__(self, theta, grad, *rest, **hp):
        if self.nesterov:
            grad = grad(theta + 0.5)  # a look-ahead point
        state = rest[:self.n_state]
        extra = rest[self.n_state:]
        self.calls.append(dict(theta=theta.copy(), grad=np.array(grad), state=[s.copy() for s in state],
                               extra=extra, hp=hp))
        k = len(self.calls)
        new_theta = theta - 0.1 * grad
        new_state = tuple(s + 10.0 * k + i for i, s in enumerate(state))
        return (new_theta,) + new_state if self.n_state else new_theta


ADAPTERS = {
    "sgd": (lambda f: nw.Optimizer.sgd(f, lr=0.3), 0, {"lr": 0.3}),
    "momentum": (lambda f: nw.Optimizer.momentum(f, lr=0.3, momentum=0.8), 1, {"lr": 0.3, "momentum": 0.8}),
    "ema_momentum": (lambda f: nw.Optimizer.ema_momentum(f, lr=0.3, beta=0.7), 1, {"lr": 0.3, "beta": 0.7}),
    "nesterov": (lambda f: nw.Optimizer.nesterov(f, lr=0.3), 1, {"lr": 0.3, "momentum": 0.9}),
    "adagrad": (lambda f: nw.Optimizer.adagrad(f), 1, {"lr": 0.01, "eps": 1e-7}),
    "rmsprop": (lambda f: nw.Optimizer.rmsprop(f, rho=0.8), 1, {"lr": 0.001, "rho": 0.8, "eps": 1e-7}),
    "adam": (lambda f: nw.Optimizer.adam(f, lr=0.01), 2, {"lr": 0.01, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8}),
}


@pytest.mark.parametrize("kind", list(ADAPTERS))
def test_adapter_passes_state_and_hyperparameters_and_carries_the_state(kind):
    make, n_state, hp = ADAPTERS[kind]
    recorder = Recorder(n_state, nesterov=kind == "nesterov", adam=kind == "adam")
    opt = make(recorder)
    theta = np.array([1.0, -2.0, 3.0])
    state = opt.init(theta)
    evaluated = []

    def grad_fn(point):
        evaluated.append(point.copy())
        return 2.0 * point

    for step in range(1, 4):
        before = theta.copy()
        theta, state = opt.update(theta, state, grad_fn)
        call = recorder.calls[-1]
        assert call["hp"] == hp
        assert len(evaluated) == step, "grad_fn is called exactly once per step"
        expected_point = before + 0.5 if kind == "nesterov" else before
        np.testing.assert_array_equal(evaluated[-1], expected_point)
        np.testing.assert_array_equal(call["grad"], 2.0 * expected_point)
        np.testing.assert_array_equal(theta, before - 0.1 * call["grad"])
        # the state received is the one returned by the previous call (zeros before the first)
        for i, s in enumerate(call["state"]):
            expected = 0.0 if step == 1 else sum(10.0 * k + i for k in range(1, step))
            np.testing.assert_array_equal(s, np.full(3, expected))
        if kind == "adam":
            assert call["extra"] == (step,), "t is 1 at the first call and grows by one"
        else:
            assert call["extra"] == ()


def test_adapters_through_train_carry_state_across_batches_and_epochs():
    recorder = Recorder(2, adam=True)
    net, X, y = tiny_problem((3, 4, 2), n_samples=10)
    nw.train(net, X, y, epochs=3, batch_size=4, optimizer=nw.Optimizer.adam(recorder),
             rng=np.random.default_rng(0))
    assert len(recorder.calls) == 3 * 3
    assert [c["extra"][0] for c in recorder.calls] == list(range(1, 10))
    for k, call in enumerate(recorder.calls[1:], start=1):
        prev = recorder.calls[k - 1]
        np.testing.assert_allclose(call["state"][0], prev["state"][0] + 10.0 * k)
        np.testing.assert_allclose(call["state"][1], prev["state"][1] + 10.0 * k + 1)


def test_train_with_nesterov_gives_the_gradient_of_the_current_batch_at_the_look_ahead_point():
    net, X, y = tiny_problem((3, 4, 2), n_samples=6)
    seen = []

    def nesterov_step(theta, grad_fn, velocity, *, lr, momentum=0.9):
        point = theta + momentum * velocity
        grad = grad_fn(point)
        seen.append((point, grad))
        velocity = momentum * velocity - lr * grad
        return theta + velocity, velocity

    nw.train(net, X, y, epochs=3, batch_size=6, optimizer=nw.Optimizer.nesterov(nesterov_step, lr=0.1),
             rng=np.random.default_rng(0))
    for point, grad in seen:  # one batch holding every sample: the full-data gradient at the point
        np.testing.assert_allclose(grad, nw.loss_and_grad(net.with_theta(point), X, y)[1], rtol=1e-12)
    assert not np.allclose(seen[1][0], seen[2][0])


@pytest.mark.parametrize("bad, message", [
    (lambda theta, grad, velocity, *, lr, momentum: theta - lr * grad, "must return (theta, velocity)"),
    (lambda theta, grad, velocity, *, lr, momentum: (theta[:2], velocity), "shape"),
])
def test_a_step_that_returns_the_wrong_thing_gets_a_clear_error(bad, message):
    net, X, y = tiny_problem((3, 4, 2))
    with pytest.raises((TypeError, ValueError), match=message.replace("(", r"\(").replace(")", r"\)")):
        nw.train(net, X, y, epochs=1, batch_size=4, optimizer=nw.Optimizer.momentum(bad, lr=0.1),
                 rng=np.random.default_rng(0))


# --------------------------------------------------------------------------- training on the digits

@pytest.fixture(scope="module")
def digits():
    return load_digits()


@pytest.mark.parametrize("name, optimizer, epochs", [
    ("momentum", nw.Optimizer.momentum(momentum_step, lr=0.05, momentum=0.9), 20),
    ("adam", nw.Optimizer.adam(adam_step, lr=0.003), 20),
    ("plain sgd (default)", nw.Optimizer.sgd(lr=0.1), 30),
])
def test_default_network_reaches_95_percent_on_the_digits(digits, name, optimizer, epochs):
    net = nw.init_network((64, 64, 10), rng=np.random.default_rng(0))
    trained, history = nw.train(net, digits.X_train, digits.y_train, epochs=epochs, batch_size=32,
                                optimizer=optimizer, rng=np.random.default_rng(1),
                                X_val=digits.X_test, y_val=digits.y_test)
    assert nw.accuracy(trained, digits.X_test, digits.y_test) >= 0.95, name
    assert history.val_accuracy[-1] == nw.accuracy(trained, digits.X_test, digits.y_test)
    assert history.train_loss[-1] < 0.2 * history.train_loss[0]


def test_softmax_regression_without_hidden_layer(digits):
    net = nw.init_network((64, 10), rng=np.random.default_rng(0))
    trained, history = nw.train(net, digits.X_train, digits.y_train, epochs=20, batch_size=32,
                                optimizer=nw.Optimizer.sgd(lr=0.5), rng=np.random.default_rng(1))
    assert nw.accuracy(trained, digits.X_test, digits.y_test) >= 0.9
    assert history.grad_norms.shape == (20, 1)


def test_history_records_every_epoch(digits):
    X, y = digits.X_train[:200], digits.y_train[:200]
    net = nw.init_network((64, 16, 12, 10), rng=np.random.default_rng(0))
    trained, h = nw.train(net, X, y, epochs=4, batch_size=50, optimizer=nw.Optimizer.sgd(lr=0.1),
                          rng=np.random.default_rng(1), X_val=digits.X_test, y_val=digits.y_test)
    for a in (h.train_loss, h.train_accuracy, h.val_loss, h.val_accuracy, h.batch_loss, h.seconds):
        assert a.shape == (4,)
    assert h.step_loss.shape == (16,)
    np.testing.assert_allclose(h.batch_loss, h.step_loss.reshape(4, 4).mean(axis=1))
    assert h.grad_norms.shape == (4, 3) and np.all(h.grad_norms > 0)
    assert h.train_loss[-1] == pytest.approx(nw.loss_and_grad(trained, X, y)[0])
    assert h.val_loss[-1] == pytest.approx(nw.loss_and_grad(trained, digits.X_test, digits.y_test)[0])
    assert h.train_accuracy[-1] == nw.accuracy(trained, X, y)
    no_val = nw.train(net, X, y, epochs=1, batch_size=50, optimizer=nw.Optimizer.sgd(lr=0.1),
                      rng=np.random.default_rng(1))[1]
    assert no_val.val_loss is None and no_val.val_accuracy is None


def test_grad_norms_of_one_full_batch_step_are_the_layer_norms_at_the_start():
    net, X, y = tiny_problem((3, 5, 4, 2), n_samples=9)
    _, h = nw.train(net, X, y, epochs=1, batch_size=9, optimizer=nw.Optimizer.sgd(lr=0.1),
                    rng=np.random.default_rng(0))
    grad_w, _ = nw.split(net.sizes, nw.loss_and_grad(net, X, y)[1])
    np.testing.assert_allclose(h.grad_norms[0], [np.linalg.norm(g) for g in grad_w], rtol=1e-12)
    assert h.step_loss[0] == pytest.approx(nw.loss_and_grad(net, X, y)[0])


def test_training_is_deterministic_given_the_rng(digits):
    X, y = digits.X_train[:300], digits.y_train[:300]
    dropout = nw.Dropout(_random_dropout, dropout_backward, p=0.3)

    def run(seed):
        net = nw.init_network((64, 20, 10), rng=np.random.default_rng(seed))
        return nw.train(net, X, y, epochs=3, batch_size=16, optimizer=nw.Optimizer.sgd(lr=0.1),
                        dropout=dropout, rng=np.random.default_rng(seed + 1))

    (a, ha), (b, hb), (c, _) = run(0), run(0), run(1)
    np.testing.assert_array_equal(a.theta, b.theta)
    for field in ("train_loss", "batch_loss", "step_loss", "grad_norms"):
        np.testing.assert_array_equal(getattr(ha, field), getattr(hb, field))
    assert not np.array_equal(a.theta, c.theta)


def _random_dropout(x, *, p, rng, train=True):
    if not train:
        return x.copy(), np.ones(x.shape)
    mask = (rng.random(x.shape) >= p) / (1.0 - p)
    return x * mask, mask


def test_inputs_are_never_modified_and_read_only_inputs_work(digits):
    X, y = digits.X_train[:100].copy(), digits.y_train[:100].copy()
    X_val, y_val = digits.X_test[:50].copy(), digits.y_test[:50].copy()
    for a in (X, y, X_val, y_val):
        a.flags.writeable = False
    copies = [a.copy() for a in (X, y, X_val, y_val)]
    net = nw.init_network((64, 8, 10), rng=np.random.default_rng(0))
    theta0 = net.theta.copy()
    trained, _ = nw.train(net, X, y, epochs=2, batch_size=10, rng=np.random.default_rng(0),
                          optimizer=nw.Optimizer.momentum(momentum_step, lr=0.1),
                          penalty=nw.Penalty(l2_penalty, l2_penalty_grad, lam=1e-3),
                          dropout=nw.Dropout(_random_dropout, dropout_backward, p=0.2),
                          X_val=X_val, y_val=y_val)
    nw.loss_and_grad(net, X, y)
    nw.forward(net, X, return_hidden=True)
    nw.accuracy(net, X, y)
    for a, c in zip((X, y, X_val, y_val), copies):
        np.testing.assert_array_equal(a, c)
    np.testing.assert_array_equal(net.theta, theta0)
    assert not net.theta.flags.writeable and not trained.weights[0].flags.writeable


def test_a_function_writing_into_its_argument_fails_loudly_instead_of_corrupting_data(digits):
    X, y = digits.X_train[:40].copy(), digits.y_train[:40].copy()
    copies = X.copy(), y.copy()

    def shuffle_in_place(X, y, batch_size, *, rng):
        rng.shuffle(X)
        return [(X, y)]

    def relu_in_place(x):
        x[x < 0] = 0.0
        return x

    net = nw.init_network((64, 8, 10), rng=np.random.default_rng(0))
    with pytest.raises(ValueError, match="read-only"):
        nw.train(net, X, y, epochs=1, batch_size=8, optimizer=nw.Optimizer.sgd(lr=0.1),
                 rng=np.random.default_rng(0), minibatches=shuffle_in_place)
    with pytest.raises(ValueError, match="read-only"):
        nw.forward(nw.Network(net.sizes, net.theta, relu_in_place, nw.relu_grad), X)
    np.testing.assert_array_equal(X, copies[0])
    np.testing.assert_array_equal(y, copies[1])


# --------------------------------------------------------------------------- the student's parts are used

def test_the_given_minibatches_function_is_called_once_per_epoch_with_the_rng():
    net, X, y = tiny_problem((3, 4, 2), n_samples=10)
    calls = []
    rng = np.random.default_rng(0)

    def my_minibatches(X, y, batch_size, *, rng=None):
        calls.append((X.shape, y.shape, batch_size, rng))
        return [(X[:5], y[:5]), (X[5:], y[5:])]

    _, h = nw.train(net, X, y, epochs=3, batch_size=5, optimizer=nw.Optimizer.sgd(lr=0.1), rng=rng,
                    minibatches=my_minibatches)
    assert calls == [((10, 3), (10,), 5, rng)] * 3
    assert h.step_loss.shape == (6,)


def test_dropout_is_used_in_training_only():
    net, X, y = tiny_problem((3, 6, 5, 2), n_samples=8)
    calls = []

    def recording_dropout(x, *, p, rng, train=True):
        calls.append((x.shape, p, train))
        return fixed_dropout_forward(x, p=p, rng=rng, train=train)

    dropout = nw.Dropout(recording_dropout, dropout_backward, p=0.5)
    trained, h = nw.train(net, X, y, epochs=2, batch_size=4, optimizer=nw.Optimizer.sgd(lr=0.1),
                          rng=np.random.default_rng(0), dropout=dropout, X_val=X, y_val=y)
    # two hidden layers, two batches, two epochs; evaluation (history, predict) never drops
    assert calls == [((4, 6), 0.5, True), ((4, 5), 0.5, True)] * 4
    nw.predict(trained, X)
    assert len(calls) == 8
    assert h.val_loss[-1] == pytest.approx(nw.loss_and_grad(trained, X, y)[0])


def test_forward_with_dropout_is_one_training_pass_and_returns_the_masks():
    net, X, _ = tiny_problem((3, 6, 5, 2), n_samples=8)
    dropout = nw.Dropout(fixed_dropout_forward, dropout_backward, p=0.5)
    logits, hidden = nw.forward(net, X, return_hidden=True, dropout=dropout, rng=np.random.default_rng(0))
    assert [m.shape for m in hidden.masks] == [(8, 6), (8, 5)]
    h = X
    for W, b, mask in zip(net.weights[:-1], net.biases[:-1], hidden.masks):
        h = np.tanh(h @ W + b) * mask
    np.testing.assert_allclose(logits, h @ net.weights[-1] + net.biases[-1], rtol=1e-12)
    with pytest.raises(TypeError, match="rng"):
        nw.forward(net, X, dropout=dropout)
    probs = nw.predict_proba(net, X, dropout=dropout, rng=np.random.default_rng(0))
    np.testing.assert_allclose(probs, np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True), rtol=1e-12)
    evaluation = nw.predict_proba(net, X)
    np.testing.assert_allclose(evaluation.sum(axis=1), 1.0, rtol=1e-12)
    np.testing.assert_array_equal(nw.predict(net, X), evaluation.argmax(axis=1))


def test_zero_initialization_never_breaks_symmetry(digits):
    """Lesson 04's demo: from zeros, every hidden unit of a layer computes the same thing forever."""
    zeros = lambda fan_in, fan_out, *, rng: np.zeros((fan_in, fan_out))  # noqa: E731
    net = nw.init_network((64, 16, 10), rng=np.random.default_rng(0), initializer=zeros,
                          activation=stable_sigmoid, activation_grad=sigmoid_grad)
    trained, _ = nw.train(net, digits.X_train[:200], digits.y_train[:200], epochs=3, batch_size=20,
                          optimizer=nw.Optimizer.sgd(lr=0.5), rng=np.random.default_rng(1))
    W1 = trained.weights[0]
    assert np.ptp(W1) > 0, "the first layer did learn something"
    np.testing.assert_allclose(W1, np.repeat(W1[:, :1], 16, axis=1), atol=1e-14)
    _, hidden = nw.forward(trained, digits.X_test, return_hidden=True)
    a = hidden.activations[0]
    np.testing.assert_allclose(a, np.repeat(a[:, :1], 16, axis=1), atol=1e-14)


def test_init_network_uses_the_initializer_for_every_layer_and_zero_biases():
    calls = []

    def init(fan_in, fan_out, *, rng):
        calls.append((fan_in, fan_out))
        return np.full((fan_in, fan_out), float(len(calls)))

    net = nw.init_network((5, 4, 3, 2), rng=np.random.default_rng(0), initializer=init)
    assert calls == [(5, 4), (4, 3), (3, 2)]
    for k, W in enumerate(net.weights, start=1):
        np.testing.assert_array_equal(W, k)
    assert all(np.all(b == 0) for b in net.biases)
    assert net.n_params == 5 * 4 + 4 + 4 * 3 + 3 + 3 * 2 + 2


def test_callback_sees_each_epoch_and_can_stop_training():
    net, X, y = tiny_problem((3, 4, 2), n_samples=10)
    seen = []

    def callback(epoch, current, history):
        seen.append((epoch, history.n_epochs, current.theta.copy()))
        return epoch == 2

    trained, h = nw.train(net, X, y, epochs=10, batch_size=5, optimizer=nw.Optimizer.sgd(lr=0.1),
                          rng=np.random.default_rng(0), callback=callback)
    assert [(e, n) for e, n, _ in seen] == [(0, 1), (1, 2), (2, 3)]
    assert h.n_epochs == 3
    np.testing.assert_array_equal(seen[-1][2], trained.theta)


# --------------------------------------------------------------------------- stubs and errors

def _stubbed_runs():
    loss = nw.Loss(nw.softmax_cross_entropy, nw.softmax_cross_entropy_grad)
    return {
        "initializer": dict(init=dict(initializer=stub("he_normal"))),
        "activation": dict(init=dict(activation=stub("relu"))),
        "activation_grad": dict(init=dict(activation_grad=stub("relu_grad"))),
        "step": dict(optimizer=nw.Optimizer.momentum(stub("momentum_step"), lr=0.1)),
        "nesterov": dict(optimizer=nw.Optimizer.nesterov(stub("nesterov_step"), lr=0.1)),
        "adam": dict(optimizer=nw.Optimizer.adam(stub("adam_step"))),
        "loss": dict(loss=nw.Loss(stub("softmax_cross_entropy"), loss.grad)),
        "loss_grad": dict(loss=nw.Loss(loss.value, stub("softmax_cross_entropy_grad"))),
        "penalty": dict(penalty=nw.Penalty(stub("l2_penalty"), l2_penalty_grad, lam=0.1)),
        "penalty_grad": dict(penalty=nw.Penalty(l2_penalty, stub("l2_penalty_grad"), lam=0.1)),
        "dropout_forward": dict(dropout=nw.Dropout(stub("dropout_forward"), dropout_backward, p=0.5)),
        "dropout_backward": dict(dropout=nw.Dropout(_random_dropout, stub("dropout_backward"), p=0.5)),
        "minibatches": dict(minibatches=stub("minibatches")),
    }


@pytest.mark.parametrize("part", list(_stubbed_runs()))
def test_a_stub_raises_not_implemented_error_unchanged(part):
    run = _stubbed_runs()[part]
    rng = np.random.default_rng(0)
    X = rng.normal(size=(6, 3))
    y = rng.integers(0, 2, size=6)
    with pytest.raises(NotImplementedError, match="is not implemented yet"):
        net = nw.init_network((3, 4, 2), rng=rng, **run.get("init", {}))
        options = {k: v for k, v in run.items() if k != "init"}
        options.setdefault("optimizer", nw.Optimizer.sgd(lr=0.1))
        nw.train(net, X, y, epochs=1, batch_size=3, rng=rng, **options)


def test_other_errors_from_the_students_functions_propagate():
    def broken_relu(x):
        raise ZeroDivisionError("oops")

    net = nw.init_network((3, 4, 2), rng=np.random.default_rng(0), activation=broken_relu)
    with pytest.raises(ZeroDivisionError, match="oops"):
        nw.train(net, np.zeros((4, 3)), np.zeros(4, dtype=int), epochs=1, batch_size=2,
                 optimizer=nw.Optimizer.sgd(lr=0.1), rng=np.random.default_rng(0))


def test_clear_errors_for_bad_arguments():
    rng = np.random.default_rng(0)
    net = nw.init_network((3, 4, 2), rng=rng)
    sgd = nw.Optimizer.sgd(lr=0.1)
    with pytest.raises(ValueError, match=r"X must be .* \(n_samples, 3\)"):
        nw.forward(net, np.zeros((5, 4)))
    with pytest.raises(TypeError, match="y must hold integer class labels"):
        nw.loss_and_grad(net, np.zeros((5, 3)), np.zeros(5))
    with pytest.raises(ValueError, match=r"y must hold labels in \[0, 1\]"):
        nw.accuracy(net, np.zeros((2, 3)), np.array([0, 2]))
    with pytest.raises(ValueError, match="batch_size must be a positive integer"):
        nw.train(net, np.zeros((5, 3)), np.zeros(5, dtype=int), epochs=1, batch_size=0, optimizer=sgd, rng=rng)
    with pytest.raises(TypeError, match="rng must be a numpy.random.Generator"):
        nw.train(net, np.zeros((5, 3)), np.zeros(5, dtype=int), epochs=1, batch_size=1, optimizer=sgd, rng=0)
    with pytest.raises(ValueError, match="X_val and y_val must be given together"):
        nw.train(net, np.zeros((5, 3)), np.zeros(5, dtype=int), epochs=1, batch_size=1, optimizer=sgd, rng=rng,
                 X_val=np.zeros((2, 3)))
    with pytest.raises(ValueError, match="sizes must list"):
        nw.init_network((3,), rng=rng)
    transposed = functools.partial(lambda fan_in, fan_out, *, rng: np.zeros((fan_out, fan_in)))
    with pytest.raises(ValueError, match=r"must return shape \(3, 4\), got \(4, 3\)"):
        nw.init_network((3, 4, 2), rng=rng, initializer=transposed)
    with pytest.raises(ValueError, match="p must be a probability"):
        nw.Dropout(_random_dropout, dropout_backward, p=1.5)


def test_clip_hook_sees_per_layer_gradients_and_its_result_is_used():
    """With a clip that scales every gradient by 0 the parameters never move; the hook sees
    [dW_1, db_1, dW_2, db_2] with the layers' shapes."""
    rng = np.random.default_rng(3)
    net = nw.init_network((4, 3, 2), rng=rng)
    X, y = rng.normal(size=(8, 4)), rng.integers(0, 2, size=8)
    seen = []

    def freeze(grads):
        seen.append([g.shape for g in grads])
        return [np.zeros_like(g) for g in grads]

    trained, _ = nw.train(net, X, y, epochs=2, batch_size=4, optimizer=nw.Optimizer.sgd(lr=0.5),
                          rng=rng, clip=freeze)
    np.testing.assert_array_equal(trained.theta, net.theta)
    assert seen[0] == [(4, 3), (3,), (3, 2), (2,)]

    def halve(grads):
        return [g / 2 for g in grads]

    plain, _ = nw.train(net, X, y, epochs=1, batch_size=8, optimizer=nw.Optimizer.sgd(lr=0.5),
                        rng=np.random.default_rng(0))
    halved, _ = nw.train(net, X, y, epochs=1, batch_size=8, optimizer=nw.Optimizer.sgd(lr=1.0),
                         rng=np.random.default_rng(0), clip=halve)
    np.testing.assert_allclose(halved.theta, plain.theta, rtol=1e-12)
