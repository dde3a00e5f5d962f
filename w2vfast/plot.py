"""2-D pictures of word vectors: PCA or t-SNE projection, a labelled scatter saved as PNG or SVG.

The projections are plain NumPy (PCA by SVD; t-SNE exact, O(n^2), meant for up to a few hundred
points).  Matplotlib is needed only to draw; it is imported when a picture is made, and its
absence is reported as `PlotError(MATPLOTLIB_MISSING)`, naming the command that installs it.
"""
from __future__ import annotations

import os
import re
from typing import List, Optional, Sequence, Tuple

import numpy as np

from .atomic import atomic_output

__all__ = ["PlotError", "MATPLOTLIB_MISSING", "parse_size", "pca_2d", "tsne_2d", "project",
           "choose_words", "require_matplotlib", "draw", "plot_words", "FORMATS"]

MATPLOTLIB_MISSING = "drawing needs matplotlib, which is not installed: pip install matplotlib"

FORMATS = ("png", "svg")

_DPI = 100
_EOS = "</s>"


class PlotError(Exception):
    """A plot cannot be made; the message says why and what to do."""


def parse_size(text: str) -> Tuple[int, int]:
    """'1200x900' -> (1200, 900); both in 16..20000 pixels."""
    m = re.fullmatch(r"\s*(\d+)\s*[xX×]\s*(\d+)\s*", text)
    if not m:
        raise ValueError(f"bad size {text!r}: expected WIDTHxHEIGHT in pixels, e.g. 1200x900")
    w, h = int(m.group(1)), int(m.group(2))
    if not (16 <= w <= 20000 and 16 <= h <= 20000):
        raise ValueError(f"bad size {text!r}: width and height must be 16..20000 pixels")
    return w, h


def output_format(path: str, fmt: Optional[str] = None) -> str:
    """The picture format: `fmt`, else the extension of `path` (png or svg)."""
    if fmt is None:
        ext = os.path.splitext(os.fspath(path))[1].lower().lstrip(".")
        if ext not in FORMATS:
            raise PlotError(f"cannot tell the picture format of {os.fspath(path)!r}: "
                            "name it .png or .svg, or give --format png|svg")
        fmt = ext
    fmt = fmt.lower()
    if fmt not in FORMATS:
        raise PlotError(f"unsupported picture format {fmt!r}: use png or svg")
    return fmt


# --------------------------------------------------------------------------
# Projections
# --------------------------------------------------------------------------


def pca_2d(x: np.ndarray, dims: int = 2) -> np.ndarray:
    """The rows of `x` projected on their first `dims` principal components (n x dims).

    Signs are fixed (the largest loading of each component is positive), so equal input gives
    equal pictures.  Missing components (fewer rows or columns than `dims`) are zeros.
    """
    x = np.asarray(x, dtype=np.float64)
    n = x.shape[0]
    out = np.zeros((n, dims))
    if n < 2:
        return out
    xc = x - x.mean(axis=0)
    _, s, vt = np.linalg.svd(xc, full_matrices=False)
    k = min(dims, vt.shape[0])
    comps = vt[:k]
    signs = np.sign(comps[np.arange(k), np.argmax(np.abs(comps), axis=1)])
    comps = comps * np.where(signs == 0, 1, signs)[:, None]
    out[:, :k] = xc @ comps.T
    return out


def _conditional_p(d2: np.ndarray, perplexity: float, steps: int = 100) -> np.ndarray:
    """Row-wise Gaussian affinities whose entropy matches log(perplexity), all rows at once."""
    n = d2.shape[0]
    target = np.log(perplexity)
    beta = np.ones(n)
    lo = np.full(n, -np.inf)
    hi = np.full(n, np.inf)
    off = ~np.eye(n, dtype=bool)
    # distances relative to each row's nearest neighbour keep exp() in range
    d2 = d2 - np.where(off, d2, np.inf).min(axis=1, keepdims=True)
    for _ in range(steps):
        p = np.exp(-d2 * beta[:, None]) * off
        sum_p = p.sum(axis=1)
        sum_p = np.where(sum_p > 0, sum_p, 1e-300)
        h = np.log(sum_p) + beta * (d2 * p).sum(axis=1) / sum_p
        too_flat = h > target  # entropy too high: sharpen (larger beta)
        lo = np.where(too_flat, beta, lo)
        hi = np.where(too_flat, hi, beta)
        beta = np.where(np.isinf(hi), beta * 2, np.where(np.isinf(lo), beta / 2, (lo + hi) / 2))
        if np.all(np.abs(h - target) < 1e-5):
            break
    p = np.exp(-d2 * beta[:, None]) * off
    return p / np.maximum(p.sum(axis=1, keepdims=True), 1e-300)


