"""The campaign report as a one-page PDF summary for members, the press and funders.

Aggregate figures only: the key numbers, the chart (:mod:`.chart`), letters per law and
the statuses. It takes a :class:`~.report.CampaignReport`, which holds no member's name,
id, address or email, so none can appear. Everything is kept on one page (reportlab's
``KeepInFrame`` shrinks the content if a long list would not fit). Same fonts as the
letters (bot.letters.fonts), reportlab's invariant mode: the same report gives the same
bytes.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import (Image as ImageFlowable, KeepInFrame, Paragraph, SimpleDocTemplate,
                                Spacer, Table, TableStyle)

from ..letters.fonts import letter_fonts
from ..letters.pdf import build_pdf, check_strings
from ..letters.pdf_blocks import letter_styles, markup
from .chart import HEIGHT_PX, WIDTH_PX, render_chart

if TYPE_CHECKING:  # pragma: no cover
    from .report import CampaignReport

PRODUCER = "rightsbot"
KEYWORDS = "rightsbot-campaign-summary"
MARGIN = 16 * mm
MAX_LAWS = 8
STATUS_WORDS = {"drafted": "made, not yet marked sent", "sent": "sent, waiting for a reply",
                "followed-up": "followed up"}
FOOTER = ("Aggregate figures only: no member is named or identified in this summary. Letters "
          "are sent by the organisation as each member's authorized agent, with the member's "
          "signed authorization; where a law gives no agent route, members send their own. "
          "Made with rightsbot. This is not legal advice.")


def figures(report: "CampaignReport") -> list[tuple[str, str]]:
    """The key numbers, as (label, value)."""
    rows = [("Active members", str(report.members_active)),
            ("Members who left", str(report.members_left)),
            ("Joined by link / by list", f"{report.by_source.get('telegram', 0)} / "
                                          f"{report.by_source.get('csv', 0)}")]
    if report.run is not None:
        rows += [("Members checked", str(report.checked)),
                 ("Members with photos found in a dataset", str(report.matched)),
                 ("Letters", str(report.letters_total)),
                 ("Organisations written to", str(report.companies))]
        direct = sum(c.direct for c in report.letters)
        if direct:
            rows.append(("Letters members send themselves", str(direct)))
    if report.rejected:
        rows.append(("Rows rejected at import", str(len(report.rejected))))
    return rows


def render_summary(report: "CampaignReport", chart: bytes | None = None) -> bytes:
    """The one-page summary as PDF bytes (``chart``: the PNG, else drawn here)."""
    chart = chart if chart is not None else render_chart(report)
    title = f"{report.organisation}: campaign summary"
    subtitle = f"Campaign {report.slug}, figures as of {report.on.isoformat()}"
    laws = report.letters_by_law()
    statuses = _statuses(report)
    check_strings([("title", title), ("text", subtitle), ("text", FOOTER), ("text", statuses),
                   *(("text", a) for row in figures(report) for a in row),
                   *(("text", law) for law, _ in laws)])
    fonts, styles = letter_fonts(), letter_styles()
    width, height = A4
    body_width = width - 2 * MARGIN
    story = [Paragraph(markup(title), styles.subject), Paragraph(markup(subtitle), styles.small),
             Spacer(1, 4 * mm), _table(figures(report), body_width, styles, fonts.bold)]
    chart_width = body_width
    story += [Spacer(1, 4 * mm), ImageFlowable(io.BytesIO(chart), width=chart_width,
                                               height=chart_width * HEIGHT_PX / WIDTH_PX)]
    if laws:
        shown = laws[:MAX_LAWS]
        if len(laws) > MAX_LAWS:
            shown.append((f"{len(laws) - MAX_LAWS} other laws", sum(n for _, n in laws[MAX_LAWS:])))
        story += [Spacer(1, 3 * mm), Paragraph("Letters per law", styles.heading),
                  _table([(law, str(n)) for law, n in shown], body_width, styles, fonts.bold)]
    if statuses:
        story += [Spacer(1, 2 * mm), Paragraph(markup(statuses), styles.body)]
    story += [Spacer(1, 2 * mm), Paragraph(markup(FOOTER), styles.small)]
    out = io.BytesIO()
    template = SimpleDocTemplate(
        out, pagesize=A4, invariant=1, pageCompression=1, title=title, author=report.organisation,
        subject=f"Campaign {report.slug} summary", creator=PRODUCER, producer=PRODUCER,
        keywords=KEYWORDS, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN,
        bottomMargin=MARGIN, initialFontName=fonts.regular)
    frame_height = height - 2 * MARGIN - 1 * mm
    page = [KeepInFrame(body_width, frame_height, story, mode="shrink")]
    build_pdf(lambda: template.build(page), "campaign summary")
    return out.getvalue()


def _statuses(report: "CampaignReport") -> str:
    if not report.statuses:
        return ""
    parts = [f"{n} {STATUS_WORDS.get(status, status)}" for status, n in
             sorted(report.statuses.items(), key=lambda item: (-item[1], item[0]))]
    source = "follow-up" if report.statuses_from == "cases" else "the run"
    return f"Where the letters stand (from {source}): " + "; ".join(parts) + "."


def _table(rows: list[tuple[str, str]], width: float, styles, bold: str) -> Table:
    data = [[Paragraph(markup(a), styles.cell), Paragraph(markup(b), styles.header_cell)]
            for a, b in rows]
    table = Table(data, colWidths=(width * 0.78, width * 0.22), hAlign="LEFT")
    table.setStyle(TableStyle([
        ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.HexColor("#bbbbbb")),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 2), ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
    ]))
    return table
