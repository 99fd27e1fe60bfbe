"""Only what pyproject.toml cannot say: the package list with a folder outside azguest/ mapped into it.

The guest PowerShell lives in the top-level templates/ folder; the wheel ships it as azguest.templates.
"""

from setuptools import find_packages, setup

setup(packages=[*find_packages(include=["azguest*"]), "azguest.templates"],
      package_dir={"azguest.templates": "templates"})