def tsne_2d(x: np.ndarray, perplexity: Optional[float] = None, iterations: int = 1000,
            seed: int = 0) -> np.ndarray:
    """Exact t-SNE (van der Maaten & Hinton 2008) of the rows of `x` to 2-D.

    O(n^2) memory and time per iteration: fine for a few hundred points.  The input is first
    reduced to at most 50 dimensions by PCA; `perplexity` defaults to min(30, (n - 1) / 3).
    Deterministic for a given `seed`.  Fewer than 4 points are placed by PCA.
    """
    x = np.asarray(x, dtype=np.float64)
    n = x.shape[0]
    if n < 4:
        return pca_2d(x)
    if x.shape[1] > 50:
        x = pca_2d(x, 50)
    if perplexity is None:
        perplexity = min(30.0, (n - 1) / 3.0)
    perplexity = min(float(perplexity), max(1.0, (n - 1) / 3.0))
    sq = (x * x).sum(axis=1)
    d2 = np.maximum(sq[:, None] + sq[None, :] - 2 * x @ x.T, 0.0)
    scale = np.median(d2[~np.eye(n, dtype=bool)])
    if scale > 0:
        d2 /= scale
    p = _conditional_p(d2, perplexity)
    p = (p + p.T) / (2.0 * n)
    p = np.maximum(p, 1e-12)

    rng = np.random.default_rng(seed)
    y = rng.normal(0.0, 1e-4, size=(n, 2))
    velocity = np.zeros_like(y)
    gains = np.ones_like(y)
    exaggeration, exaggerate_until = 12.0, min(250, iterations // 4)
    learning_rate = max(n / exaggeration / 4.0, 50.0)
    for it in range(iterations):
        pe = p * exaggeration if it < exaggerate_until else p
        sy = (y * y).sum(axis=1)
        num = 1.0 / (1.0 + np.maximum(sy[:, None] + sy[None, :] - 2 * y @ y.T, 0.0))
        np.fill_diagonal(num, 0.0)
        q = np.maximum(num / num.sum(), 1e-12)
        w = (pe - q) * num
        grad = 4.0 * (w.sum(axis=1)[:, None] * y - w @ y)
        momentum = 0.5 if it < exaggerate_until else 0.8
        same_sign = np.sign(grad) == np.sign(velocity)
        gains = np.maximum(np.where(same_sign, gains * 0.8, gains + 0.2), 0.01)
        velocity = momentum * velocity - learning_rate * gains * grad
        y = y + velocity
        y -= y.mean(axis=0)
    return y


def project(x: np.ndarray, method: str = "pca", seed: int = 0) -> np.ndarray:
    """2-D coordinates of the rows of `x` by ``"pca"`` or ``"tsne"``."""
    if method == "pca":
        return pca_2d(x)
    if method == "tsne":
        return tsne_2d(x, seed=seed)
    raise ValueError(f"unknown projection {method!r}: use 'pca' or 'tsne'")


# --------------------------------------------------------------------------
# Choosing the words
# --------------------------------------------------------------------------


def choose_words(vectors, words: Optional[Sequence[str]] = None, top: int = 100,
                 neighbours: int = 0) -> Tuple[List[str], List[int], List[bool], List[str]]:
    """The points of a plot: (words, group of each, whether it is a chosen word, unknown words).

    The chosen words are `words` (those in the vocabulary, each once) or, by default, the `top`
    most frequent (the first rows of the file, without `</s>`).  With `neighbours` N each chosen
    word brings its N nearest words, in its group (group = position of the chosen word); a word
    already on the plot is not added twice.
    """
    unknown: List[str] = []
    if words:
        chosen = []
        for w in words:
            if w not in vectors.key_to_index:
                if w not in unknown:
                    unknown.append(w)
            elif w not in chosen:
                chosen.append(w)
    else:
        chosen = [w for w in vectors.index_to_key[:top + 1] if w != _EOS][:top]
    points = list(chosen)
    groups = list(range(len(chosen)))
    seeds = [True] * len(chosen)
    if neighbours > 0 and chosen:
        from .query import similar

        present = set(points)
        for g, result in enumerate(similar(vectors, [[w] for w in chosen], topn=neighbours)):
            for w, _ in result.results:
                if w not in present:
                    present.add(w)
                    points.append(w)
                    groups.append(g)
                    seeds.append(False)
    return points, groups, seeds, unknown


# --------------------------------------------------------------------------
# Drawing
# --------------------------------------------------------------------------


def require_matplotlib():
    """(Figure, FigureCanvasAgg), or PlotError with the install hint when matplotlib is missing."""
    try:
        import matplotlib  # noqa: F401
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError:
        raise PlotError(MATPLOTLIB_MISSING) from None
    return Figure, FigureCanvasAgg


def _label(word: str) -> str:
    # printable in any font, and a '$' must not start matplotlib's mathtext
    text = word.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    return text.replace("$", r"\$")


def draw(dest, words: Sequence[str], coords: np.ndarray, groups: Optional[Sequence[int]] = None,
         seeds: Optional[Sequence[bool]] = None, size: Tuple[int, int] = (1200, 900),
         fmt: str = "png", title: Optional[str] = None) -> None:
    """Draw a labelled scatter of `coords` and save it to `dest` (a path, written atomically,
    or a binary file object) as `fmt` ("png" or "svg"), `size` = (width, height) in pixels.

    With `groups`, points are coloured by group and the chosen words (`seeds`) drawn larger.
    """
    Figure, FigureCanvasAgg = require_matplotlib()
    fmt = output_format("x." + fmt)
    width, height = size
    fig = Figure(figsize=(width / _DPI, height / _DPI), dpi=_DPI)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot(1, 1, 1)
    coords = np.asarray(coords, dtype=np.float64).reshape(-1, 2)
    n = len(words)
    grouped = groups is not None and seeds is not None and not all(seeds)
    if grouped:
        palette = [c["color"] for c in _palette()]
        colours = [palette[g % len(palette)] for g in groups]
        sizes = [40 if s else 14 for s in seeds]
    else:
        colours = ["tab:blue"] * n
        sizes = [18] * n
        seeds = [False] * n
    if n:
        ax.scatter(coords[:, 0], coords[:, 1], c=colours, s=sizes, linewidths=0)
    fontsize = 9 if n <= 150 else 7 if n <= 400 else 5
    for (x, y), w, colour, seed in zip(coords.tolist(), words, colours, seeds):
        ax.annotate(_label(w), (x, y), xytext=(3, 3), textcoords="offset points",
                    fontsize=fontsize, color=colour if grouped else "black",
                    fontweight="bold" if (grouped and seed) else "normal")
    ax.set_xticks([])
    ax.set_yticks([])
    if n:
        pad_x = (np.ptp(coords[:, 0]) or 1.0) * 0.08
        pad_y = (np.ptp(coords[:, 1]) or 1.0) * 0.05
        ax.set_xlim(coords[:, 0].min() - pad_x * 0.5, coords[:, 0].max() + pad_x * 1.5)
        ax.set_ylim(coords[:, 1].min() - pad_y, coords[:, 1].max() + pad_y)
    if title:
        ax.set_title(_label(title))
    _save(fig, dest, fmt)


def _save(fig, dest, fmt):
    """Save to a path (atomically) or a binary file object."""
    fig.tight_layout()
    if hasattr(dest, "write"):
        fig.savefig(dest, format=fmt, dpi=_DPI)
    else:
        with atomic_output(dest) as f:
            fig.savefig(f, format=fmt, dpi=_DPI)


def _palette():
    from matplotlib import colormaps

    cmap = colormaps["tab20"]
    return [{"color": cmap(i)} for i in list(range(0, 20, 2)) + list(range(1, 20, 2))]


def plot_words(vectors, dest, words: Optional[Sequence[str]] = None, *, method: str = "pca",
               top: int = 100, neighbours: int = 0, size: Tuple[int, int] = (1200, 900),
               fmt: Optional[str] = None, title: Optional[str] = None, seed: int = 0) -> dict:
    """Project the chosen words of `vectors` (see `choose_words`) and draw them to `dest`.

    Returns {"words", "groups", "coords", "unknown"}.  Raises PlotError when matplotlib is
    missing or no word is left to plot.
    """
    fmt = output_format(dest if fmt is None else "x." + fmt)
    require_matplotlib()  # fail before any work
    points, groups, seeds, unknown = choose_words(vectors, words, top=top, neighbours=neighbours)
    if not points:
        raise PlotError("no word to plot" + (": none of the words is in the vocabulary"
                                             if unknown else ""))
    unit = vectors.unit_vectors()[[vectors.key_to_index[w] for w in points]]
    coords = project(unit, method=method, seed=seed)
    draw(dest, points, coords, groups=groups, seeds=seeds, size=size, fmt=fmt, title=title)
    return {"words": points, "groups": groups, "coords": coords, "unknown": unknown}


def plot_loss(records, dest, size: Tuple[int, int] = (1200, 700), fmt: str = "png") -> None:
    """Loss and words/s over time from `--log-json` records, saved like `draw` saves."""
    points = [r for r in records if r.get("type") == "progress"]
    if not points:
        raise PlotError("the log has no progress records to plot")
    Figure, FigureCanvasAgg = require_matplotlib()
    fmt = output_format("x." + fmt)
    width, height = size
    fig = Figure(figsize=(width / _DPI, height / _DPI), dpi=_DPI)
    FigureCanvasAgg(fig)
    t = [r["time"] for r in points]
    top, bottom = fig.add_subplot(2, 1, 1), fig.add_subplot(2, 1, 2)
    top.plot(t, [r["loss"] if r["loss"] is not None else float("nan") for r in points], color="tab:red")
    top.set_ylabel("loss per example")
    bottom.plot(t, [r["words_per_sec"] / 1000 for r in points], color="tab:blue")
    bottom.set_ylabel("thousand words/s")
    bottom.set_xlabel("seconds")
    _save(fig, dest, fmt)
