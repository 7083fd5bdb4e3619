"""A CJK font for reportlab, made from the Noto Sans CJK font already on the system.

reportlab embeds only TrueType outlines and Noto CJK ships PostScript (CFF) outlines, so for
each PDF the characters it uses are cut out of the font (fontTools subset) and their outlines
turned into TrueType quadratics (cu2qu). That takes well under a second, needs no extra font
package, and embeds only the glyphs the document prints.
"""

from __future__ import annotations

import hashlib
import io
from functools import cache
from pathlib import Path

from fontTools import subset
from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTCollection, TTFont, newTable

from shegong.reports.charts import CJK_FONT


class FontMissing(RuntimeError):
    pass


@cache
def _sc_index(path: Path) -> int:
    """Which face of the collection is the simplified Chinese one (Noto Sans CJK SC, or
    Noto Serif CJK SC in the serif collections)."""
    collection = TTCollection(str(path), lazy=True)
    for i, face in enumerate(collection.fonts):
        if face["name"].getDebugName(1) in {"Noto Sans CJK SC", "Noto Serif CJK SC"}:
            return i
    return 0


def _to_truetype(font: TTFont) -> None:
    """Replace CFF outlines by TrueType ones, in place (after fontTools' otf2ttf snippet)."""
    order = font.getGlyphOrder()
    glyph_set = font.getGlyphSet()
    glyf = newTable("glyf")
    glyf.glyphOrder = order
    glyf.glyphs = {}
    for name in order:
        pen = TTGlyphPen(glyph_set)
        glyph_set[name].draw(Cu2QuPen(pen, 1.0, reverse_direction=True))
        glyf.glyphs[name] = pen.glyph()
    font["loca"] = newTable("loca")
    font["glyf"] = glyf
    del font["CFF "]
    if "VORG" in font:
        del font["VORG"]
    glyf.compile(font)
    hmtx = font["hmtx"]
    for name, glyph in glyf.glyphs.items():
        advance, _lsb = hmtx.metrics[name]
        hmtx.metrics[name] = (advance, getattr(glyph, "xMin", 0))
    maxp = newTable("maxp")
    maxp.tableVersion = 0x00010000
    for attr in (
        "maxZones",
        "maxTwilightPoints",
        "maxStorage",
        "maxFunctionDefs",
        "maxInstructionDefs",
        "maxStackElements",
        "maxSizeOfInstructions",
        "maxComponentElements",
    ):
        setattr(maxp, attr, 0)
    maxp.maxZones = 1
    font["maxp"] = maxp
    font["head"].glyphDataFormat = 0
    post = font["post"]
    post.formatType = 2.0
    post.extraNames = []
    post.mapping = {}
    post.glyphOrder = order
    font.sfntVersion = "\x00\x01\x00\x00"


def truetype_subset(text: str, path: Path = CJK_FONT, face_name: str = "ShegongCJK") -> bytes:
    """A TrueType font holding the glyphs of `text` (plus ASCII), as bytes, named
    `face_name`: reportlab keeps a font's glyph data by its face name, so two subsets that
    share the original name would print each other's glyphs (missing-glyph boxes)."""
    if not path.exists():
        raise FontMissing(f"找不到中文字体 {path}")
    font = TTFont(str(path), fontNumber=_sc_index(path))
    options = subset.Options()
    options.layout_features = []
    options.name_IDs = ["*"]
    options.notdef_outline = True
    options.hinting = False
    options.desubroutinize = True
    subsetter = subset.Subsetter(options)
    ascii_text = "".join(chr(c) for c in range(32, 127))
    subsetter.populate(text=text + ascii_text + "%()()—·,。;:、“”")
    subsetter.subset(font)
    names = font["name"]
    for record in list(names.names):
        if record.nameID in (1, 3, 4, 6, 16):
            names.removeNames(nameID=record.nameID)
    for name_id in (1, 3, 4, 6):
        names.setName(face_name, name_id, 3, 1, 0x409)
        names.setName(face_name, name_id, 1, 0, 0)
    _to_truetype(font)
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


def register(text: str, path: Path = CJK_FONT) -> str:
    """Register a font covering `text` with reportlab; its name (one per font and set of
    characters). `path` is another Noto CJK collection (the serif ones of official documents)."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont as ReportlabTTFont

    chars = "".join(sorted(set(text)))
    key = (str(path) + chars) if path != CJK_FONT else chars
    name = "ShegongCJK-" + hashlib.sha1(key.encode(), usedforsecurity=False).hexdigest()[:12]
    if name not in pdfmetrics.getRegisteredFontNames():
        font = truetype_subset(chars, path=path, face_name=name)
        pdfmetrics.registerFont(ReportlabTTFont(name, io.BytesIO(font)))
    return name
