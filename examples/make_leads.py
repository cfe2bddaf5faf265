"""Regenerate examples/leads.xlsx, the sample lead list the README demo checks.

It holds what real lists hold: numbers typed every which way, numeric cells that lost their
'+', national numbers, duplicates, junk, and a formula and formatting that must survive.
Run: python examples/make_leads.py
"""

from __future__ import annotations

from pathlib import Path

import xlsxwriter

LEADS = [
    ("Alpine Outfitters", "Anna Keller", "+41 79 828 46 51"),
    ("Bay Area Bikes", "Ben Ortiz", "+1 (415) 555-2671"),
    ("Café Lumière", "Claire Martin", "+33 6 12 34 56 78"),
    ("Danube Logistics", "Dieter Braun", "0049 1512 3456789"),
    ("Alpine Outfitters", "Anna Keller", 41798284651),
    ("Elbe Foods", "Eva Schulz", "+49-151-2345-6789"),
    ("Fjord Fisheries", "Finn Olsen", "+47 412 34 567"),
    ("Greenwich Tea", "Grace Hall", "+44 7400 123456"),
    ("Helvetia Watches", "Hans Meier", "079 555 12 34"),
    ("Iberia Olive Co", "Inés García", "+34 612 34 56 78"),
    ("Jaipur Textiles", "Jai Sharma", "+91 98765 43210"),
    ("Kiwi Exports", "Kate Brown", "+64 21 123 4567"),
    ("Lagos Tech", "Lola Adeyemi", "+234 803 123 4567"),
    ("Mumbai Spices", "Meera Iyer", "n/a"),
    ("Nordic Design", "Nils Berg", "+46 70 123 45 67"),
    ("Osaka Robotics", "Oki Tanaka", "+81 90-1234-5678"),
    ("Pampas Beef", "Pablo Ruiz", "+54 9 11 2345-6789"),
    ("Quebec Maple", "Quinn Roy", "tel:+1-514-555-0199"),
    ("Rhine Chemicals", "Rita Vogel", "12345"),
    ("Bay Area Bikes", "Ben Ortiz", "+14155552671"),
    ("Sahara Solar", "Samir Haddad", "+212 6 12 34 56 78"),
    ("Ticino Wines", "Tina Rossi", "+41 91 123 45 67"),
    ("Uluru Tours", "Uma Wilson", "+61 412 345 678"),
    ("Vienna Pastry", "Viktor Huber", "+43 664 1234567"),
    ("Warsaw Software", "Wanda Nowak", "+48 512 345 678"),
    ("Zurich Insurance Desk", "Zoe Frei", "044 668 18 00"),
]


def build(path: Path) -> None:
    book = xlsxwriter.Workbook(path)
    bold = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    money = book.add_format({"num_format": "#,##0.00 [$CHF]"})
    sheet = book.add_worksheet("Leads")
    sheet.write_row(0, 0, ["Company", "Contact", "Phone", "Deal size", "Deal (EUR)"], bold)
    for row, (company, contact, phone) in enumerate(LEADS, start=1):
        sheet.write_string(row, 0, company)
        sheet.write_string(row, 1, contact)
        if isinstance(phone, int):
            sheet.write_number(row, 2, phone)  # a numeric cell, as Excel makes of 41798284651
        else:
            sheet.write_string(row, 2, phone)
        sheet.write_number(row, 3, 1000 + 250 * row, money)
        sheet.write_formula(row, 4, f"=D{row + 1}*0.95", money)
    sheet.set_column(0, 1, 22)
    sheet.set_column(2, 2, 20)
    sheet.set_column(3, 4, 14)
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, len(LEADS), 4)
    notes = book.add_worksheet("Notes")
    notes.write_string(0, 0, "Sample data for the xl-wacheck demo; the numbers are made up.")
    book.close()


if __name__ == "__main__":
    build(Path(__file__).with_name("leads.xlsx"))
