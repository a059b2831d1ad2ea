"""The DOC / WPS reader: LibreOffice converts the file to DOCX, then the DOCX reader reads it.

Old Word (.doc) and WPS (.wps) files are OLE compound files holding a ``WordDocument`` stream.
LibreOffice runs headless in a temporary folder with its own profile (so it never meets a user's
running instance) and a timeout; without LibreOffice the file is reported with the install hint.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from planparse.document import PlanDoc
from planparse.ingest import IngestError
from planparse.readers import reader

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_WORD_STREAM = "WordDocument".encode("utf-16-le")
TIMEOUT_S = 120
INSTALL_HINT = "install LibreOffice to read .doc/.wps files (Debian/Ubuntu: apt-get install libreoffice-writer-nogui)"


def _is_word_ole(data: bytes, source_path: str) -> bool:
    return data.startswith(_OLE) and _WORD_STREAM in data


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


@reader("doc", suffixes=(".doc", ".wps"), sniff=_is_word_ole)
def read_doc(data: bytes, source_path: str) -> PlanDoc:
    from planparse.readers.docx import docx_document

    return docx_document(convert_to_docx(data), "doc")


def convert_to_docx(data: bytes) -> bytes:
    exe = soffice()
    if exe is None:
        raise IngestError("needs_libreoffice", f"an old Word/WPS document: {INSTALL_HINT}")
    with tempfile.TemporaryDirectory(prefix="planparse-doc-") as tmp:
        src = Path(tmp) / "source.doc"
        src.write_bytes(data)
        profile = Path(tmp, "profile").as_uri()
        cmd = [exe, f"-env:UserInstallation={profile}", "--headless", "--norestore",
               "--convert-to", "docx:MS Word 2007 XML", "--outdir", tmp, str(src)]
        try:
            subprocess.run(cmd, capture_output=True, timeout=TIMEOUT_S, check=False, env={**os.environ, "HOME": tmp})
        except subprocess.TimeoutExpired:
            raise IngestError("conversion_timeout", f"LibreOffice did not convert the document within {TIMEOUT_S} s") from None
        out = Path(tmp) / "source.docx"
        if not out.exists():
            raise IngestError("conversion_failed", "LibreOffice could not convert this Word/WPS document (damaged or not a document)")
        return out.read_bytes()
