"""Connection helpers shared by the pyVmomi scripts (run by ../pyvmomi.peer.test.ts).

The simulator's certificate is self-signed: verification is off in the SSL context, and the connection is
pinned to the certificate's SHA-1 thumbprint instead (SIM_THUMBPRINT), as pyVmomi supports.
"""
import json
import os
import ssl
import sys

from pyVim.connect import Disconnect, SmartConnect
from pyVmomi import vim, vmodl


def connect(preferred=None):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    kwargs = {}
    if preferred:
        kwargs["preferredApiVersions"] = preferred
    return SmartConnect(
        host=os.environ["SIM_HOST"],
        port=int(os.environ["SIM_PORT"]),
        user=os.environ["SIM_USER"],
        pwd=os.environ["SIM_PASSWORD"],
        sslContext=context,
        thumbprint=os.environ["SIM_THUMBPRINT"],
        **kwargs
    )


def negotiated_version(si):
    """The vim25 version pyVmomi negotiated ("6.7.1"), as sent in each request's SOAPAction."""
    return si._stub.versionId.strip('"').split("/")[-1]


def all_vms(si):
    content = si.RetrieveContent()
    view = content.viewManager.CreateContainerView(content.rootFolder, [vim.VirtualMachine], True)
    try:
        return list(view.view)
    finally:
        view.Destroy()


def fault_name(err):
    """The vim25 fault type of a pyVmomi exception ("InvalidPowerState")."""
    return type(err).__name__


def emit(result):
    json.dump(result, sys.stdout, default=str)
    sys.stdout.write("\n")


__all__ = ["connect", "negotiated_version", "all_vms", "fault_name", "emit", "Disconnect", "vim", "vmodl"]
