import io

from pypdf import PdfReader
from reportlab.pdfgen import canvas

from shegong.reports import cjk_font


def _pdf_text(text: str) -> str:
    out = io.BytesIO()
    page = canvas.Canvas(out)
    page.setFont(cjk_font.register(text), 12)
    page.drawString(50, 700, text)
    page.save()
    return PdfReader(io.BytesIO(out.getvalue())).pages[0].extract_text().strip()


def test_each_pdf_prints_its_own_characters_after_another_was_made() -> None:
    # A second subset of the same face once printed the first subset's glyphs (boxes).
    assert _pdf_text("社区工作者队伍结构分析男女") == "社区工作者队伍结构分析男女"
    assert _pdf_text("培训班次受训面教育") == "培训班次受训面教育"
