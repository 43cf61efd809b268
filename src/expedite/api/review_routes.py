"""The double review (双重复核) over the API: the same services as the case page."""

from typing import Any, Literal

from ninja import Field, Router, Schema, Status

from expedite import clock
from expedite.accounts.selectors import staff_display_name
from expedite.cases import selectors
from expedite.reviews.selectors import case_reviews, review_checklist, round_status
from expedite.reviews.services import self_check, supervisor_review

from .schemas import ErrorOut

router = Router(tags=["reviews"])


class ResultIn(Schema):
    item: str = Field(..., description="检查项，须与复核清单中的文字一致")
    ok: bool | None = Field(None, description="true 无误 / false 有问题；不填视为未回答")
    note: str = ""


class FindingIn(Schema):
    item: str
    description: str
    correction: str


class ReviewIn(Schema):
    stage: Literal["self_check", "supervisor"]
    results: list[ResultIn]
    findings: list[FindingIn] = Field(
        default_factory=list, description="主管复核：每个有问题的检查项发现的错误及更正"
    )


def _review_out(review) -> dict[str, Any]:
    return {
        "id": review.pk,
        "round": review.round,
        "stage": review.stage,
        "reviewer": staff_display_name(review.reviewer),
        "passed": review.passed,
        "created_at": review.created_at.isoformat(),
        "results": review.results,
        "findings": [
            {"item": f.item, "description": f.description, "correction": f.correction}
            for f in review.findings.all()
        ],
    }


@router.get("/{case_id}/reviews", response={200: dict[str, Any], 403: ErrorOut, 404: ErrorOut})
def reviews(request, case_id: int):
    case = selectors.access_case(user=request.user, pk=case_id)
    found = case_reviews(user=request.user, case=case)
    status = round_status(case)
    return {
        "state": case.state,
        "round": status.round,
        "checklist": list(review_checklist(case)),
        "self_checked": status.self_check is not None,
        "reviewed": status.supervisor is not None and status.supervisor.passed,
        "reviews": [_review_out(r) for r in found],
    }


@router.post(
    "/{case_id}/reviews",
    response={201: dict[str, Any], 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
)
def review(request, case_id: int, payload: ReviewIn):
    case = selectors.access_case(user=request.user, pk=case_id)
    results = [r.dict() for r in payload.results]
    if payload.stage == "supervisor":
        done = supervisor_review(
            actor=request.user,
            case=case,
            results=results,
            findings=[f.dict() for f in payload.findings],
            now=clock.now(),
        )
    else:
        done = self_check(actor=request.user, case=case, results=results, now=clock.now())
    return Status(201, _review_out(done))
