"""The backpropagation engine: NumPy only, float64, no user-interface imports.

Modules, one job each:

- `activations`: the activation registry, one record per activation (kernels, formulas, kind).
- `hyper`: hyperparameters as records (`TRAINING`: η, λ, λ1, batch size).
- `phases`: what each phase of a step computes, as formulas (one notation).
- `losses`: cost functions and the output layer's error δ.
- `initializers`: seeded weight initialization.
- `spec`: the immutable description of a network, its training and its data.
- `kernels`: the forward, error, backward and update computations on preallocated buffers.
- `stepper`: the phase-by-phase stepper that a screen and the headless trainer drive.
- `health`: the gradient-health trace (gradient norms, update ratios, saturated and dead units).
- `gradcheck`: numerical gradient check by central differences.
- `address`: weight addresses `LAYER:UNIT:INPUT` (1-based, `b` for a bias).
- `probe`: a `Point` (a copy of weights, batch and optimizer context) and passes at it.
- `nudge`: one weight nudged by ±ε, the slope beside ∂C/∂w and its chain-rule factors.
- `landscape`: the cost along one or two weights, with the optimizer's next update.
- `unitgraph`: one unit as a computational graph, value and gradient per node.
- `events`: when a run went wrong (loss rose, a unit died, a gradient jumped, inf or nan).
"""

from bptui.engine.spec import Dataset, NetworkSpec, TrainingSpec
from bptui.engine.stepper import MicroStep, Phase, Stepper

__all__ = ["Dataset", "MicroStep", "NetworkSpec", "Phase", "Stepper", "TrainingSpec"]
