"""The render's fast path (no docxtpl listing pass, no lxml re-serialisation: an expat
well-formedness check on text made canonical by string edits) writes the very bytes of the full
path (docxtpl ``resolve_listing``, lxml parse + re-serialise) for every kind of report: hostile
narrative, blank cells (emptied ``<w:t>`` elements), markup in metadata, very long text."""

from __future__ import annotations

import pytest
from test_docx_render import HOSTILE, make_report

from conftest import balanced_values
from ogi.document.docx_render import RenderError, _canonical_part, build_context, prepared_template
from ogi.form.report import Report
from ogi.form.spec import FormSpec


def _reports(spec: FormSpec) -> list[Report]:
    hostile = make_report(spec, overview=HOSTILE, proactive="长" * 29_990 + "结尾",
                          problems="第一行\x0b第二行\x0c第三行 &#34; &amp;#39; &lt;")
    hostile.metadata["agency_name"] = "白阳镇<&>\"'人民政府"
    hostile.metadata["address"] = "{{ x }} ]]> &#13; \u00a0"
    blank = make_report(spec)
    blank.values = {}  # every value blank: what --force renders
    partly = make_report(spec, {k: v for i, (k, v) in enumerate(balanced_values(spec, 3).items())
                                if i % 3})
    empty_text = make_report(spec, **dict.fromkeys(spec.narrative_keys, ""))
    empty_text.metadata = {"agency_name": "", "year": ""}
    return [make_report(spec), hostile, blank, partly, empty_text]


@pytest.mark.parametrize("case", range(5))
def test_fast_render_is_byte_identical_to_lxml_reserialisation(spec: FormSpec, case: int,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    tpl = prepared_template()
    report = _reports(spec)[case]
    context = build_context(report, spec)
    assert tpl._parts, "the template has parts with Jinja content"
    listing = tpl._tpl.resolve_listing
    for part in tpl._parts.values():
        with monkeypatch.context() as m:  # the fast path really is taken: no listing pass
            m.setattr(tpl._tpl, "resolve_listing", lambda xml: pytest.fail("listing pass ran"))
            fast = tpl._render_part(part, context)
        assert tpl._tpl.resolve_listing == listing
        full = tpl._render_part(part, context, fast=False)
        assert fast == full, part.name
    assert tpl.render(report) == tpl.render(Report.from_json(report.to_json()))


def test_fast_path_refuses_xml_that_is_not_well_formed() -> None:
    assert _canonical_part('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<a>x</a>') == \
        b"<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n<a>x</a>"
    assert _canonical_part('<a><b x="1"></b><c></c>&#34;&#39;</a>') == b"<a><b x=\"1\"/><c/>\"'</a>"
    for broken in ("<a><b></a>", "<a>&nope;</a>", "<a>\x01</a>", "<a></a><b/>"):
        with pytest.raises(RenderError):
            _canonical_part(broken)


# ------------------------------------------------------------------------------------------------
# The prepared template's per-user cache (docxtpl patch_xml + Jinja compilation, ≈ 100 ms cold)


def test_prepared_template_cache_gives_the_same_bytes(spec: FormSpec, tmp_path,  # type: ignore[no-untyped-def]
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    from docxtpl import DocxTemplate

    from ogi.document.docx_render import PreparedTemplate

    report = _reports(spec)[1]
    monkeypatch.setenv("OGI_CACHE_DIR", "")
    uncached = PreparedTemplate(spec=spec).render(report)
    cache = tmp_path / "cache"
    monkeypatch.setenv("OGI_CACHE_DIR", str(cache))
    first = PreparedTemplate(spec=spec)
    entries = list(cache.iterdir())
    assert len(entries) == 1 and entries[0].name.startswith("template-")
    with monkeypatch.context() as m:  # a cache hit does not patch or compile anything
        m.setattr(DocxTemplate, "patch_xml", lambda self, xml: pytest.fail("patched again"))
        second = PreparedTemplate(spec=spec)
    second.check_against_spec()
    assert second.variables == first.variables
    assert first.render(report) == second.render(report) == uncached
    # A damaged entry is ignored and replaced; an unwritable cache folder is no cache at all.
    entries[0].write_bytes(b"\x00garbage")
    assert PreparedTemplate(spec=spec).render(report) == uncached
    assert entries[0].read_bytes() != b"\x00garbage"
    blocked = tmp_path / "file"
    blocked.write_text("x")
    monkeypatch.setenv("OGI_CACHE_DIR", str(blocked / "sub"))
    assert PreparedTemplate(spec=spec).render(report) == uncached
