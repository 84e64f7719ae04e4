"""The campaign report as a PNG chart, drawn by matplotlib (its object API and the Agg
canvas: no pyplot state, so charts can be drawn from several threads at once).

Two panels: letters per organisation, stacked by law; and members with a match per
dataset (or, before any run, the members by how they joined). Aggregate figures and
public names only. The PNG is reproducible: no timestamp or software tag is written.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from matplotlib.ticker import MaxNLocator

if TYPE_CHECKING:  # pragma: no cover
    from .report import CampaignReport

WIDTH_PX, HEIGHT_PX, DPI = 1200, 900, 100
MAX_BARS = 12            # organisations / datasets shown; the rest are summed as "others"
MAX_LABEL = 38
COLOURS = ("#1f5a96", "#e07b26", "#3a923a", "#c0392b", "#8e5ea2", "#8c564b", "#d6609f",
           "#7f7f7f", "#b5b823", "#17a2b8")


def label(text: str, limit: int = MAX_LABEL) -> str:
    """A label as plain text: no mathtext (``$``), bounded length."""
    text = " ".join(str(text).split())
    if len(text) > limit:
        text = text[:limit - 1] + "…"
    return text.replace("\\", "\\\\").replace("$", r"\$")


def _top(items: list[tuple[str, int]], limit: int) -> list[tuple[str, int]]:
    if len(items) <= limit:
        return items
    rest = sum(n for _, n in items[limit - 1:])
    return items[:limit - 1] + [(f"{len(items) - limit + 1} others", rest)]


def render_chart(report: "CampaignReport") -> bytes:
    """The chart as PNG bytes (WIDTH_PX x HEIGHT_PX, RGBA)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(WIDTH_PX / DPI, HEIGHT_PX / DPI), dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    top, bottom = figure.subplots(2, 1, height_ratios=(3, 2))
    figure.suptitle(label(f"{report.organisation}: campaign {report.slug}, "
                          f"{report.on.isoformat()}", 100), fontsize=14)
    _letters_panel(top, report)
    _members_panel(bottom, report)
    out = io.BytesIO()
    figure.savefig(out, format="png", dpi=DPI, metadata={"Software": None})
    return out.getvalue()


def _letters_panel(axes, report: "CampaignReport") -> None:
    companies = _top(report.letters_by_company(), MAX_BARS)
    axes.set_title(f"Letters per organisation and law ({report.letters_total} letters)",
                   fontsize=12, loc="left")
    if not companies:
        axes.text(0.5, 0.5, "No letters yet" if report.run else "No run yet",
                  ha="center", va="center", transform=axes.transAxes, fontsize=12)
        axes.set_axis_off()
        return
    named = {name for name, _ in companies[:MAX_BARS - 1]} if len(companies) == MAX_BARS and \
        len(report.letters_by_company()) > MAX_BARS else {name for name, _ in companies}
    laws = [law for law, _ in report.letters_by_law()]
    colour = {law: COLOURS[i % len(COLOURS)] for i, law in enumerate(laws)}
    bars: list[tuple[str, set[str] | None]] = [
        (name, {name} if name in named else None) for name, _ in companies][::-1]
    rows = [name for name, _ in bars]                   # most letters at the top
    positions = range(len(rows))
    left = [0] * len(rows)
    for law in laws:
        widths = [sum(c.letters for c in report.letters if c.law == law and (
            c.company_name in members if members is not None else c.company_name not in named))
            for _, members in bars]        # None: the "others" bar, everything not named
        if any(widths):
            axes.barh(list(positions), widths, left=left, color=colour[law], label=label(law, 75))
            left = [a + b for a, b in zip(left, widths)]
    axes.set_yticks(list(positions), [label(name) for name in rows])
    for y, total in zip(positions, left):
        axes.annotate(str(total), (total, y), xytext=(4, 0), textcoords="offset points",
                      va="center", fontsize=9)
    axes.set_xlabel("letters")
    axes.margins(x=0.12)
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.18), ncol=2,
                frameon=False)
    axes.spines[["top", "right"]].set_visible(False)


def _members_panel(axes, report: "CampaignReport") -> None:
    if report.datasets:
        items = _top([(d.name, d.members) for d in report.datasets], MAX_BARS)
        title = (f"Members with a match, per dataset ({report.matched} of "
                 f"{report.checked} checked)")
    else:
        items = [("active", report.members_active), ("left", report.members_left)]
        title = f"Members ({report.members_total})"
    axes.set_title(title, fontsize=12, loc="left")
    rows = items[::-1]
    positions = list(range(len(rows)))
    axes.barh(positions, [n for _, n in rows], color=COLOURS[0])
    axes.set_yticks(positions, [label(name) for name, _ in rows])
    for y, (_, n) in zip(positions, rows):
        axes.annotate(str(n), (n, y), xytext=(4, 0), textcoords="offset points", va="center",
                      fontsize=9)
    axes.set_xlabel("members")
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes.margins(x=0.12)
    axes.spines[["top", "right"]].set_visible(False)
