"""Render cost and bytes per frame of a 160-column chart: our block bands vs Textual's
`Sparkline` vs plotext (if installed; it is not a dependency).

    .venv/bin/python -m benchmarks.bench_chart

Bytes are what one full redraw of the chart's cells writes as truecolor ANSI (Textual writes
only changed lines, so this is the ceiling per frame).
"""

from __future__ import annotations

import io
import math
import time

from rich.color import Color, ColorSystem
from rich.console import Console
from rich.text import Text

from streamdash.core.series import Series
from streamdash.ui.plot import band_rows, resample, runs

WIDTH, HEIGHT, FRAMES = 160, 8, 200


def series() -> Series:
    s = Series(300, 1.0)
    for i in range(300 * 50):
        t = i / 50
        s.add(t, 100 + 10 * math.sin(t / 7) + (i % 13))
    return s


def ansi_bytes(renderable: object) -> int:
    out = io.StringIO()
    Console(file=out, width=WIDTH, color_system="truecolor", force_terminal=True, legacy_windows=False).print(
        renderable
    )
    return len(out.getvalue().encode())


def ours() -> tuple[float, int]:
    s = series()
    start = time.perf_counter()
    for _ in range(FRAMES):
        columns = resample(s.buckets_at(299.5), WIDTH)
        values = [b for b in columns if b is not None]
        rows = band_rows(columns, HEIGHT, min(b.low for b in values), max(b.high for b in values))
        text = Text()
        for row in rows:
            for chars, under in runs(row):
                text.append(chars, "#004466" if under else "#00aaff")
            text.append("\n")
    per = (time.perf_counter() - start) / FRAMES
    return per, ansi_bytes(text)


def plotext_frame() -> tuple[float, int] | None:
    try:
        import plotext as plt  # 6.x API
    except ImportError:
        return None
    s = series()
    start = time.perf_counter()
    for _ in range(FRAMES):
        last = [b.last if b is not None else math.nan for b in s.buckets_at(299.5)]
        figure = plt.figure
        figure.clear.all()
        figure.plot_size(WIDTH, HEIGHT + 2)
        figure.signal(list(range(len(last))), [v if v == v else 0.0 for v in last], marker="braille")
        frame = figure.build()
    per = (time.perf_counter() - start) / FRAMES
    return per, len(frame.string().encode())


def sparkline_frame() -> tuple[float, int]:
    from rich.segment import Segment
    from textual.renderables.sparkline import Sparkline

    s = series()
    console = Console(file=io.StringIO(), width=WIDTH, color_system="truecolor", force_terminal=True)
    options = console.options.update(width=WIDTH, height=HEIGHT)
    start = time.perf_counter()
    for _ in range(FRAMES):
        data = [b.last if b is not None else 0.0 for b in s.buckets_at(299.5)]
        spark = Sparkline(
            data, width=WIDTH, min_color=Color.parse("#004466"), max_color=Color.parse("#00aaff")
        )
        lines = console.render_lines(spark, options, pad=False)
    per = (time.perf_counter() - start) / FRAMES
    ansi = "".join(
        seg.style.render(seg.text, color_system=ColorSystem.TRUECOLOR) if seg.style else seg.text
        for line in lines
        for seg in line
    )
    del Segment
    return per, len(ansi.encode())


def main() -> None:
    per, size = ours()
    print(f"blocks (ours)   {per * 1000:7.3f} ms/frame  {size:6,} B/frame (full redraw)")
    per, size = sparkline_frame()
    print(f"Sparkline       {per * 1000:7.3f} ms/frame  {size:6,} B/frame (full redraw)")
    result = plotext_frame()
    if result is None:
        print("plotext         not installed")
    else:
        per, size = result
        print(f"plotext         {per * 1000:7.3f} ms/frame  {size:6,} B/frame (its ANSI string)")


if __name__ == "__main__":
    main()
