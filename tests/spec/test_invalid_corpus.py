"""The invalid-spec corpus: one mutation of an example per rule, asserting code, field path and line.

Each case edits an example spec (examples/*.yaml) and marks with ``#!`` the line the finding must
point at. The case passes when a finding with that code, path and line is reported.
"""

from __future__ import annotations

import re

import pytest

from azguest.catalog.rules import RULES
from azguest.spec import load_text
from tests.spec.conftest import base_text, marked_line, mutate

S2D_BLOCK = "    s2d:\n      disksPerNode: 2\n      disk: {sku: Premium_LRS, sizeGB: 256}\n"
WEB01 = "    - {name: web01, vCPUs: 2, memoryMB: 4096, diskGB: 40, antiAffinity: web}"
WEB02 = "    - {name: web02, vCPUs: 2, memoryMB: 4096, diskGB: 40, antiAffinity: web}"
CSV1 = "        - {name: csv1, sku: Premium_LRS, sizeGB: 1024, caching: None}"
CSV2 = "        - {name: csv2, sku: Premium_LRS, sizeGB: 1024}"
NODE_SIZE = "    size: Standard_D8s_v5"
ISCSI_NODES = "    namePrefix: is\n    size: Standard_D8s_v5"

# (id, base example, [(old, new)], code, field path)
CASES: list[tuple[str, str, list[tuple[str, str]], str, str]] = [
    # --- structure: unknown keys, types, missing, values
    ("unknown-top", "s2d", [("location: westeurope", "locaton: westeurope  #!")],
     "AZG-SPEC-UNKNOWN-KEY", "locaton"),
    ("unknown-nested", "s2d", [("    securityType: Standard", "    securitytype: Standard  #!")],
     "AZG-SPEC-UNKNOWN-KEY", "cluster.nodes.securitytype"),
    ("unknown-flow", "s2d", [("    osDisk: {sku: Premium_LRS, sizeGB: 128}",
                              "    osDisk: {sku: Premium_LRS, size: 128}  #!")],
     "AZG-SPEC-UNKNOWN-KEY", "cluster.nodes.osDisk.size"),
    ("type-int", "s2d", [("    count: 2", "    count: two  #!")], "AZG-SPEC-TYPE", "cluster.nodes.count"),
    ("type-list-item", "s2d", [(WEB01, WEB01.replace("vCPUs: 2", "vCPUs: many") + "  #!")],
     "AZG-SPEC-TYPE", "cluster.workloads[0].vCPUs"),
    ("type-mapping", "s2d", [("  nodes:\n", "  nodes: 2  #!\n  nodes_:\n")],
     "AZG-SPEC-TYPE", "cluster.nodes"),
    ("missing", "s2d", [("domain:\n  fqdn: lab.contoso.test\n", "domain:  #!\n")],
     "AZG-SPEC-MISSING", "domain.fqdn"),
    ("value-enum", "s2d", [("  witness: cloud", "  witness: clould  #!")],
     "AZG-SPEC-VALUE", "cluster.witness"),
    ("value-mode", "s2d", [("    mode: s2d", "    mode: raid  #!")],
     "AZG-STORAGE-MODE", "cluster.storage.mode"),
    ("value-cidr", "s2d", [("  addressSpace: 10.20.0.0/16", "  addressSpace: 10.20.0.1/16  #!")],
     "AZG-SPEC-VALUE", "network.addressSpace"),
    ("value-time", "s2d", [('{time: "19:00", timeZone: UTC}', '{time: "25:00", timeZone: UTC}  #!')],
     "AZG-SPEC-VALUE", "lifetime.autoShutdown.time"),
    # --- compute
    ("nodes-min", "s2d", [("    count: 2", "    count: 1  #!")], "AZG-NODES-MIN", "cluster.nodes.count"),
    ("size-nested", "s2d", [(NODE_SIZE, "    size: Standard_B8s_v2  #!")],
     "AZG-SIZE-NESTED", "cluster.nodes.size"),
    ("size-premium", "s2d", [(NODE_SIZE, "    size: Standard_D8_v3  #!")],
     "AZG-SIZE-PREMIUM", "cluster.nodes.size"),
    ("size-confidential", "s2d", [(NODE_SIZE, "    size: Standard_DC8as_v5  #!")],
     "AZG-SIZE-NESTED", "cluster.nodes.size"),
    ("size-unknown", "s2d", [(NODE_SIZE, "    size: Standard_Q8s_v9  #!")],
     "AZG-SIZE-UNKNOWN", "cluster.nodes.size"),
    ("size-nics", "s2d", [(NODE_SIZE, "    size: Standard_D4s_v5"),
                          ("  subnets:\n", "  subnets:  #!\n    - {name: storage, prefix: 10.20.3.0/24}\n")],
     "AZG-SIZE-NICS", "network.subnets"),
    ("size-datadisks", "s2d", [(NODE_SIZE, NODE_SIZE + "  #!"), ("disksPerNode: 2", "disksPerNode: 20")],
     "AZG-SIZE-DATADISKS", "cluster.nodes.size"),
    ("security-type", "s2d", [("    securityType: Standard", "    securityType: TrustedLaunch  #!")],
     "AZG-SECURITY-TYPE", "cluster.nodes.securityType"),
    ("image-amd", "s2d", [(NODE_SIZE, "    size: Standard_D8as_v6"),
                          ("sku: 2022-datacenter-azure-edition, version: latest}",
                           "sku: 2019-datacenter-gensecond, version: latest}  #!")],
     "AZG-IMAGE-AMD", "cluster.image.sku"),
    ("image-unknown", "s2d", [("sku: 2022-datacenter-azure-edition, version: latest}",
                               "sku: datacenter-core, version: latest}  #!")],
     "AZG-IMAGE-UNKNOWN", "cluster.image.sku"),
    ("osdisk-sku", "s2d", [("    osDisk: {sku: Premium_LRS,", "    osDisk: {sku: UltraSSD_LRS,"),
                           ("sizeGB: 128}", "sizeGB: 128}  #!")], "AZG-OSDISK-SKU", "cluster.nodes.osDisk.sku"),
    ("disk-sku", "s2d", [("      disk: {sku: Premium_LRS, sizeGB: 256}",
                          "      disk: {sku: Premium_XRS, sizeGB: 256}  #!")],
     "AZG-DISK-SKU", "cluster.storage.s2d.disk.sku"),
    ("production", "s2d", [("name: hv-s2d\n", "name: hv-s2d\npurpose: production  #!\n")],
     "AZG-NESTED-PRODUCTION", "purpose"),
    # --- storage modes
    ("storage-settings", "s2d", [(S2D_BLOCK, ""), ("    mode: s2d", "    mode: s2d  #!")],
     "AZG-STORAGE-SETTINGS", "cluster.storage.mode"),
    ("storage-other-mode", "s2d", [(S2D_BLOCK, S2D_BLOCK + "    iscsi: {target: {disks: [{sizeGB: 128}]}}  #!\n")],
     "AZG-STORAGE-OTHER-MODE", "cluster.storage.iscsi"),
    ("s2d-nodes", "s2d", [("    count: 2", "    count: 4  #!")], "AZG-S2D-NODES", "cluster.nodes.count"),
    ("s2d-zones", "s2d", [("    availabilitySet: {faultDomains: 2, updateDomains: 5}",
                           "    zones: [1, 2]  #!")],
     "AZG-S2D-ZONES", "cluster.placement.zones"),
    ("s2d-disks", "s2d", [("      disksPerNode: 2", "      disksPerNode: 1  #!")],
     "AZG-S2D-DISKS", "cluster.storage.s2d.disksPerNode"),
    ("s2d-disk-mixed", "s2d", [(S2D_BLOCK, "    s2d:\n      disks:  #!\n        - {sku: Premium_LRS, sizeGB: 256}\n"
                                           "        - {sku: Premium_LRS, sizeGB: 512}\n")],
     "AZG-S2D-DISK-MIXED", "cluster.storage.s2d.disks"),
    ("s2d-disk-premium", "s2d", [("      disk: {sku: Premium_LRS, sizeGB: 256}",
                                  "      disk: {sku: StandardSSD_LRS, sizeGB: 256}  #!")],
     "AZG-S2D-DISK-PREMIUM", "cluster.storage.s2d.disk.sku"),
    ("s2d-witness", "s2d", [("  witness: cloud", "  witness: disk  #!")],
     "AZG-S2D-WITNESS", "cluster.witness"),
    ("placement-both", "shared", [("  placement:\n", "  placement:  #!\n    zones: [1]\n")],
     "AZG-PLACEMENT", "cluster.placement"),
    ("witness-required", "iscsi", [("  witness: cloud", "  witness: none  #!")],
     "AZG-WITNESS-REQUIRED", "cluster.witness"),
    ("witness-mode", "iscsi", [("  witness: cloud", "  witness: disk  #!")],
     "AZG-WITNESS-MODE", "cluster.witness"),
    ("witness-disk-missing", "shared", [("      witnessDisk: {sizeGB: 8}\n",
                                         ""), ("  witness: disk", "  witness: disk  #!")],
     "AZG-WITNESS-DISK", "cluster.witness"),
    ("witness-disk-unused", "shared", [("      witnessDisk: {sizeGB: 8}", "      witnessDisk: {sizeGB: 8}  #!"),
                                       ("  witness: disk", "  witness: cloud")],
     "AZG-WITNESS-DISK", "cluster.storage.shared-disk.witnessDisk"),
    ("shared-maxshares", "shared", [("    count: 3",
                                     "    count: 4"), (CSV1, CSV1.replace("1024", "512") + "  #!")],
     "AZG-SHARED-MAXSHARES", "cluster.storage.shared-disk.disks[0].sizeGB"),
    ("shared-caching", "shared", [(CSV1, CSV1.replace("caching: None", "caching: ReadOnly") + "  #!")],
     "AZG-SHARED-CACHING", "cluster.storage.shared-disk.disks[0].caching"),
    ("shared-sku", "shared", [(CSV2, CSV2.replace("Premium_LRS", "Standard_LRS") + "  #!")],
     "AZG-SHARED-SKU", "cluster.storage.shared-disk.disks[1].sku"),
    ("shared-avset", "shared", [(CSV2, CSV2.replace("Premium_LRS", "UltraSSD_LRS") + "  #!")],
     "AZG-SHARED-AVSET", "cluster.storage.shared-disk.disks[1].sku"),
    ("shared-zones", "shared", [("    availabilitySet: {faultDomains: 3, updateDomains: 5}", "    zones: [1, 2, 3]"),
                                (CSV1, CSV1 + "  #!")],
     "AZG-SHARED-ZONES", "cluster.storage.shared-disk.disks[0].sku"),
    ("shared-zones-witness-disk", "shared",
     [("    availabilitySet: {faultDomains: 3, updateDomains: 5}", "    zones: [1, 2, 3]"),
      ("csv1, sku: Premium_LRS", "csv1, sku: Premium_ZRS"), ("csv2, sku: Premium_LRS", "csv2, sku: Premium_ZRS"),
      ("      witnessDisk: {sizeGB: 8}", "      witnessDisk: {sizeGB: 8}  #!")],
     "AZG-SHARED-ZONES", "cluster.storage.shared-disk.witnessDisk.sku"),
    ("shared-avset-witness-disk", "shared", [("      witnessDisk: {sizeGB: 8}",
                                              "      witnessDisk: {sizeGB: 8, sku: PremiumV2_LRS}  #!")],
     "AZG-SHARED-AVSET", "cluster.storage.shared-disk.witnessDisk.sku"),
    ("s2d-disk-avset", "s2d", [("      disk: {sku: Premium_LRS, sizeGB: 256}",
                                "      disk: {sku: UltraSSD_LRS, sizeGB: 256}  #!")],
     "AZG-DISK-AVSET", "cluster.storage.s2d.disk.sku"),
    ("shared-witness-csv", "shared", [("      witnessDisk: {sizeGB: 8}",
                                       "      witnessDisk: {disk: csv1}  #!")],
     "AZG-SHARED-WITNESS-CSV", "cluster.storage.shared-disk.witnessDisk.disk"),
    ("shared-witness-ref", "shared", [("      witnessDisk: {sizeGB: 8}",
                                       "      witnessDisk: {disk: csv9}  #!")],
     "AZG-SHARED-WITNESS-REF", "cluster.storage.shared-disk.witnessDisk.disk"),
    ("dup-disk", "shared", [(CSV2, CSV2.replace("csv2", "CSV1") + "  #!")],
     "AZG-DUP-DISK", "cluster.storage.shared-disk.disks[1].name"),
    ("iscsi-premium", "iscsi", [("        size: Standard_D4s_v5", "        size: Standard_D4_v3  #!")],
     "AZG-ISCSI-PREMIUM", "cluster.storage.iscsi.target.size"),
    ("iscsi-zonal-disk", "iscsi", [("          - {sku: Premium_LRS, sizeGB: 512}",
                                    "          - {sku: PremiumV2_LRS, sizeGB: 512}  #!")],
     "AZG-ISCSI-ZONAL-DISK", "cluster.storage.iscsi.target.disks[1].sku"),
    ("iscsi-size-unknown", "iscsi", [("        size: Standard_D4s_v5", "        size: Standard_Z4  #!")],
     "AZG-SIZE-UNKNOWN", "cluster.storage.iscsi.target.size"),
    # --- names
    ("name-cluster-long", "s2d", [("  name: hvclu", "  name: hvclu-name-too-long  #!")],
     "AZG-NAME-COMPUTER", "cluster.name"),
    ("name-dc-chars", "s2d", [("    name: dc01", "    name: dc_01  #!")],
     "AZG-NAME-COMPUTER", "domain.controller.name"),
    ("name-prefix", "s2d", [("    namePrefix: hv", "    namePrefix: hypervnode-long  #!")],
     "AZG-NAME-COMPUTER", "cluster.nodes.namePrefix"),
    ("name-digits", "s2d", [(WEB02, WEB02.replace("web02", "'123'") + "  #!")],
     "AZG-NAME-COMPUTER", "cluster.workloads[1].name"),
    ("name-target", "iscsi", [("        name: iscsi01", "        name: iscsi-target-0001  #!")],
     "AZG-NAME-COMPUTER", "cluster.storage.iscsi.target.name"),
    ("name-lab", "s2d", [("name: hv-s2d\n", "name: hv_s2d  #!\n")], "AZG-NAME-LAB", "name"),
    ("name-rg", "s2d", [("resourceGroup: rg-hv-s2d", "resourceGroup: rg-hv-s2d.  #!")],
     "AZG-NAME-RG", "resourceGroup"),
    ("name-storage", "s2d", [("  witness: cloud\n",
                              "  witness: cloud\n  witnessStorageAccount: St-Witness  #!\n")],
     "AZG-NAME-STORAGE", "cluster.witnessStorageAccount"),
    ("name-subnet", "s2d", [("{name: cluster, prefix: 10.20.2.0/24}",
                             "{name: -cluster, prefix: 10.20.2.0/24}  #!")],
     "AZG-NAME-SUBNET", "network.subnets[1].name"),
    ("name-fqdn", "s2d", [("  fqdn: lab.contoso.test", "  fqdn: lab  #!")], "AZG-NAME-DOMAIN", "domain.fqdn"),
    ("name-netbios", "s2d", [("  netbios: LAB", "  netbios: LABORATORYDOMAIN1  #!")],
     "AZG-NAME-DOMAIN", "domain.netbios"),
    ("name-disk-chars", "shared", [(CSV2, CSV2.replace("csv2", "'csv 2'") + "  #!")],
     "AZG-NAME-DISK", "cluster.storage.shared-disk.disks[1].name"),
    ("name-disk-long", "shared", [(CSV2, CSV2.replace("csv2", "c" * 75) + "  #!")],
     "AZG-NAME-DISK", "cluster.storage.shared-disk.disks[1].name"),
    ("name-nic", "s2d", [("{name: cluster, prefix: 10.20.2.0/24}",
                          "{name: " + "c" * 70 + ", prefix: 10.20.2.0/24}  #!")],
     "AZG-NAME-NIC", "network.subnets[1].name"),
    ("name-dup", "s2d", [(WEB02, WEB02.replace("web02", "DC01") + "  #!")],
     "AZG-NAME-DUP", "cluster.workloads[1].name"),
    ("name-tag", "s2d", [("tags: {course: hyperv-101,", "tags: {course/x: hyperv-101,"),
                         ("owner: trainer@example.com}", "owner: trainer@example.com}  #!")],
     "AZG-NAME-TAG", "tags.course/x"),
    ("name-tag-count", "s2d", [("tags: {course: hyperv-101, owner: trainer@example.com}",
                                "tags: {" + ", ".join(f"t{i}: x" for i in range(46)) + "}  #!")],
     "AZG-NAME-TAG", "tags"),
    ("admin-username", "s2d", [("  username: labadmin", "  username: Administrator  #!")],
     "AZG-ADMIN-USERNAME", "admin.username"),
    # --- network
    ("subnet-outside", "s2d", [("{name: cluster, prefix: 10.20.2.0/24}",
                                "{name: cluster, prefix: 10.30.2.0/24}  #!")],
     "AZG-NET-SUBNET-OUTSIDE", "network.subnets[1].prefix"),
    ("subnet-overlap", "s2d", [("{name: cluster, prefix: 10.20.2.0/24}",
                                "{name: cluster, prefix: 10.20.1.128/25}  #!")],
     "AZG-NET-SUBNET-OVERLAP", "network.subnets[1].prefix"),
    ("subnet-size", "s2d", [("{name: cluster, prefix: 10.20.2.0/24}",
                             "{name: cluster, prefix: 10.20.2.0/30}  #!")],
     "AZG-NET-SUBNET-SIZE", "network.subnets[1].prefix"),
    ("ip-outside", "s2d", [("    ip: 10.20.1.4", "    ip: 10.20.9.4  #!")],
     "AZG-NET-IP-OUTSIDE", "domain.controller.ip"),
    ("ip-dc-not-first-subnet", "s2d", [("    ip: 10.20.1.4", "    ip: 10.20.2.4  #!")],
     "AZG-NET-IP-OUTSIDE", "domain.controller.ip"),
    ("subnet-room-nodes", "s2d", [("{name: management, prefix: 10.20.1.0/24}",
                                   "{name: management, prefix: 10.20.1.0/29}  #!"),
                                  ("  dnn: true", "  ip: 10.20.1.5")],
     "AZG-NET-SUBNET-ROOM", "network.subnets[0].prefix"),
    ("subnet-room-iscsi-target", "iscsi", [("        ip: 10.40.3.4\n", ""),
                                           ("{name: storage, prefix: 10.40.3.0/24}",
                                            "{name: storage, prefix: 10.40.3.0/29}  #!")],
     "AZG-NET-SUBNET-ROOM", "network.subnets[2].prefix"),
    ("ip-reserved-low", "s2d", [("    ip: 10.20.1.4", "    ip: 10.20.1.3  #!")],
     "AZG-NET-IP-RESERVED", "domain.controller.ip"),
    ("ip-reserved-broadcast", "s2d", [("  dnn: true", "  ip: 10.20.1.255  #!")],
     "AZG-NET-IP-RESERVED", "cluster.ip"),
    ("ip-dup", "iscsi", [("        ip: 10.40.3.4", "        ip: 10.40.1.4  #!")],
     "AZG-NET-IP-DUP", "cluster.storage.iscsi.target.ip"),
    ("cluster-ip-collision", "s2d", [("  dnn: true", "  ip: 10.20.1.4  #!")],
     "AZG-NET-CLUSTER-IP", "cluster.ip"),
    ("cluster-ip-missing", "s2d", [("cluster:\n  name: hvclu\n  dnn: true\n",
                                    "cluster:  #!\n  name: hvclu\n")],
     "AZG-NET-CLUSTER-IP", "cluster.ip"),
    ("cluster-ip-owner-only", "s2d", [("  dnn: true", "  ip: 10.20.2.10  #!")],
     "AZG-CLUSTER-IP-OWNER", "cluster.ip"),
    # --- issue 10: designs Azure VMs cannot host, and Windows editions
    ("storage-mode-vfc", "s2d", [("    mode: s2d", "    mode: vfc  #!")], "AZG-STORAGE-MODE", "cluster.storage.mode"),
    ("storage-mode-unknown", "shared", [("    mode: shared-disk", "    mode: shared-vhdx  #!")],
     "AZG-STORAGE-MODE", "cluster.storage.mode"),
    ("s2d-standard-edition", "s2d", [("sku: 2022-datacenter-azure-edition, version: latest}",
                                      "sku: 2022-standard, version: latest}  #!")],
     "AZG-S2D-EDITION", "cluster.image.sku"),
    ("single-subnet", "s2d", [("  subnets:",
                               "  subnets:  #!"), ("    - {name: cluster, prefix: 10.20.2.0/24}\n", "")],
     "AZG-NET-SINGLE-SUBNET", "network.subnets"),
    ("rdp-open", "s2d", [("  allowRdpFrom: []", "  allowRdpFrom: [0.0.0.0/0]  #!")],
     "AZG-NET-RDP-OPEN", "network.allowRdpFrom[0]"),
    ("rdp-open-halves", "s2d", [("  allowRdpFrom: []", "  allowRdpFrom: [0.0.0.0/1, 128.0.0.0/1]  #!")],
     "AZG-NET-RDP-OPEN", "network.allowRdpFrom[0]"),
    ("rdp-open-many-slash9", "s2d", [("  allowRdpFrom: []",
                                      "  allowRdpFrom: [10.0.0.0/9, 11.0.0.0/9, 12.0.0.0/9]  #!")],
     "AZG-NET-RDP-OPEN", "network.allowRdpFrom[0]"),
    # --- secrets
    ("secret-literal", "s2d", [("  password: {fromEnv: AZGUEST_ADMIN_PASSWORD}", '  password: "Sup3r-Secret!"  #!')],
     "AZG-SECRET-LITERAL", "admin.password"),
    ("secret-literal-number", "s2d", [("  password: {fromEnv: AZGUEST_ADMIN_PASSWORD}",
                                       "  password: 31337  #!")],
     "AZG-SECRET-LITERAL", "admin.password"),
    ("secret-ref-empty", "s2d", [("  password: {fromEnv: AZGUEST_ADMIN_PASSWORD}", "  password: {}  #!")],
     "AZG-SECRET-REF", "admin.password"),
    ("secret-ref-both", "s2d", [("  password: {fromEnv: AZGUEST_ADMIN_PASSWORD}",
                                 "  password: {fromEnv: X, fromKeyVault: {vault: kv, secret: s}}  #!")],
     "AZG-SECRET-REF", "admin.password"),
    ("secret-env-pasted-password", "s2d", [("  password: {fromEnv: AZGUEST_ADMIN_PASSWORD}",
                                            '  password: {fromEnv: "Sup3r-Secret!"}  #!')],
     "AZG-SECRET-ENV-NAME", "admin.password.fromEnv"),
    ("secret-env-looks-like-password", "s2d", [("  password: {fromEnv: AZGUEST_ADMIN_PASSWORD}",
                                                "  password: {fromEnv: Summer2024_Secure}  #!")],
     "AZG-SECRET-ENV-PASSWORD", "admin.password.fromEnv"),
    ("secret-kv-vault-name", "s2d", [("  password: {fromEnv: AZGUEST_ADMIN_PASSWORD}",
                                      "  password: {fromKeyVault: {vault: kv--x, secret: adm}}  #!")],
     "AZG-SECRET-KV-NAME", "admin.password.fromKeyVault.vault"),
    # --- workloads, backup, lifetime
    ("workload-capacity", "s2d", [("  workloads:", "  workloads:  #!"),
                                  (WEB01, WEB01.replace("4096", "16384")), (WEB02, WEB02.replace("4096", "16384"))],
     "AZG-WORKLOAD-CAPACITY", "cluster.workloads"),
    ("workload-fit", "s2d", [(WEB01, WEB01.replace("vCPUs: 2", "vCPUs: 16") + "  #!")],
     "AZG-WORKLOAD-FIT", "cluster.workloads[0]"),
    ("anti-affinity", "s2d", [(WEB02, WEB02 + "\n" + WEB02.replace("web02", "web03") + "  #!")],
     "AZG-WORKLOAD-ANTIAFFINITY", "cluster.workloads[2].antiAffinity"),
    ("backup-s2d-vm", "s2d", [("  mode: auto", "  mode: vm  #!")], "AZG-BACKUP-MODE", "backup.mode"),
    # shared-disk allows vm (restore points exclude the shared disks, snapshotted apart); S2D cold is lab-only
    ("backup-s2d-cold", "s2d", [("  mode: auto", "  mode: cold  #!")], "AZG-BACKUP-MODE", "backup.mode"),
    ("lifetime", "s2d", [("  expiresAfter: 7d", "  expiresAfter: 7 days  #!")],
     "AZG-LIFETIME", "lifetime.expiresAfter"),
    ("timezone-iana", "s2d", [('timeZone: UTC}', 'timeZone: Europe/Berlin}  #!')],
     "AZG-TIMEZONE", "lifetime.autoShutdown.timeZone"),
    ("timezone-unknown", "s2d", [('timeZone: UTC}', 'timeZone: Mars Standard Time}  #!')],
     "AZG-TIMEZONE", "lifetime.autoShutdown.timeZone"),
]

