"""A matplotlib figure made without pyplot that still shows itself in a notebook.

ecosim draws with matplotlib's object API (no pyplot state, no backend switch
at import), so a script, a notebook and a server all get the same figures and
a user's own ``plt`` figures are left alone. A bare ``Figure`` has no display
of its own in Jupyter unless pyplot's inline backend happens to be active;
:class:`ShownFigure` renders itself as PNG when it is a cell's result.
"""

from __future__ import annotations

from io import BytesIO

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure


class ShownFigure(Figure):
    """A :class:`matplotlib.figure.Figure` with a PNG representation for IPython and Jupyter.

    Example:
        >>> fig = ShownFigure(figsize=(2, 1))
        >>> _ = fig.add_subplot().plot([0, 1], [1, 0])
        >>> fig._repr_png_()[:8] == b"\\x89PNG\\r\\n\\x1a\\n"
        True
    """

    def _repr_png_(self) -> bytes:
        if self.canvas is None or not hasattr(self.canvas, "print_png"):
            FigureCanvasAgg(self)
        buf = BytesIO()
        self.savefig(buf, format="png", dpi=100)
        return buf.getvalue()
