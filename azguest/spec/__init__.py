"""The lab spec: frozen pydantic models, YAML loading with positions, and Azure's rules as checks.

    from azguest.spec import load, load_lab, Lab
    result = load("lab.yaml")        # LoadResult(lab, findings); never raises for a bad spec
    lab = load_lab("lab.yaml")       # Lab, or SpecError with details["findings"]
"""

from azguest.spec.findings import Finding
from azguest.spec.loader import LoadResult, load, load_lab, load_text
from azguest.spec.models import Lab
from azguest.spec.secrets import resolve_password

__all__ = ["Finding", "Lab", "LoadResult", "load", "load_lab", "load_text", "resolve_password"]
