"""Statistics of repeated runs, their formatting, Markdown tables, and writing the results.

Not part of the w2vfast package (see benchlib).
"""

from __future__ import annotations

import json
import statistics
import sys
from pathlib import Path


def finite(values):
    return [v for v in values if v is not None and v == v]


def median_or_nan(values):
    values = finite(values)
    return statistics.median(values) if values else float("nan")


def fmt_stat(values, fmt):
    """'median (min–max)' (just the median for one value, '—' for none)."""
    values = finite(values)
    if not values:
        return "—"
    med = fmt % statistics.median(values)
    if len(values) > 1:
        return "%s (%s–%s)" % (med, fmt % min(values), fmt % max(values))
    return med


def fmt_ratio(num, den, fmt="%.2f"):
    if num == num and den == den and den and den > 0:
        return fmt % (num / den)
    return "—"


def fmt_rate(x):
    """Words per second, e.g. 1.23M, 845k."""
    if x != x or x is None:
        return "—"
    if x >= 1e6:
        return "%.2fM" % (x / 1e6)
    if x >= 1e3:
        return "%.0fk" % (x / 1e3)
    return "%.0f" % x


def words_per_s(words, wall):
    if not words or wall != wall or wall <= 0:
        return float("nan")
    return words / wall


def md_table(headers, rows, align=None):
    """Markdown table; align: string of 'l'/'r' per column (default: first two left)."""
    if align is None:
        align = "ll" + "r" * (len(headers) - 2)
    lines = ["| " + " | ".join(headers) + " |",
             "|" + "|".join("---" if a == "l" else "---:" for a in align) + "|"]
    for row in rows:
        lines.append("| " + " | ".join(str(c) for c in row) + " |")
    return "\n".join(lines)


def write_outputs(table, args, json_obj=None):
    sys.stdout.write(table)
    sys.stdout.flush()
    if getattr(args, "out", None):
        Path(args.out).write_text(table, encoding="utf-8")
    if getattr(args, "json", None) and json_obj is not None:
        Path(args.json).write_text(json.dumps(json_obj, indent=1), encoding="utf-8")
