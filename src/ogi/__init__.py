"""ogi: the 政府信息公开工作年度报告 toolkit.

The library does all the work; :mod:`ogi.cli` is a thin click layer over it. Import what you need
from the modules (``ogi.form.spec``, ``ogi.workbook.xlsx_writer``, ...); this package imports nothing heavy.
"""

__version__ = "0.1.0"
