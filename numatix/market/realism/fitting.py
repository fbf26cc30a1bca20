"""Maximum-likelihood fits the realism report needs, in numpy alone: Student-t and GARCH(1,1).

Both are the textbook estimators (as ``scipy.stats.t.fit`` and ``arch``'s GARCH(1,1) with
normal innovations compute them), written out so the report runs without SciPy.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np


def nelder_mead(
    objective: Callable[[np.ndarray], float],
    start: np.ndarray,
    step: float = 0.3,
    iterations: int = 400,
    tolerance: float = 1e-9,
) -> np.ndarray:
    """Minimise ``objective`` from ``start`` with the Nelder-Mead simplex (standard coefficients)."""
    size = len(start)
    simplex = [np.asarray(start, dtype=float)]
    for i in range(size):
        point = simplex[0].copy()
        point[i] += step
        simplex.append(point)
    values = [objective(point) for point in simplex]
    for _ in range(iterations):
        order = np.argsort(values)
        simplex, values = [simplex[i] for i in order], [values[i] for i in order]
        if abs(values[-1] - values[0]) <= tolerance * (abs(values[0]) + tolerance):
            break
        centroid = np.mean(simplex[:-1], axis=0)
        reflected = centroid + (centroid - simplex[-1])
        reflected_value = objective(reflected)
        if reflected_value < values[0]:
            expanded = centroid + 2 * (centroid - simplex[-1])
            expanded_value = objective(expanded)
            simplex[-1], values[-1] = (
                (expanded, expanded_value)
                if expanded_value < reflected_value
                else (reflected, reflected_value)
            )
        elif reflected_value < values[-2]:
            simplex[-1], values[-1] = reflected, reflected_value
        else:
            contracted = centroid + 0.5 * (simplex[-1] - centroid)
            contracted_value = objective(contracted)
            if contracted_value < values[-1]:
                simplex[-1], values[-1] = contracted, contracted_value
            else:
                simplex = [simplex[0] + 0.5 * (point - simplex[0]) for point in simplex]
                values = [values[0]] + [objective(point) for point in simplex[1:]]
    return simplex[int(np.argmin(values))]


def student_t_degrees_of_freedom(returns: np.ndarray) -> float:
    """ν of a location-scale Student-t fitted by maximum likelihood."""
    x = np.asarray(returns, dtype=float)
    scale0 = float(np.median(np.abs(x - np.median(x)))) or float(x.std()) or 1.0
    z0 = (x - np.median(x)) / scale0

    def negative_log_likelihood(theta: np.ndarray) -> float:
        location, log_scale, log_nu = theta
        nu, scale = math.exp(log_nu), math.exp(log_scale)
        if not 0.05 < nu < 500:
            return math.inf
        z = (z0 - location) / scale
        constant = math.lgamma((nu + 1) / 2) - math.lgamma(nu / 2) - 0.5 * math.log(nu * math.pi) - log_scale
        return -(len(z) * constant - (nu + 1) / 2 * float(np.log1p(z * z / nu).sum()))

    best = nelder_mead(negative_log_likelihood, np.array([0.0, 0.0, math.log(4.0)]))
    return float(math.exp(best[2]))


@dataclass(frozen=True, slots=True)
class GarchFit:
    omega: float
    alpha: float
    beta: float

    @property
    def persistence(self) -> float:
        return self.alpha + self.beta


BLOCK = 256


class _GarchLikelihood:
    """Gaussian log-likelihood of GARCH(1,1) with variance targeting (ω = 1 − α − β on unit-variance data).

    The recursion h_t = ω + α·r²_{t-1} + β·h_{t-1} is linear, so it is solved in blocks: within
    a block by one matrix product with the lower-triangular matrix of βᵏ, across blocks by a
    short loop over their last values. A plain Python loop over months of minutes would cost
    a second per evaluation; this costs milliseconds.
    """

    def __init__(self, squared: np.ndarray) -> None:
        self.squared = squared
        self.n = len(squared)
        blocks = -(-self.n // BLOCK)
        shocks = np.zeros(blocks * BLOCK)
        shocks[1 : self.n] = squared[:-1]
        self.shocks = shocks.reshape(blocks, BLOCK)
        self.lags = np.subtract.outer(np.arange(BLOCK), np.arange(BLOCK))

    def variances(self, alpha: float, beta: float) -> np.ndarray:
        omega = 1 - alpha - beta
        kernel = np.where(self.lags >= 0, beta ** np.maximum(self.lags, 0), 0.0)
        inside = (omega + alpha * self.shocks) @ kernel.T  # each block as if it started from h = 0
        carry = beta ** np.arange(1, BLOCK + 1)
        starts = np.empty(len(inside))
        previous = 1.0  # h_{-1}: the unconditional variance of standardised returns
        for index, block_end in enumerate(inside[:, -1]):
            starts[index] = previous
            previous = block_end + carry[-1] * previous
        return (inside + np.outer(starts, carry)).ravel()[: self.n]

    def negative(self, alpha: float, beta: float) -> float:
        h = self.variances(alpha, beta)
        if np.any(h <= 0):
            return math.inf
        return 0.5 * float(np.sum(np.log(h) + self.squared / h))


def garch_fit(returns: np.ndarray) -> GarchFit:
    """GARCH(1,1) by Gaussian quasi-maximum likelihood on the standardised returns."""
    x = np.asarray(returns, dtype=float)
    x = (x - x.mean()) / x.std()
    likelihood = _GarchLikelihood(x * x)

    def unpack(theta: np.ndarray) -> tuple[float, float]:
        a, b = math.exp(theta[0]), math.exp(theta[1])
        total = 1 + a + b
        return a / total, b / total  # α, β > 0 and α + β < 1

    def objective(theta: np.ndarray) -> float:
        return likelihood.negative(*unpack(theta))

    start = np.array([math.log(0.08 / 0.02), math.log(0.9 / 0.02)])
    alpha, beta = unpack(nelder_mead(objective, start, step=0.5, iterations=200, tolerance=1e-10))
    return GarchFit(1 - alpha - beta, alpha, beta)
