"""Dump every sheet of an .xlsx workbook as JSON, as openpyxl reads it.

Used by gongkai's tests (package officetest) as a reader independent of
the Go writer: cell types, values, hyperlinks, number formats, frozen
panes, autofilters and column widths.
"""
import datetime
import json
import sys

import openpyxl


def cell(c):
    v = c.value
    if isinstance(v, (datetime.datetime, datetime.date)):
        v = v.isoformat()
    out = {"t": c.data_type if v is not None else "", "v": v, "link": "", "fmt": c.number_format}
    if c.hyperlink is not None:
        out["link"] = c.hyperlink.target or ""
    return out


def main(path):
    wb = openpyxl.load_workbook(path)
    sheets = []
    for ws in wb.worksheets:
        rows = [[cell(c) for c in row] for row in ws.iter_rows()]
        widths = {k: d.width for k, d in ws.column_dimensions.items() if d.width}
        sheets.append({
            "name": ws.title,
            "freeze": ws.freeze_panes or "",
            "filter": ws.auto_filter.ref or "",
            "rows": rows,
            "widths": widths,
        })
    json.dump(sheets, sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    main(sys.argv[1])
