"""A VBA project writer: ``vbaProject.bin`` from VBA source text, with the standard library.

Three layers, each after its specification: the RLE compression of [MS-OVBA] 2.4.1
(:mod:`compression`), the project streams of [MS-OVBA] 2.3 (:mod:`project`) and the compound
file of [MS-CFB] (:mod:`cfb`). The project is source-only (no performance cache), so Office
compiles it from the source on first open, as it does for Aspose-, EPPlus- and
LibreOffice-written files.
"""

from .project import Module, build_vba_project

__all__ = ["Module", "build_vba_project"]
