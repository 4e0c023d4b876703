"""The EPUB: valid (EPUBCheck), accessible (DAISY Ace), well described, reproducible.

The checkers run on the real EPUB from the session build. Each checker also runs
on a copy of it with one known defect, which must fail: that proves a finding
reaches the test result. The structure tests read the EPUB's own files.
"""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import LANGUAGES, ROOT, outputs_of, run_make, translated, translator

from handbook.epub import builder as epub_builder
from handbook.common.edition import edition_info
import epub_checks
from epub_checks import describe, run_ace, run_epubcheck

NS = {
    "opf": "http://www.idpf.org/2007/opf",
    "dc": "http://purl.org/dc/elements/1.1/",
    "xhtml": "http://www.w3.org/1999/xhtml",
    "epub": "http://www.idpf.org/2007/ops",
    "ncx": "http://www.daisy.org/z3986/2005/ncx/",
}
EPUB_TYPE = f"{{{NS['epub']}}}type"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
PARTS = ("Immigration Enforcement", "Combating Transnational Crime")


def assert_no_findings(findings) -> None:
    assert not findings, f"{len(findings)} finding(s):\n{describe(findings)}"


def read_xml(epub: Path, name: str) -> ET.Element:
    with zipfile.ZipFile(epub) as book:
        return ET.fromstring(book.read(name))


def rezip(source: Path, target: Path, edits: dict[str, Callable[[str], str]]) -> Path:
    """A copy of the EPUB with some of its text files edited, entries in the same order."""
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(target, "w") as copy:
        for info in original.infolist():
            data = original.read(info)
            if info.filename in edits:
                edited = edits[info.filename](data.decode("utf-8"))
                assert edited != data.decode("utf-8"), f"the defect was not put into {info.filename}"
                data = edited.encode("utf-8")
            copy.writestr(info, data)
    return target


@pytest.fixture(scope="session")
def epub(outputs) -> Path:
    return outputs.epub


@pytest.fixture(scope="session")
def package(epub) -> ET.Element:
    return read_xml(epub, "content.opf")


@pytest.fixture(scope="session")
def nav(epub) -> ET.Element:
    return read_xml(epub, "nav.xhtml")


def metadata_values(package: ET.Element, prop: str) -> list[str]:
    return [meta.text for meta in package.iterfind(f"opf:metadata/opf:meta[@property='{prop}']", NS)]


# -- The checkers ---------------------------------------------------------------


def test_epubcheck_finds_nothing(epub):
    assert_no_findings(run_epubcheck(epub))


def test_ace_finds_nothing(epub):
    assert_no_findings(run_ace(epub))


def test_an_epubcheck_finding_fails_the_test(epub, tmp_path):
    # The diagram stays in the zip, but the manifest no longer declares it.
    defective = rezip(epub, tmp_path / "undeclared-image.epub", {
        "content.opf": lambda opf: re.sub(r"\s*<item [^>]*href=\"_images/mission-areas.svg\"[^>]*/>", "", opf),
    })
    with pytest.raises(AssertionError, match=r"EPUBCheck ERROR RSC-008"):
        assert_no_findings(run_epubcheck(defective))


def test_an_ace_finding_fails_the_test(epub, tmp_path):
    # The diagram loses its text alternative.
    defective = rezip(epub, tmp_path / "image-without-alt.epub", {
        "index.xhtml": lambda page: re.sub(r'(<img\b[^>]*?)\s+alt="[^"]*"', r"\1", page),
    })
    with pytest.raises(AssertionError, match=r"Ace critical image-alt at index.xhtml"):
        assert_no_findings(run_ace(defective))


# -- Metadata -------------------------------------------------------------------


def test_the_package_describes_the_book(package):
    uid = package.get("unique-identifier")
    identifier = package.find(f"opf:metadata/dc:identifier[@id='{uid}']", NS)
    assert identifier is not None and identifier.text.startswith("urn:uuid:")
    for element in ("title", "language", "creator", "publisher"):
        assert package.findtext(f"opf:metadata/dc:{element}", namespaces=NS), f"dc:{element} is missing"


def test_the_package_is_in_the_editions_language(outputs, package):
    _ = translator(outputs.language)
    assert package.findtext("opf:metadata/dc:language", namespaces=NS) == outputs.language
    assert package.get(XML_LANG) == outputs.language
    title = package.findtext("opf:metadata/dc:title", namespaces=NS)
    assert title.startswith(_("Immigration Enforcement and Combating Transnational Crime")), title
    summary = metadata_values(package, "schema:accessibilitySummary")[0]
    assert summary == _(
        "This publication conforms to EPUB Accessibility 1.1 and WCAG 2.2 Level AA. "
        "It is reflowable text with a table of contents, headings for every chapter "
        "and section, and a glossary. Its one diagram has a text alternative, and the "
        "text after it gives the same facts. No meaning rests on colour alone, and "
        "readers can change the font, size and colours."
    )


