"""The repository's documentation stands alone: no file points to a design document kept
outside the repository, every `docs/<page>.md` a file mentions exists (and so does the
section it names in quotes), and every relative link in a Markdown file resolves to a file
and, with an anchor, to a heading of it. Reads text files only: no warehouse, no fixture."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path

from conftest import checkout_files

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"

# Design notes that lived beside the repository before docs/ existed (names assembled so
# this file does not mention them itself).
OUTSIDE_DOCUMENTS = re.compile(
    r"\b(?:" + "|".join(("DESIGN", "STACK", "FORMATS", "PRICING", "STYLE")) + r")\.md\b"
    r"|" + re.escape("shared" + "/docs") + r"|" + re.escape(".." + "/shared")
)
DOCS_PAGE = re.compile(r"\bdocs/([\w-]+\.md)\b")
# `docs/<page>.md, "Section"` or `docs/<page>.md ("Section")`, anywhere
QUOTED_SECTION = re.compile(r'\bdocs/([\w-]+\.md)(?:,\s*|\s+\(\s*)"([^"]+)"')
# `docs/<page>.md, Section)` (or `:` / `;` after it): how seed rows cite a section
SEED_SECTION = re.compile(r"\bdocs/([\w-]+\.md), ([A-Z][^\"():;,]*)[):;]")
MARKDOWN_LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
FENCED_BLOCK = re.compile(r"^(```|~~~).*?^\1[^\n]*$", re.MULTILINE | re.DOTALL)
INLINE_CODE = re.compile(r"`[^`\n]*`")
HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$", re.MULTILINE)


@cache
def _text_files() -> dict[Path, str]:
    texts = {}
    for path in checkout_files():
        data = path.read_bytes()
        if b"\0" in data:
            continue
        try:
            texts[path] = data.decode("utf-8")
        except UnicodeDecodeError:
            continue
    return texts


def _line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def _where(path: Path, text: str, offset: int) -> str:
    return f"{path.relative_to(ROOT)}:{_line_of(text, offset)}"


def _slug(heading: str) -> str:
    """A heading's anchor as GitHub writes it."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading.strip())  # a link: its text
    text = re.sub(r"[^\w\- ]", "", text.lower())  # `code` marks, dots, brackets go
    return text.replace(" ", "-")


@cache
def _headings(path: Path) -> tuple[list[str], set[str]]:
    """The headings of a Markdown file (plain text) and their anchors."""
    text = FENCED_BLOCK.sub("", path.read_text(encoding="utf-8"))
    titles, anchors, seen = [], set(), {}
    for title in HEADING.findall(text):
        plain = re.sub(r"[`*]", "", title).strip()
        titles.append(plain)
        slug = _slug(title)
        count = seen.get(slug, 0)
        seen[slug] = count + 1
        anchors.add(slug if count == 0 else f"{slug}-{count}")
    return titles, anchors


def _has_section(page: Path, section: str) -> bool:
    wanted = " ".join(section.split()).lower()
    titles, _ = _headings(page)
    return any(" ".join(title.split()).lower() == wanted for title in titles)


def _markdown_links(text: str) -> Iterator[tuple[int, str]]:
    """(offset, target) of every link outside code; code is blanked, offsets kept."""
    blank = lambda match: re.sub(r"[^\n]", " ", match.group(0))  # noqa: E731
    prose = INLINE_CODE.sub(blank, FENCED_BLOCK.sub(blank, text))
    for match in MARKDOWN_LINK.finditer(prose):
        yield match.start(), match.group(1)


def test_nothing_points_to_documents_outside_the_repository():
    found = [
        f"{_where(path, text, match.start())}: {match.group(0)}"
        for path, text in _text_files().items()
        for match in OUTSIDE_DOCUMENTS.finditer(text)
    ]
    assert not found, "references to documents that are not in the repository:\n" + "\n".join(found)


def test_every_docs_page_and_section_mentioned_exists():
    problems = []
    for path, text in _text_files().items():
        for match in DOCS_PAGE.finditer(text):
            if not (DOCS / match.group(1)).is_file():
                problems.append(f"{_where(path, text, match.start())}: no docs/{match.group(1)}")
        sections = [*QUOTED_SECTION.finditer(text)]
        if path.suffix == ".csv":
            sections += SEED_SECTION.finditer(text)
        for match in sections:
            page, section = DOCS / match.group(1), match.group(2)
            if page.is_file() and not _has_section(page, section):
                problems.append(
                    f"{_where(path, text, match.start())}: docs/{match.group(1)} has no "
                    f"section {' '.join(section.split())!r}"
                )
    assert not problems, "\n".join(problems)


def test_relative_links_in_markdown_resolve():
    problems = []
    for path, text in _text_files().items():
        if path.suffix.lower() != ".md":
            continue
        for offset, target in _markdown_links(text):
            if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.IGNORECASE):
                continue  # https:, mailto: ...
            file_part, _, anchor = target.partition("#")
            linked = (path.parent / file_part).resolve() if file_part else path
            where = _where(path, text, offset)
            if not linked.exists():
                problems.append(f"{where}: {target} (no such file)")
            elif not linked.is_relative_to(ROOT):
                problems.append(f"{where}: {target} (outside the repository)")
            elif anchor and linked.suffix.lower() == ".md":
                if anchor.lower() not in _headings(linked)[1]:
                    problems.append(f"{where}: {target} (no such heading)")
    assert not problems, "broken links:\n" + "\n".join(problems)


def test_docs_index_links_every_page():
    index = (DOCS / "README.md").read_text(encoding="utf-8")
    linked = {target.partition("#")[0] for _, target in _markdown_links(index)}
    missing = sorted(
        page.name
        for page in DOCS.glob("*.md")
        if page.name != "README.md" and page.name not in linked
    )
    assert not missing, f"docs/README.md does not link: {', '.join(missing)}"
