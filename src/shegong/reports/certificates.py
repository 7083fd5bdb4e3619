"""The volunteer's service certificate (志愿服务证明) as a PDF: identity, hours, content,
issuer, number and date, with the CJK font the other PDF reports use. The certificate and its
number are made by resources/services.certificate_issue; this renders what it holds."""

from __future__ import annotations

import io

from shegong.core.text import pdf_text


def render_certificate(data: dict[str, str]) -> bytes:
    from reportlab.lib.pagesizes import A5, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import cm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

    from shegong.reports import cjk_font

    lines = [
        "志愿服务证明",
        f"编号:{data['number']}",
        (
            f"兹证明 {data['name']}(公民身份号码:{data['id_number'] or '—'})"
            f"于 {data['first']} 至 {data['last']} 参加志愿服务,"
            f"经确认累计服务时长 {data['hours']} 小时。"
        ),
        f"服务内容:{data['content']}",
        f"出具单位:{data['issuer']}",
        f"出具日期:{data['issued_on']}",
    ]
    font = cjk_font.register("".join(lines))
    title = ParagraphStyle("title", fontName=font, fontSize=20, leading=28, alignment=1)
    body = ParagraphStyle("body", fontName=font, fontSize=12, leading=20)
    right = ParagraphStyle("right", parent=body, alignment=2)
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=landscape(A5),
        title=lines[0],
        leftMargin=2 * cm,
        rightMargin=2 * cm,
        topMargin=1.5 * cm,
        bottomMargin=1.5 * cm,
    )
    story = [
        Paragraph(pdf_text(lines[0]), title),
        Paragraph(pdf_text(lines[1]), right),
        Spacer(1, 0.4 * cm),
        Paragraph(pdf_text(lines[2]), body),
        Paragraph(pdf_text(lines[3]), body),
        Spacer(1, 0.8 * cm),
        Paragraph(pdf_text(lines[4]), right),
        Paragraph(pdf_text(lines[5]), right),
    ]
    doc.build(story)
    return out.getvalue()
