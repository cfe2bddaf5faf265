"""Make a workbook with a real pivot table, in headless LibreOffice (XlsxWriter cannot).

Run by the system python3 (UNO): /usr/bin/python3 lo_pivot.py OUT.xlsx
Sheet "Leads" holds Company / Phone / Revenue; sheet "Pivot" holds a pivot table summing
Revenue by Company. Saved with LibreOffice's Excel 2007-365 filter.
"""

import os
import sys

import uno
from com.sun.star.sheet.DataPilotFieldOrientation import DATA, ROW
from com.sun.star.sheet.GeneralFunction import SUM
from com.sun.star.table import CellAddress, CellRangeAddress

sys.path.insert(0, os.path.dirname(__file__))
from lo_vba import office, prop


def main():
    out = os.path.abspath(sys.argv[1])
    with office() as desktop:
        document = desktop.loadComponentFromURL(
            "private:factory/scalc", "_blank", 0, (prop("Hidden", True),)
        )
        sheets = document.Sheets
        leads = sheets.getByIndex(0)
        leads.Name = "Leads"
        for column, title in enumerate(("Company", "Phone", "Revenue")):
            leads.getCellByPosition(column, 0).setString(title)
        for row in range(1, 21):
            leads.getCellByPosition(0, row).setString(f"Company {row % 4}")
            leads.getCellByPosition(1, row).setString(f"+4474001{row:05d}")
            leads.getCellByPosition(2, row).setValue(1000 + row)
        sheets.insertNewByName("Pivot", 1)
        tables = sheets.getByName("Pivot").getDataPilotTables()
        descriptor = tables.createDataPilotDescriptor()
        source = CellRangeAddress()
        source.Sheet, source.StartColumn, source.StartRow = 0, 0, 0
        source.EndColumn, source.EndRow = 2, 20
        descriptor.setSourceRange(source)
        fields = descriptor.getDataPilotFields()
        fields.getByIndex(0).Orientation = ROW
        revenue = fields.getByIndex(2)
        revenue.Orientation = DATA
        revenue.Function = SUM
        target = CellAddress()
        target.Sheet, target.Column, target.Row = 1, 0, 0
        tables.insertNewByName("LeadPivot", target, descriptor)
        document.storeToURL(
            uno.systemPathToFileUrl(out), (prop("FilterName", "Calc MS Excel 2007 XML"),)
        )
        document.close(True)


if __name__ == "__main__":
    main()
