"""The DNS lab: real DNS servers on loopback that the probe and paste tests run against.

(Docstring completed below once the scenarios are final.)
"""

from tests.lab.daemons import LabError
from tests.lab.lab import Lab, Scenario, start

__all__ = ["Lab", "LabError", "Scenario", "start"]
