"""Write ruled_table.pdf: a task-division table (任务分工表) drawn with ruling lines, with a merged
cell, between paragraphs, as LibreOffice exports it.

    python tests/data/pdf/make_ruled_table.py   (needs soffice; the PDF is checked in)
"""

import subprocess
import tempfile
from pathlib import Path
from xml.sax.saxutils import escape

HERE = Path(__file__).resolve().parent
HEADER = ["序号", "重点任务", "牵头单位", "配合单位", "完成时限"]
ROWS = [
    ["1", "建设县级农产品产地冷藏保鲜设施，完善冷链物流网络", "县农业农村局", "县商务局、县交通运输局", "2025年底前"],
    ["2", "推进高标准农田建设，新增高效节水灌溉面积", "县农业农村局", "县水务局", "2025年6月底前"],
    ["3", "开展农机购置与应用补贴政策宣传", None, "各乡镇人民政府", "持续推进"],  # lead merged with the row above
    ["4", "培育农业产业化龙头企业和农民合作社示范社", "县农业农村局", "县市场监管局、县税务局", "2026年底前"],
]

FODT = """<?xml version="1.0" encoding="UTF-8"?>
<office:document xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"
 xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"
 xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"
 xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" office:version="1.2" office:mimetype="application/vnd.oasis.opendocument.text">
 <office:styles>
  <style:style style:name="Standard" style:family="paragraph"><style:text-properties style:font-name="Noto Serif CJK SC" fo:font-size="14pt" style:font-name-asian="Noto Serif CJK SC" style:font-size-asian="14pt"/></style:style>
  <style:style style:name="Small" style:family="paragraph" style:parent-style-name="Standard"><style:text-properties fo:font-size="10.5pt" style:font-size-asian="10.5pt"/></style:style>
 </office:styles>
 <office:automatic-styles>
  <style:style style:name="Cell" style:family="table-cell"><style:table-cell-properties fo:border="0.5pt solid #000000" fo:padding="0.05cm"/></style:style>
 </office:automatic-styles>
 <office:body><office:text>
<text:p text:style-name="Standard">附件</text:p>
<text:p text:style-name="Standard">某县农业农村现代化重点任务分工表</text:p>
<table:table table:name="T1">
<table:table-column table:number-columns-repeated="5"/>
{rows}
</table:table>
<text:p text:style-name="Standard">各牵头单位要于每季度末报送任务进展情况。</text:p>
 </office:text></office:body>
</office:document>
"""


def _cell(text, below_merged: bool) -> str:
    if text is None:
        return '<table:covered-table-cell/>'
    span = ' table:number-rows-spanned="2"' if below_merged else ""
    return f'<table:table-cell table:style-name="Cell"{span}><text:p text:style-name="Small">{escape(text)}</text:p></table:table-cell>'


def main() -> None:
    grid = [HEADER] + ROWS
    rows = []
    for r, row in enumerate(grid):
        cells = [_cell(t, r + 1 < len(grid) and grid[r + 1][c] is None) for c, t in enumerate(row)]
        rows.append("<table:table-row>" + "".join(cells) + "</table:table-row>")
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "ruled_table.fodt"
        src.write_text(FODT.format(rows="\n".join(rows)), encoding="utf-8")
        subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(HERE), str(src)], check=True, capture_output=True)


if __name__ == "__main__":
    main()
