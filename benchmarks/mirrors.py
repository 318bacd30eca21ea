"""The same training as `bptui train` in PyTorch and in scikit-learn, for the benchmarks.

`TorchProblem` mirrors a preset step for step: the same network, initial weights, batches in
bptui's shuffled order, cost (with the L2 term), optimizer and evaluation schedule, so the two
loss histories agree to rounding error. `SklearnProblem` trains the closest MLPClassifier with
`partial_fit` once per epoch (its own initial weights: it cannot take given ones).
"""

from __future__ import annotations

import json
import math

import numpy as np


def batch_size(preset) -> int:
    """The batch size in effect (the training set's size for a full batch)."""
    m = preset.data.x_train.shape[0]
    size = preset.training.batch_size
    return m if size <= 0 or size >= m else size


def batches_per_epoch(preset) -> int:
    """Training steps in one epoch (1 for a full batch)."""
    return -(-preset.data.x_train.shape[0] // batch_size(preset))


# ----- the PyTorch side ---------------------------------------------------------------------------


class TorchProblem:
    """A preset's network, data, initial weights and training settings as torch float64 tensors."""

    def __init__(self, preset):
        import torch

        stepper = preset.stepper()
        self.torch = torch
        self.seed = preset.seed
        self.net = preset.network
        self.training = preset.training
        data = preset.data
        as_tensor = lambda a: torch.from_numpy(np.ascontiguousarray(a, dtype=np.float64))
        self.x, self.y = as_tensor(data.x_train), as_tensor(data.y_train)
        self.x_test, self.y_test = as_tensor(data.x_test), as_tensor(data.y_test)
        self.has_test = data.x_test.shape[0] > 0
        self.init = [(w.copy(), b.copy()) for w, b in zip(stepper.weights, stepper.biases)]
        self.m = self.x.shape[0]
        self.batch_size = batch_size(preset)
        self.full_batch = self.batch_size == self.m
        self.batches_per_epoch = batches_per_epoch(preset)
        self.eval_every = stepper.eval_every
        self.hyper = stepper.optimizer.h
        self.schedule = stepper.schedule

    def model(self):
        """nn.Sequential of Linear layers and hidden activations, at the initial weights.

        The output activation is left to `cost` (log-softmax / logits for cross-entropy).
        """
        nn = self.torch.nn
        hidden = {
            "sigmoid": nn.Sigmoid,
            "tanh": nn.Tanh,
            "relu": nn.ReLU,
            "leaky_relu": lambda: nn.LeakyReLU(0.01),
            "linear": nn.Identity,
        }
        layers = []
        for index, (w, b) in enumerate(self.init):
            linear = nn.Linear(w.shape[1], w.shape[0], dtype=self.torch.float64)
            with self.torch.no_grad():
                linear.weight.copy_(self.torch.from_numpy(w))
                linear.bias.copy_(self.torch.from_numpy(b))
            layers.append(linear)
            if index < len(self.init) - 1:
                layers.append(hidden[self.net.hidden_activation]())
        return nn.Sequential(*layers)

    def optimizer(self, model):
        """The preset's optimizer as torch.optim builds it, and a LambdaLR for its schedule
        (None for a constant rate). bptui's rules are PyTorch's (torch.optim); only classical
        momentum under a non-constant schedule differs (bptui puts η_t inside the velocity)."""
        optim = self.torch.optim
        h, lr, name = self.hyper, self.training.learning_rate, self.training.optimizer
        params = model.parameters()
        if name in ("sgd", "momentum", "nesterov"):
            made = optim.SGD(
                params, lr=lr, momentum=h.get("momentum", 0.0), nesterov=name == "nesterov"
            )
        elif name == "adagrad":
            made = optim.Adagrad(params, lr=lr, eps=h["epsilon"])
        elif name == "rmsprop":
            made = optim.RMSprop(params, lr=lr, alpha=h["alpha"], eps=h["epsilon"])
        else:
            kind = optim.Adam if name == "adam" else optim.AdamW
            extra = {"weight_decay": h["weight_decay"]} if name == "adamw" else {}
            made = kind(params, lr=lr, betas=(h["beta1"], h["beta2"]), eps=h["epsilon"], **extra)
        if self.training.schedule == "constant":
            return made, None
        factor = lambda t: self.schedule.rate(lr, t) / lr
        return made, optim.lr_scheduler.LambdaLR(made, factor)

    @staticmethod
    def summary(out: dict) -> dict:
        """A run's output as the worker sends it: the histories themselves."""
        return out

    def cost(self, model, z, y):
        """bptui's cost of a batch from output pre-activations z (m, K), with the L2 term."""
        F = self.torch.nn.functional
        m = z.shape[0]
        loss, out = self.net.loss, self.net.output_activation
        if loss == "cross_entropy" and out == "softmax":
            value = -(y * F.log_softmax(z, dim=1)).sum() / m
        elif loss == "cross_entropy":
            value = F.binary_cross_entropy_with_logits(z, y, reduction="sum") / m
        else:
            outputs = {
                "sigmoid": self.torch.sigmoid,
                "tanh": self.torch.tanh,
                "relu": F.relu,
                "leaky_relu": lambda t: F.leaky_relu(t, 0.01),
                "linear": lambda t: t,
                "softmax": lambda t: F.softmax(t, dim=1),
            }
            a = outputs[out](z)
            value = (
                F.mse_loss(a, y, reduction="sum") / (2 * m)
                if loss == "quadratic"
                else F.mse_loss(a, y, reduction="mean")
            )
        l2 = self.training.l2
        if l2 != 0.0:
            value = value + l2 / (2 * m) * sum(
                layer.weight.square().sum() for layer in model if hasattr(layer, "weight")
            )
        return value

    def evaluate(self, model, x, y) -> float:
        """Cost of (x, y) at the current weights, without autograd."""
        with self.torch.no_grad():
            return self.cost(model, model(x), y).item()

    def permutation(self, epoch: int):
        """The sample order of an epoch, drawn exactly as bptui's stepper draws it."""
        rng = np.random.default_rng(np.random.SeedSequence((self.seed, 0x5EED, epoch)))
        return self.torch.from_numpy(rng.permutation(self.m))

    def train(self, steps: int) -> dict:
        """`steps` training steps, doing per step what `bptui train` does:

        the batch (the whole set, or the preset's mini-batches in bptui's shuffled order,
        gathered with index_select); forward, cost (L2 in the loss, weights only), the batch
        cost recorded with .item(), backward and the optimizer's step (and the schedule's);
        every `eval_every` steps the whole-set costs: with a full batch the batch cost is the
        training cost, with mini-batches the training set is evaluated (no_grad) before the
        step; the held-out set too where there is one. Ends like bptui: the whole-set costs at
        the final weights, and the histories serialised as JSON.
        """
        model = self.model()
        optimizer, scheduler = self.optimizer(model)
        history = {"loss": [], "test_loss": [], "eval_steps": [], "batch_loss": []}
        epoch, order = -1, None

        def record(step: int, train_cost: float | None = None) -> None:
            history["eval_steps"].append(step)
            history["loss"].append(
                self.evaluate(model, self.x, self.y) if train_cost is None else train_cost
            )
            if self.has_test:
                history["test_loss"].append(self.evaluate(model, self.x_test, self.y_test))

        done = 0
        for step in range(steps):
            due = step % self.eval_every == 0
            if self.full_batch:
                xb, yb = self.x, self.y
            else:
                start = (step % self.batches_per_epoch) * self.batch_size
                stop = min(start + self.batch_size, self.m)
                if self.training.shuffle:
                    if step // self.batches_per_epoch != epoch:
                        epoch = step // self.batches_per_epoch
                        order = self.permutation(epoch)
                    rows = order[start:stop]
                    xb, yb = self.x.index_select(0, rows), self.y.index_select(0, rows)
                else:
                    xb, yb = self.x[start:stop], self.y[start:stop]
                if due:
                    record(step)
            loss = self.cost(model, model(xb), yb)
            value = loss.item()
            history["batch_loss"].append(value)
            if due and self.full_batch:
                record(step, value)
            if not math.isfinite(value):
                break
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            if scheduler is not None:
                scheduler.step()
            done = step + 1
        if not history["eval_steps"] or history["eval_steps"][-1] != done:
            record(done)
        json.dumps(history)  # as bptui does with its history
        return history


# ----- the scikit-learn side ----------------------------------------------------------------------


SKLEARN_ACTIVATIONS = {"sigmoid": "logistic", "tanh": "tanh", "relu": "relu", "linear": "identity"}
SKLEARN_SOLVERS = ("sgd", "momentum", "nesterov", "adam")


def sklearn_applies(preset) -> bool:
    """Whether MLPClassifier can mirror the preset with partial_fit per epoch: mini-batches,
    classification with cross-entropy (softmax over ≥ 3 classes, or one sigmoid output), a
    hidden activation and an optimizer it has, a constant learning rate."""
    net, training = preset.network, preset.training
    outputs = net.layers[-1]
    output_ok = (net.output_activation == "softmax" and outputs >= 3) or (
        net.output_activation == "sigmoid" and outputs == 1
    )
    return (
        batch_size(preset) < preset.data.x_train.shape[0]
        and net.loss == "cross_entropy"
        and output_ok
        and preset.data.task == "classification"
        and (len(net.layers) == 2 or net.hidden_activation in SKLEARN_ACTIVATIONS)
        and training.optimizer in SKLEARN_SOLVERS
        and training.schedule == "constant"
    )


class SklearnProblem:
    """The preset as scikit-learn's MLPClassifier trains it, one partial_fit call per epoch.

    Its weights start from its own initialisation (it has no way to take given ones), so its
    losses are not compared step by step; its held-out accuracy is reported beside bptui's.
    """

    def __init__(self, preset):
        net, training, data = preset.network, preset.training, preset.data
        h = training.make_optimizer().h
        self.batches_per_epoch = batches_per_epoch(preset)
        self.labels = self.encode(data.y_train)
        self.test_labels = self.encode(data.y_test)
        self.x, self.x_test = data.x_train, data.x_test
        self.classes = np.arange(max(2, net.layers[-1]))
        solver = "adam" if training.optimizer == "adam" else "sgd"
        self.options = dict(
            hidden_layer_sizes=tuple(net.layers[1:-1]),
            activation=SKLEARN_ACTIVATIONS.get(net.hidden_activation, "identity"),
            solver=solver,
            alpha=training.l2,
            batch_size=batch_size(preset),
            learning_rate="constant",
            learning_rate_init=training.learning_rate,
            shuffle=training.shuffle,
            random_state=preset.seed,
        )
        if solver == "adam":
            self.options.update(beta_1=h["beta1"], beta_2=h["beta2"], epsilon=h["epsilon"])
        else:
            self.options.update(
                momentum=h.get("momentum", 0.0), nesterovs_momentum=training.optimizer == "nesterov"
            )

    @staticmethod
    def encode(y: np.ndarray) -> np.ndarray:
        """Class labels (m,) from one-hot rows or one 0/1 column (m, K)."""
        return (y[:, 0] > 0.5).astype(int) if y.shape[1] == 1 else y.argmax(axis=1)

    def train(self, steps: int):
        """A fresh MLPClassifier, partial_fit once per epoch for steps / (steps per epoch)
        epochs; returns the classifier."""
        from sklearn.neural_network import MLPClassifier

        model = MLPClassifier(**self.options)
        for _ in range(max(1, steps // self.batches_per_epoch)):
            model.partial_fit(self.x, self.labels, classes=self.classes)
        return model

    def summary(self, model) -> dict:
        """The per-epoch mean batch losses and the held-out (else training) accuracy."""
        x, labels = (self.x_test, self.test_labels) if len(self.x_test) else (self.x, self.labels)
        return {"epoch_loss": list(model.loss_curve_), "accuracy": float(model.score(x, labels))}
