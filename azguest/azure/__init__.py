"""The Azure adaptor: the only package (besides the emulator) that imports the Azure SDK.

Importing this package imports no ``azure.*`` module; the SDK loads on first client use.

    target = resolve_target(emulator=..., endpoint=..., subscription=..., cloud="AzureCloud")
    session = AzureSession(target)          # or AzureSession.for_engine(engine)
    with arm_errors(target=rg_name):
        session.compute.virtual_machines.begin_create_or_update(...).result()
"""

from azguest.azure.errors import arm_errors, translate_error
from azguest.azure.session import USER_AGENT, AzureSession, RetrySettings
from azguest.azure.target import CLOUDS, EMULATOR_SUBSCRIPTION_ID, Target, resolve_target

__all__ = [
    "CLOUDS",
    "EMULATOR_SUBSCRIPTION_ID",
    "USER_AGENT",
    "AzureSession",
    "RetrySettings",
    "Target",
    "arm_errors",
    "resolve_target",
    "translate_error",
]
