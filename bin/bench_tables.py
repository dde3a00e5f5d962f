"""The tables of bin/bench: speed against the C tool, thread scaling, vocabulary counting.

Not part of the w2vfast package (see benchlib).
"""

from __future__ import annotations

from pathlib import Path

import benchlib as bl


def header_lines(args, kind, flags_text, train_words, tw_source, extra_note=""):
    lines = ["%s: corpus `%s`; flags `%s`%s; %d repeat%s, alternating."
             % (kind, Path(args.corpus).name, flags_text,
                "; w2vfast also `%s`" % args.w2vfast_extra if args.w2vfast_extra.strip() else "",
                args.repeats, "" if args.repeats == 1 else "s")]
    lines.append("Words per epoch %s%s; %s%s%s."
                 % ("{:,}".format(train_words) if train_words else "unknown",
                    " (from %s)" % tw_source if tw_source else "",
                    bl.rss_method_text(),
                    "" if args.vocab else "; no evaluation" if args.no_eval else
                    "; accuracy: compute-accuracy counting, top %d words" % args.restrict,
                    extra_note))
    lines.append("")
    return lines


def stats_cells(good, train_words, with_acc=True):
    """wall, CPU, words/s, RSS, accuracy cells and the median wall and RSS."""
    walls = [r.wall for r in good]
    med_wall = bl.median_or_nan(walls)
    med_rss = bl.median_or_nan([r.rss_mb for r in good])
    if not good:
        return ["—"] * (5 if with_acc else 4), med_wall, med_rss
    cells = [
        bl.fmt_stat(walls, "%.2f"),
        bl.fmt_stat([r.cpu for r in good], "%.2f"),
        bl.fmt_rate(bl.words_per_s((train_words or 0) * good[0].iter, med_wall)),
        bl.fmt_stat([r.rss_mb for r in good], "%.0f"),
    ]
    if with_acc:
        cells.append(bl.fmt_stat([r.accuracy for r in good], "%.2f"))
    return cells, med_wall, med_rss


def failed_note(rs, good):
    failed = len(rs) - len(good)
    return " **%d of %d failed**" % (failed, len(rs)) if failed else ""


def speed_table(results, args, tools, flags_text, train_words, tw_source):
    lines = header_lines(args, "Speed", flags_text, train_words, tw_source)
    rows = []
    for mode in args.mode_list:
        med = {}
        for tool in tools:
            rs = [r for r in results if r.mode == mode and r.tool == tool]
            good = [r for r in rs if r.ok]
            cells, med_wall, med_rss = stats_cells(good, train_words)
            med[tool] = (med_wall, med_rss)
            cells[0] += failed_note(rs, good)
            if tool == "c":
                ratios = ["", ""]
            elif "c" in med:
                ratios = [bl.fmt_ratio(med_wall, med["c"][0]), bl.fmt_ratio(med_rss, med["c"][1])]
            else:
                ratios = ["—", "—"]
            rows.append([mode, bl.TOOL_LABEL[tool]] + cells + ratios)
    lines.append(bl.md_table(
        ["mode", "tool", "wall s", "CPU s", "words/s", "peak RSS MB", "accuracy %", "wall / C", "RSS / C"], rows))
    return "\n".join(lines) + "\n"


def scaling_table(results, args, flags_text, train_words, tw_source):
    lines = header_lines(args, "Thread scaling of w2vfast", flags_text, train_words, tw_source)
    rows = []
    first = args.thread_list[0]
    for mode in args.mode_list:
        base_rate = base_train_rate = float("nan")
        for t in args.thread_list:
            rs = [r for r in results if r.mode == mode and r.threads == t]
            good = [r for r in rs if r.ok]
            cells, med_wall, _ = stats_cells(good, train_words)
            cells[0] += failed_note(rs, good)
            words = (train_words or 1) * (good[0].iter if good else 1)
            rate = bl.words_per_s(words, med_wall)
            train_s = [r.train_s for r in good]
            train_rate = bl.words_per_s(words, bl.median_or_nan(train_s))
            if t == first:
                base_rate, base_train_rate = rate, train_rate
                ratios = ["", ""]
            else:
                ratios = [bl.fmt_ratio(rate, base_rate), bl.fmt_ratio(train_rate, base_train_rate)]
            rows.append([mode, str(t)] + cells + [bl.fmt_stat(train_s, "%.2f")] + ratios)
    lines.append(bl.md_table(
        ["mode", "threads", "wall s", "CPU s", "words/s", "peak RSS MB", "accuracy %", "train s",
         "words/s vs %d thread%s" % (first, "" if first == 1 else "s"), "training words/s vs %d" % first],
        rows))
    lines.append("train s: w2vfast's own 'Trained N words in S s' (the training loop, without start-up, "
                 "the vocabulary pass and writing); the last column compares those rates.")
    return "\n".join(lines) + "\n"


def vocab_table(results, args, flags_text, vocab_cmp):
    totals = [r.train_words for r in results if r.ok and r.train_words]
    train_words = totals[0] if totals else None
    lines = header_lines(args, "Vocabulary counting (-save-vocab, no -output)", flags_text, train_words,
                         "the sum of the vocabulary counts" if train_words else None)
    rows = []
    med = {}
    for tool in ("c", "w2vfast"):
        rs = [r for r in results if r.tool == tool]
        good = [r for r in rs if r.ok]
        cells, med_wall, med_rss = stats_cells(good, train_words, with_acc=False)
        cells[0] += failed_note(rs, good)
        med[tool] = (med_wall, med_rss)
        vocab = "{:,}".format(good[0].vocab) if good else "—"
        ratios = ["", ""] if tool == "c" else [bl.fmt_ratio(med_wall, med["c"][0]), bl.fmt_ratio(med_rss, med["c"][1])]
        rows.append([bl.TOOL_LABEL[tool]] + cells + [vocab] + ratios)
    lines.append(bl.md_table(
        ["tool", "wall s", "CPU s", "words/s", "peak RSS MB", "vocabulary lines", "wall / C", "RSS / C"],
        rows, align="l" + "r" * 7))
    lines.append("")
    lines.append(vocab_cmp)
    return "\n".join(lines) + "\n"