# Rules about the document as a whole are covered in test_documents.py.
DOCUMENT_RULES = {"AZG-SPEC-FILE", "AZG-SPEC-YAML", "AZG-SPEC-TOP"}


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_invalid_spec__reports_code_path_line(case):
    _, base, edits, code, path = case
    text = mutate(base_text(base), edits)
    result = load_text(text, filename="lab.yaml")
    line = marked_line(text)
    hits = [f for f in result.findings if f.code == code]
    assert hits, f"expected {code}; got {[f.render() for f in result.findings]}"
    assert any(f.path == path and f.line == line for f in hits), [f.render() for f in hits]
    assert all(f.file == "lab.yaml" and f.column >= 1 for f in hits)
    if RULES[code].severity == "error":
        assert result.lab is None


def test_corpus__covers_every_rule():
    covered = {c[3] for c in CASES} | DOCUMENT_RULES
    assert covered == set(RULES), sorted(set(RULES) - covered)
    assert len(CASES) >= 40
    assert len({c[0] for c in CASES}) == len(CASES)


def test_secret_literal__value_never_echoed():
    text = mutate(base_text("s2d"), [("  password: {fromEnv: AZGUEST_ADMIN_PASSWORD}",
                                      '  password: {value: "Sup3r-Secret!"}')])
    result = load_text(text)
    assert result.findings
    assert all("Sup3r-Secret" not in f.render() for f in result.findings)


