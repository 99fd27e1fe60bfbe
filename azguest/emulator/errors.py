"""ARM error responses raised by handlers and turned into ``{"error": {...}}`` bodies by the engine."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class ArmError(Exception):
    """An ARM error: HTTP ``status``, ARM ``code`` (what the SDK exposes as ``error.code``)."""

    status: int
    code: str
    message: str
    target: str | None = None
    details: list[dict] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__(f"{self.status} {self.code}: {self.message}")

    def body(self) -> dict:
        err: dict = {"code": self.code, "message": self.message}
        if self.target:
            err["target"] = self.target
        if self.details:
            err["details"] = self.details
        return {"error": err}


def not_found(arm_type: str, name: str, rg: str | None) -> ArmError:
    where = f" under resource group '{rg}'" if rg else ""
    return ArmError(404, "ResourceNotFound", f"The Resource '{arm_type}/{name}'{where} was not found.")


def rg_not_found(rg: str) -> ArmError:
    return ArmError(404, "ResourceGroupNotFound", f"Resource group '{rg}' could not be found.")


def invalid(message: str, target: str | None = None, code: str = "InvalidParameter") -> ArmError:
    return ArmError(400, code, message, target)



def rg_being_deleted(rg: str) -> ArmError:
    return ArmError(409, "ResourceGroupBeingDeleted",
                    f"The resource group '{rg}' is in deprovisioning state and cannot perform this operation.")