def test_the_modified_date_is_the_editions(package):
    edition = edition_info(ROOT)
    assert metadata_values(package, "dcterms:modified") == [epub_builder.w3c_datetime(edition.timestamp)]
    assert package.findtext("opf:metadata/dc:date", namespaces=NS) == edition.date
    assert edition.commit in metadata_values(package, "schema:version")[0]


def test_the_accessibility_metadata_is_complete(package):
    assert set(metadata_values(package, "schema:accessMode")) == {"textual", "visual"}
    assert metadata_values(package, "schema:accessModeSufficient") == ["textual"]
    features = set(metadata_values(package, "schema:accessibilityFeature"))
    assert {"structuralNavigation", "tableOfContents", "alternativeText", "readingOrder",
            "displayTransformability"} <= features
    assert metadata_values(package, "schema:accessibilityHazard") == ["none"]
    assert metadata_values(package, "schema:accessibilitySummary")[0].strip()
    assert metadata_values(package, "dcterms:conformsTo") == ["EPUB Accessibility 1.1 - WCAG 2.2 Level AA"]
    assert metadata_values(package, "a11y:certifiedBy")[0].strip()


def test_the_cover_image_is_declared_and_described(outputs, epub, package):
    _ = translator(outputs.language)
    covers = package.findall("opf:manifest/opf:item[@properties='cover-image']", NS)
    assert [item.get("media-type") for item in covers] == ["image/png"]
    cover_page = read_xml(epub, "cover.xhtml")
    image = cover_page.find(".//xhtml:img", NS)
    assert image.get("src") == covers[0].get("href")
    alt = image.get("alt")
    assert _("Immigration Enforcement and Combating Transnational Crime") in alt
    assert _("Edition of %(date)s") % {"date": edition_info(ROOT).date} in alt
    assert ".." not in alt, "one full stop between the cover's lines"


# -- Navigation and pages -------------------------------------------------------


def test_the_contents_group_the_chapters_under_both_parts(outputs, nav):
    toc = nav.find(".//xhtml:nav[@role='doc-toc']", NS)
    assert toc is not None and toc.get(EPUB_TYPE) == "toc"
    parts = {item.findtext("xhtml:span", namespaces=NS): item for item in toc.iterfind("xhtml:ol/xhtml:li", NS)}
    for part in (translated(outputs.language, part, "index") for part in PARTS):
        assert part in parts, f"the contents lack the part {part!r}"
        chapters = parts[part].findall("xhtml:ol/xhtml:li/xhtml:a", NS)
        assert len(chapters) >= 5, f"the part {part!r} lists {len(chapters)} chapters"


def test_the_landmarks_lead_to_cover_contents_and_text(nav):
    landmarks = nav.find(".//xhtml:nav[@epub:type='landmarks']", NS)
    types = {link.get(EPUB_TYPE): link.get("href") for link in landmarks.iterfind(".//xhtml:a", NS)}
    assert types == {"cover": "cover.xhtml", "toc": "nav.xhtml#toc", "bodymatter": "index.xhtml"}


def test_the_ncx_carries_the_books_identifier(epub, package):
    ncx = read_xml(epub, "toc.ncx")
    uid = ncx.find("ncx:head/ncx:meta[@name='dtb:uid']", NS).get("content")
    assert uid == package.findtext("opf:metadata/dc:identifier", namespaces=NS)


def test_every_page_declares_its_language(outputs, epub, package):
    language = package.findtext("opf:metadata/dc:language", namespaces=NS)
    assert language == outputs.language
    pages = [item.get("href") for item in package.iterfind("opf:manifest/opf:item", NS)
             if item.get("media-type") == "application/xhtml+xml"]
    for page in pages:
        html = read_xml(epub, page)
        assert (html.get("lang"), html.get(XML_LANG)) == (language, language), page


def test_the_part_captions_on_the_first_page_are_headings_with_a_level(outputs, epub):
    captions = read_xml(epub, "index.xhtml").findall(".//xhtml:p[@role='heading']", NS)
    parts = {translated(outputs.language, part, "index") for part in PARTS}
    assert {caption.findtext("xhtml:span", namespaces=NS) for caption in captions} >= parts
    assert all(caption.get("aria-level", "").isdigit() for caption in captions)


