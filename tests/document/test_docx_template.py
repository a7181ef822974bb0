"""The Word template itself: reproducible from its script, variables equal to the spec's keys, and
the GB/T 9704 typography (eastAsia fonts, sizes, line pitch, A4 margins, odd/even page numbers)."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import docx
import pytest
from docx.shared import Mm
from lxml import etree

from conftest import REPO, load_script
from ogi.document.docx_render import (
    DERIVED,
    NOT_IN_TEMPLATE,
    PreparedTemplate,
    key_of,
    placeholder,
    template_keys,
)
from ogi.form.spec import FormSpec

TEMPLATE = REPO / "docx_templates" / "gov_info_2021.docx"
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": W}


def _parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def w(attr: str) -> str:
    return f"{{{W}}}{attr}"


@pytest.fixture(scope="module")
def styles() -> etree._Element:
    return etree.fromstring(_parts(TEMPLATE.read_bytes())["word/styles.xml"])


def style(styles: etree._Element, style_id: str) -> etree._Element:
    found = styles.find(f"w:style[@w:styleId='{style_id}']", NS)
    assert found is not None, style_id
    return found


def test_committed_template_equals_a_fresh_build() -> None:
    built = load_script("docx_templates/build_template.py").build()
    committed = _parts(TEMPLATE.read_bytes())
    fresh = _parts(built)
    assert list(fresh) == list(committed)
    for name in fresh:
        assert fresh[name] == committed[name], f"{name} differs: run python docx_templates/build_template.py"
    assert load_script("docx_templates/build_template.py").build() == built  # the build is deterministic to the byte


def test_template_variables_equal_the_spec_keys(spec: FormSpec) -> None:
    prepared = PreparedTemplate(TEMPLATE, spec=spec)
    expected = template_keys(spec)
    assert prepared.variables - expected == set(), "variables the spec does not define"
    assert expected - prepared.variables == set(), "spec keys missing from the template"
    prepared.check_against_spec()
    # The same answer from docxtpl's own analysis (an independent reading of the template).
    from docxtpl import DocxTemplate

    assert DocxTemplate(str(TEMPLATE)).get_undeclared_template_variables() == expected
    # Every spec key is either a template variable or deliberately not printed.
    all_keys = set(spec.metadata_keys) | set(spec.narrative_keys) | set(spec.cells)
    assert {key_of(v) for v in expected - set(DERIVED)} | set(NOT_IN_TEMPLATE) == all_keys


def test_placeholder_mapping_is_one_to_one(spec: FormSpec) -> None:
    names = [placeholder(k) for k in spec.cells]
    assert len(set(names)) == len(names)
    assert placeholder("t3.new_received.natural_person") == "t3__new_received__natural_person"
    assert placeholder("fee.notices_count") == "fee__notices_count"
    assert all(key_of(placeholder(k)) == k for k in spec.cells)
    for bad in ("", "a__b", "T3.x", "t3.x-y", "t3.{{x}}"):
        with pytest.raises(ValueError):
            placeholder(bad)


def test_template_with_a_wrong_variable_is_refused(spec: FormSpec, tmp_path: Path) -> None:
    parts = _parts(TEMPLATE.read_bytes())
    parts["word/document.xml"] = parts["word/document.xml"].replace(
        b"t3__new_received__natural_person", b"t3__new_received__natural_persn")
    broken = tmp_path / "broken.docx"
    with zipfile.ZipFile(broken, "w") as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    from ogi.document.docx_render import RenderError

    with pytest.raises(RenderError, match="t3__new_received__natural_person") as exc:
        PreparedTemplate(broken, spec=spec).check_against_spec()
    assert "t3__new_received__natural_persn" in str(exc.value)


def _fonts(st: etree._Element) -> dict[str, str]:
    rfonts = st.find("w:rPr/w:rFonts", NS)
    assert rfonts is not None
    return {k.split("}")[1]: v for k, v in rfonts.attrib.items()}


def _size(st: etree._Element) -> int:
    sz = st.find("w:rPr/w:sz", NS)
    assert sz is not None
    return int(sz.get(w("val")))


@pytest.mark.parametrize(("style_id", "east_asia", "half_points"), [
    ("Normal", "仿宋_GB2312", 32),       # 正文 3号仿宋
    ("Title", "方正小标宋简体", 44),      # 标题 2号小标宋
    ("Heading1", "黑体", 32),            # 一级标题 3号黑体
    ("Heading2", "楷体_GB2312", 32),     # 二级标题 3号楷体
    ("Footer", "宋体", 28),              # 页码 4号宋体
    ("OgiTableText", "仿宋_GB2312", 21),  # 表格 五号
    ("OgiTableSmall", "仿宋_GB2312", 18),  # 表格 小五
    ("OgiTableLabel", "仿宋_GB2312", 18),
])
def test_styles_carry_east_asian_fonts(styles: etree._Element, style_id: str, east_asia: str,
                                       half_points: int) -> None:
    st = style(styles, style_id)
    fonts = _fonts(st)
    assert fonts["eastAsia"] == east_asia
    latin = "宋体" if style_id == "Footer" else "Times New Roman"  # 4号半角宋体 page numbers
    assert fonts["ascii"] == fonts["hAnsi"] == latin
    assert "asciiTheme" not in fonts and "eastAsiaTheme" not in fonts  # no theme font overrides
    assert _size(st) == half_points
    bold = st.find("w:rPr/w:b", NS)
    assert bold is not None and bold.get(w("val")) == "0"


def test_body_grid_line_pitch_and_indent(styles: etree._Element) -> None:
    normal = style(styles, "Normal")
    spacing = normal.find("w:pPr/w:spacing", NS)
    assert spacing is not None
    assert spacing.get(w("lineRule")) == "exact"
    assert spacing.get(w("line")) == "579"  # 28.95 pt: 225 mm / 22 lines
    ind = normal.find("w:pPr/w:ind", NS)
    assert ind is not None and ind.get(w("firstLineChars")) == "200"  # two characters
    # 28 characters per line: 16 pt characters set 0.25 pt tighter fit 156 mm exactly 28 times.
    char_spacing = int(normal.find("w:rPr/w:spacing", NS).get(w("val")))  # type: ignore[union-attr]
    pitch_pt = 16 + char_spacing / 20
    text_width_pt = (210 - 28 - 26) / 25.4 * 72
    assert int(text_width_pt // pitch_pt) == 28
    for sid in ("Heading1", "Heading2"):
        ppr = style(styles, sid).find("w:pPr", NS)
        assert ppr is not None and ppr.find("w:keepNext", NS) is not None
        assert ppr.find("w:outlineLvl", NS) is not None  # navigation pane / 大纲 in Word and WPS
    # Tables are single-spaced and off the line grid.
    small = style(styles, "OgiTableSmall").find("w:pPr", NS)
    assert small is not None and small.find("w:snapToGrid", NS).get(w("val")) == "0"  # type: ignore[union-attr]
    assert small.find("w:spacing", NS).get(w("lineRule")) == "auto"  # type: ignore[union-attr]
    lang = styles.find("w:docDefaults/w:rPrDefault/w:rPr/w:lang", NS)
    assert lang is not None and lang.get(w("eastAsia")) == "zh-CN"


def test_page_setup_is_gbt_9704() -> None:
    doc = docx.Document(str(TEMPLATE))
    assert len(doc.sections) == 1  # portrait throughout (see build_template.py for why)
    sec = doc.sections[0]
    assert abs(sec.page_width - Mm(210)) < Mm(0.1) and abs(sec.page_height - Mm(297)) < Mm(0.1)
    assert sec.orientation == 0  # portrait
    for actual, mm in ((sec.top_margin, 37), (sec.bottom_margin, 35), (sec.left_margin, 28),
                       (sec.right_margin, 26)):
        assert abs(actual - Mm(mm)) < Mm(0.05), (actual, mm)
    assert doc.settings.odd_and_even_pages_header_footer
    odd, even = sec.footer, sec.even_page_footer
    for footer, align, side in ((odd, "right", "right"), (even, "left", "left")):
        xml = etree.fromstring(footer._element.xml.encode())
        p = xml.find("w:p", NS)
        assert p is not None
        assert p.find("w:pPr/w:jc", NS).get(w("val")) == align  # type: ignore[union-attr]
        assert p.find("w:pPr/w:ind", NS).get(w(side)) == "280"  # 空一字 (one 4号 character)  # type: ignore[union-attr]
        texts = "".join(t.text or "" for t in p.iter(w("t")))
        assert texts == "— 1 —"  # 一字线, cached page number, 一字线
        assert "PAGE" in "".join(t.text or "" for t in p.iter(w("instrText")))
        fonts = p.find("w:r/w:rPr/w:rFonts", NS)
        assert fonts is not None and fonts.get(w("eastAsia")) == "宋体" and fonts.get(w("ascii")) == "宋体"
        assert p.find("w:r/w:rPr/w:sz", NS).get(w("val")) == "28"  # type: ignore[union-attr]
    grid = etree.fromstring(doc.sections[0]._sectPr.xml.encode()).find("w:docGrid", NS)
    assert grid is not None and grid.get(w("linePitch")) == "579"


def test_template_opens_as_a_plain_word_file() -> None:
    doc = docx.Document(str(TEMPLATE))
    assert len(doc.tables) == 3
    names = [p.style.name for p in doc.paragraphs if p.text.startswith(("一、", "二、", "三、"))]
    assert names and set(names) == {"Heading 1"}
    title = doc.paragraphs[0]
    assert title.style.name == "Title"
    # ogi places the title's lines (ogi.document.typeset.title_lines) and joins them with line breaks.
    assert "{{ line }}" in title.text and "title_lines" in title.text
    assert doc.core_properties.author == "ogi"