def test_unknown_key__did_you_mean():
    text = mutate(base_text("s2d"), [("      disksPerNode: 2", "      disksPerNod: 2")])
    (f,) = [f for f in load_text(text).findings if f.code == "AZG-SPEC-UNKNOWN-KEY"]
    assert "did you mean 'disksPerNode'" in f.message
    assert not [g for g in load_text(text).findings if g.code == "AZG-SPEC-MISSING"]


def test_allow_unknown_size__silences_the_warning():
    text = mutate(base_text("s2d"), [(NODE_SIZE, "    size: Standard_Q8s_v9")])
    assert [f.code for f in load_text(text).findings] == ["AZG-SIZE-UNKNOWN"]
    result = load_text(text, allow_unknown_size=True)
    assert result.findings == [] and result.lab is not None


def test_message_format__file_line_col_path():
    text = mutate(base_text("s2d"), [("    count: 2", "    count: 4")])
    (f,) = load_text(text, filename="lab.yaml").findings
    assert f.render().startswith(f"lab.yaml:{f.line}:5 cluster.nodes.count: error [AZG-S2D-NODES] ")
    assert "2-3" in f.message


@pytest.mark.parametrize("size", ["Standard_A1_v2", "Standard_DS1_v2", "Standard_D2_v3", "Standard_B2s_v2"])
def test_size_messages__suggest_a_size_that_exists_and_nests(size):
    from azguest.catalog.sizes import lookup_size

    text = mutate(base_text("s2d"), [(NODE_SIZE, f"    size: {size}")])
    hits = [f for f in load_text(text).findings if f.code in ("AZG-SIZE-NESTED", "AZG-SIZE-PREMIUM")]
    assert hits
    for f in hits:
        suggested = re.findall(r"Standard_\w+", f.message.split("use ", 1)[1])[0]  # "use X" / "use ... e.g. X"
        info = lookup_size(suggested)
        assert info and info.nested and info.premium_io, f.message


def test_iscsi__every_unknown_disk_sku_reported_after_a_premium_mismatch():
    text = mutate(base_text("iscsi"), [("        size: Standard_D4s_v5", "        size: Standard_D4_v3"),
                                       ("          - {sku: Premium_LRS, sizeGB: 512}",
                                        "          - {sku: Premium_XRS, sizeGB: 512}")])
    codes = [(f.code, f.path) for f in load_text(text).findings]
    assert ("AZG-ISCSI-PREMIUM", "cluster.storage.iscsi.target.size") in codes
    assert ("AZG-DISK-SKU", "cluster.storage.iscsi.target.disks[1].sku") in codes
