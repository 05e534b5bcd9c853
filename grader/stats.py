"""Distribution tests whose tolerances come from the sampling error.

A correct stochastic function must pass whatever order it draws its random
numbers in, so every bound here is many standard errors wide (``z = 6`` by
default: a correct implementation fails with probability below 1e-8), while
the mistakes it must catch (a wrong scale, a wrong bound, the wrong
distribution) are off by far more than that on the sample sizes used.
"""

from __future__ import annotations

import math

import numpy as np

Z = 6.0


def mean_problem(sample: np.ndarray, mean: float, std: float, *, z: float = Z) -> str | None:
    """``None`` if the sample mean is within ``z`` standard errors of ``mean``."""
    sample = np.asarray(sample, dtype=np.float64).ravel()
    n = sample.size
    got = float(sample.mean())
    tol = z * std / math.sqrt(n)
    if abs(got - mean) <= tol:
        return None
    return f"the mean of {n} draws is {got:.4g}, expected {mean:.4g} (+/- {tol:.2g})"


def std_problem(sample: np.ndarray, std: float, *, kurtosis: float = 3.0, z: float = Z) -> str | None:
    """``None`` if the sample standard deviation is within ``z`` standard errors of ``std``.

    ``kurtosis`` is the distribution's fourth standardized moment (3 for a
    normal, 9/5 for a uniform); the standard error of the sample variance is
    ``sqrt((kurtosis - 1) / n) * std**2``.
    """
    sample = np.asarray(sample, dtype=np.float64).ravel()
    n = sample.size
    var = float(sample.var())
    tol = z * math.sqrt((kurtosis - 1.0) / n) * std**2
    if abs(var - std**2) <= tol:
        return None
    return (f"the standard deviation of {n} draws is {math.sqrt(var):.4g}, expected {std:.4g} "
            f"(variance {var:.4g}, expected {std**2:.4g} +/- {tol:.2g})")


def ks_statistic(sample: np.ndarray, cdf) -> float:
    """The Kolmogorov-Smirnov distance between the sample and a continuous CDF."""
    x = np.sort(np.asarray(sample, dtype=np.float64).ravel())
    n = x.size
    f = cdf(x)
    above = np.arange(1, n + 1) / n - f
    below = f - np.arange(0, n) / n
    return float(max(above.max(), below.max()))


def ks_problem(sample: np.ndarray, cdf, name: str, *, alpha: float = 1e-8) -> str | None:
    """``None`` if the sample is consistent with ``cdf`` at level ``alpha``."""
    n = np.asarray(sample).size
    d = ks_statistic(sample, cdf)
    critical = math.sqrt(-math.log(alpha / 2) / (2 * n))
    if d <= critical:
        return None
    return (f"{n} draws do not look like {name}: the largest gap between their distribution "
            f"and the expected one is {d:.3g} (at most {critical:.3g} expected)")


def normal_cdf(mean: float, std: float):
    erf = np.vectorize(math.erf, otypes=[float])
    return lambda x: 0.5 * (1.0 + erf((np.asarray(x) - mean) / (std * math.sqrt(2.0))))


def uniform_cdf(low: float, high: float):
    return lambda x: np.clip((np.asarray(x) - low) / (high - low), 0.0, 1.0)


def chi2_uniform_problem(counts: np.ndarray, *, z: float = Z) -> str | None:
    """``None`` if category counts are consistent with equal probabilities.

    Uses the Wilson-Hilferty normal approximation of the chi-square
    distribution, so no SciPy is needed.
    """
    counts = np.asarray(counts, dtype=np.float64).ravel()
    k = counts.size
    expected = counts.sum() / k
    stat = float(((counts - expected) ** 2 / expected).sum())
    dof = k - 1
    critical = dof * (1 - 2 / (9 * dof) + z * math.sqrt(2 / (9 * dof))) ** 3
    if stat <= critical:
        return None
    return (f"the counts over {k} categories are too uneven for equal chances "
            f"(chi-square {stat:.1f}, at most {critical:.1f} expected)")
