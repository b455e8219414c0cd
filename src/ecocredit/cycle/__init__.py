"""The evaluation cycle (issue 13): credit register, publication, objections, adjustment.

See ``docs/cycle.md``. The register (:class:`Register`) is the one store of every decision;
:func:`publish`, :func:`answer_objections`, :func:`adjust`, :func:`repair_in_register` and
:func:`measures_in_register` each write in one transaction.
"""

from .register import Register, RegisterError  # noqa: F401
from .verify import VerifyReport  # noqa: F401
from .publish import PublishResult, publish  # noqa: F401
from .objections import ObjectionResult, answer_objections  # noqa: F401
from .adjust import AdjustResult, adjust  # noqa: F401
from .point_of_action import measures_in_register, repair_in_register  # noqa: F401

__all__ = ["Register", "RegisterError", "VerifyReport", "PublishResult", "publish",
           "ObjectionResult", "answer_objections", "AdjustResult", "adjust",
           "measures_in_register", "repair_in_register"]
