"""The papers' tables have the shape the notebooks print them in."""

import pytest

from course_utils import Table, papers

TABLES = {
    "HE2015_CIFAR10": papers.HE2015_CIFAR10_COLUMNS,
    "HE2016_ACTIVATION_TABLE": papers.HE2016_ACTIVATION_COLUMNS,
    "HE2016_PREACT_TABLE3": papers.HE2016_PREACT_TABLE3_COLUMNS,
    "IDENTITY_INIT_UNNORMALISED": papers.IDENTITY_INIT_UNNORMALISED_COLUMNS,
    "LIU2020_BLEU": ("norm", *papers.LIU2020_DEPTHS),
}


@pytest.mark.parametrize("name", sorted(TABLES))
def test_every_row_fits_its_header_and_keeps_the_papers_digits(name):
    rows, columns = getattr(papers, name), TABLES[name]
    table = Table(list(columns), rows)          # raises when a row has the wrong number of cells
    # Cells are the papers' own strings: a float would lose a printed digit ("6.50" -> "6.5").
    assert all(isinstance(cell, str) for row in rows for cell in row)
    assert table.rows == [list(row) for row in rows]
