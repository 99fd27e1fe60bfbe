"""The source keys the catalogue's rows cite (``ACD sizes/<series>.md``), each a public Microsoft repository.

A row's source is ``KEY path (page date)``: the file at that path under the key's folder of the repository,
as read on that date (the same page is published on learn.microsoft.com). The keys are listed in
docs/catalog.md.
"""

from __future__ import annotations

SOURCE_KEYS: dict[str, tuple[str, str]] = {  # key -> (repository, folder the paths start in)
    "ACD": ("MicrosoftDocs/azure-compute-docs", "articles/virtual-machines/"),
    "AZD": ("MicrosoftDocs/azure-docs", "articles/"),
    "SQL": ("MicrosoftDocs/sql-docs", "azure-sql/virtual-machines/windows/"),
    "WSD": ("MicrosoftDocs/windowsserverdocs", "WindowsServerDocs/"),
    "VD": ("MicrosoftDocs/Virtualization-Documentation", "virtualization/hyper-v-on-windows/user-guide/"),
    "SPEC": ("Azure/azure-rest-api-specs", "specification/compute/resource-manager/Microsoft.Compute/"),
}
