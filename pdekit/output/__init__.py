"""Output layer: run folders, summary.json, ParaView files."""

from pdekit.output.report import RunReport
from pdekit.output.run import RunContext, package_versions, write_json
from pdekit.output.vtk import PVDSeries, write_pvti, write_vti

__all__ = ["PVDSeries", "RunContext", "RunReport", "package_versions", "write_json",
           "write_pvti", "write_vti"]