def test_the_colophon_gives_the_edition_and_says_the_book_is_independent(outputs, epub):
    _ = translator(outputs.language)
    edition = edition_info(ROOT)
    text = " ".join(" ".join(read_xml(epub, "colophon.xhtml").itertext()).split())
    assert edition.date in text and edition.commit in text
    assert _("This handbook is an independent summary of the public description of the two mission areas of "
             "U.S. Immigration and Customs Enforcement (ICE). It is not an official publication of ICE or of "
             "any government agency.") in text


def test_the_book_carries_only_its_own_stylesheet_and_typeface(epub):
    with zipfile.ZipFile(epub) as book:
        names = book.namelist()
    assert [name for name in names if name.endswith(".css")] == ["_static/reading.css"]
    assert not [name for name in names if name.endswith((".js", ".woff", ".woff2", ".eot"))]
    fonts = sorted(name for name in names if name.endswith(".ttf"))
    assert fonts and all("AtkinsonHyperlegible" in name for name in fonts)


# -- Reproducibility ------------------------------------------------------------


def test_the_zip_follows_the_container_rules_with_the_editions_time(epub):
    with zipfile.ZipFile(epub) as book:
        entries = book.infolist()
    assert entries[0].filename == "mimetype" and entries[0].compress_type == zipfile.ZIP_STORED
    assert not entries[0].extra
    date_time = epub_builder.zip_date_time(edition_info(ROOT).timestamp)
    assert {entry.date_time for entry in entries} == {date_time}
    stored = dt.datetime(*date_time, tzinfo=dt.timezone.utc).timestamp()
    assert 0 <= edition_info(ROOT).timestamp - stored < 2  # zip's two-second steps


def test_zip_times_round_odd_seconds_down():
    assert epub_builder.zip_date_time(1795908601)[5] % 2 == 0  # 2026-11-28 ...:01
    assert epub_builder.zip_date_time(1795908601)[:5] == epub_builder.zip_date_time(1795908600)[:5]
    assert epub_builder.zip_date_time(0) == (1980, 1, 1, 0, 0, 0)


@pytest.mark.slow  # `make epub` twice, with the PDFs it follows
@pytest.mark.parametrize("language", LANGUAGES)
def test_two_builds_of_one_commit_give_the_same_bytes(tmp_path, language):
    books = []
    for build in ("first", "second"):
        done = run_make(tmp_path / build, "epub", languages=[language])
        assert done.returncode == 0, f"`make epub` failed:\n{done.stdout}\n{done.stderr}"
        books.append(outputs_of(tmp_path / build, language).epub.read_bytes())
    assert books[0] == books[1]


# -- Pure helpers of the builder ------------------------------------------------


def test_manifest_ids_are_readable_xml_names():
    assert epub_builder.manifest_id("front/about.xhtml") == "f-front-about-xhtml"
    assert epub_builder.manifest_id("_images/cover.png") == "f-images-cover-png"


def test_zip_times_before_1980_are_clamped():
    assert epub_builder.zip_date_time(0) == (1980, 1, 1, 0, 0, 0)
    assert epub_builder.zip_date_time(1_800_000_000) == (2027, 1, 15, 8, 0, 0)


def test_the_modified_date_has_the_required_form():
    assert epub_builder.w3c_datetime(1_800_000_000) == "2027-01-15T08:00:00Z"


def test_words_wrap_to_the_width():
    assert epub_builder.wrap_words("one two three four", lambda line: len(line) <= 9) == [
        "one two", "three", "four",
    ]


def test_the_zip_must_start_with_mimetype(tmp_path):
    (tmp_path / "content.opf").write_text("<package/>")
    with pytest.raises(ValueError, match="mimetype"):
        epub_builder.write_reproducible_zip(tmp_path, ["content.opf"], tmp_path / "book.epub", 0)


def test_a_missing_java_is_one_line_naming_the_package(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty folder: no java anywhere
    with pytest.raises(epub_checks.CheckerError) as raised:
        epub_checks.run_epubcheck(tmp_path / "any.epub")
    message = str(raised.value)
    assert "\n" not in message and "apt-get install default-jre-headless" in message


def test_an_ace_failure_says_its_status_and_why(tmp_path):
    # A file that is not a ZIP: Ace writes no report, and its log says what went wrong.
    broken = tmp_path / "broken.epub"
    broken.write_text("not an EPUB")
    with pytest.raises(epub_checks.CheckerError) as raised:
        run_ace(broken)
    message = str(raised.value)
    assert "DAISY Ace wrote no report (exit status 1)" in message
    assert "end of central directory record signature not found" in message
    assert "\x1b[" not in message, "the log's colours are left out"
