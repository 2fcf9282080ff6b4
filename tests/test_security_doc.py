"""docs/security.md names the test that proves each row: every test it names exists."""

from __future__ import annotations

import re

from conftest import ROOT

DOC = ROOT / "docs" / "security.md"


def test_every_test_named_in_the_security_doc_exists():
    text = DOC.read_text()
    # `tests/file.py::test`, `file.py::test` (under tests/) and `::test` (the file named last).
    named = re.findall(r"`(?:tests/)?((?:\w+/)*test_\w+\.py)((?:::\w+)?)`|`::(\w+)`", text)
    last, checked = None, 0
    for path, function, short in named:
        if path:
            last = "tests/" + path
            assert (ROOT / last).is_file(), last
        name = (function or "")[2:] or short
        if name:
            assert last is not None, name
            assert re.search(rf"^def {name}\(", (ROOT / last).read_text(), re.M), (last, name)
            checked += 1
    assert checked >= 10
