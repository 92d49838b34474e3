"""STS (query protocol): GetCallerIdentity answers as the facts' caller (e.g. an
assumed data-lake-admin role) instead of moto's user; a role session moto issued
(AssumeRole, see accounts.py) answers as itself."""

from . import accounts
from .wire import el, reply_xml


def caller_identity(stub, req, d):
    if accounts.caller_arn(stub, req, d) != d.caller_arn:
        return stub.forward(req)
    inner = ("<GetCallerIdentityResult>" + el("Arn", d.caller_arn) + el("UserId", "AROASTUBCALLER")
             + el("Account", d.account) + "</GetCallerIdentityResult>"
             "<ResponseMetadata><RequestId>stub</RequestId></ResponseMetadata>")
    return reply_xml("GetCallerIdentityResponse", inner, ns="https://sts.amazonaws.com/doc/2011-06-15/")


LOCAL = {"sts.GetCallerIdentity": caller_identity}
