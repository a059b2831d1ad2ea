"""Write running_lines.pdf: a three-page plan with a running header, a "— N —" page-number footer,
paragraphs that run across page breaks and radical look-alike characters, as LibreOffice exports it.

    python tests/data/pdf/make_running_lines.py   (needs soffice; the PDF is checked in)
"""

import subprocess
import tempfile
from pathlib import Path
from xml.sax.saxutils import escape

HERE = Path(__file__).resolve().parent
HEADER = "某县农业农村局文件"
PARAGRAPHS = [
    ("title", "某县数字乡村建设三年行动方案（2024—2026年）"),
    ("body", "为加快推进数字乡村建设，结合我县实际，制定本方案。"),
    ("body", "一、总体要求"),
    ("body", "（一）指导思想。坚持以数字化转型整体驱动农业农村现代化，建立健全⻓效机制，统筹推进各部⻔数据共享。"),
]
AREAS = ["乡村产业", "乡村治理", "公共服务", "智慧农业", "农村电商", "数字金融", "生态保护", "文化传承"]
for n, area in enumerate(AREAS, 1):
    PARAGRAPHS.append(("body", f"{n}.推进{area}数字化。" + "".join(
        f"围绕{area}第{k}个环节，推进信息基础设施建设和数字技术应用，提升{AREAS[(n + k) % 8]}数字化水平，" for k in range(1, 6)
    ) + f"到2026年底前完成第{n}项任务。"))
PARAGRAPHS.append(("body", "二、保障措施"))
PARAGRAPHS.append(("body", "各乡镇、各有关部门要加强组织领导，开展专项⾏动，确保各项任务落到实处。"))

FODT = """<?xml version="1.0" encoding="UTF-8"?>
<office:document xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"
 xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"
 xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" office:version="1.2" office:mimetype="application/vnd.oasis.opendocument.text">
 <office:font-face-decls><style:font-face style:name="Noto Serif CJK SC" svg:font-family="'Noto Serif CJK SC'" xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0"/></office:font-face-decls>
 <office:styles>
  <style:style style:name="Standard" style:family="paragraph"><style:text-properties style:font-name="Noto Serif CJK SC" fo:font-size="15pt" style:font-name-asian="Noto Serif CJK SC" style:font-size-asian="15pt"/></style:style>
  <style:style style:name="Body" style:family="paragraph" style:parent-style-name="Standard"><style:paragraph-properties fo:text-indent="30pt" fo:line-height="150%"/></style:style>
  <style:style style:name="Title" style:family="paragraph" style:parent-style-name="Standard"><style:paragraph-properties fo:text-align="center"/><style:text-properties fo:font-size="20pt" style:font-size-asian="20pt"/></style:style>
  <style:style style:name="Center" style:family="paragraph" style:parent-style-name="Standard"><style:paragraph-properties fo:text-align="center"/><style:text-properties fo:font-size="10pt" style:font-size-asian="10pt"/></style:style>
 </office:styles>
 <office:automatic-styles>
  <style:page-layout style:name="pm1"><style:page-layout-properties fo:page-width="21cm" fo:page-height="29.7cm" fo:margin-top="1.5cm" fo:margin-bottom="1.5cm" fo:margin-left="2.8cm" fo:margin-right="2.6cm"/>
   <style:header-style><style:header-footer-properties fo:min-height="1cm" fo:margin-bottom="0.8cm"/></style:header-style>
   <style:footer-style><style:header-footer-properties fo:min-height="1cm" fo:margin-top="0.8cm"/></style:footer-style></style:page-layout>
 </office:automatic-styles>
 <office:master-styles><style:master-page style:name="Standard" style:page-layout-name="pm1">
  <style:header><text:p text:style-name="Center">{header}</text:p></style:header>
  <style:footer><text:p text:style-name="Center">— <text:page-number text:select-page="current">1</text:page-number> —</text:p></style:footer>
 </style:master-page></office:master-styles>
 <office:body><office:text>
{body}
 </office:text></office:body>
</office:document>
"""


def main() -> None:
    body = "\n".join(
        f'<text:p text:style-name="{"Title" if kind == "title" else "Body"}">{escape(text)}</text:p>' for kind, text in PARAGRAPHS
    )
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "running_lines.fodt"
        src.write_text(FODT.format(header=HEADER, body=body), encoding="utf-8")
        subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(HERE), str(src)], check=True, capture_output=True)


if __name__ == "__main__":
    main()
