"""Case lifecycle over the API."""

from typing import Any

from ninja import Field, Router, Schema

from expedite import clock
from expedite.cases import selectors
from expedite.cases.lifecycle import case_staff_moves, case_transition

from .schemas import ErrorOut

router = Router(tags=["cases"])


class MoveIn(Schema):
    to: str = Field(..., description="目标状态，见 GET 的 allowed")
    reason: str = ""


@router.get("/{case_id}/transitions", response={200: dict[str, Any], 404: ErrorOut})
def transitions(request, case_id: int):
    case = selectors.access_case(user=request.user, pk=case_id)
    return {"state": case.state, "allowed": case_staff_moves(case)}


@router.post(
    "/{case_id}/transitions",
    response={200: dict[str, Any], 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
)
def move(request, case_id: int, payload: MoveIn):
    case = selectors.access_case(user=request.user, pk=case_id)
    case = case_transition(
        actor=request.user, case=case, to=payload.to, reason=payload.reason, now=clock.now()
    )
    return {"state": case.state, "allowed": case_staff_moves(case)}
