"""The HTTP JSON API business systems call before saving a number (`/api/v1/`), with its
OpenAPI schema (`/api/v1/openapi.json`, served docs at `/api/v1/docs`, nothing from a CDN).

Authentication: `Authorization: Bearer <token>` of an ApiClient (manage.py entry_client).
Field names are English; each field's description gives the contract's Japanese column.
"""

from __future__ import annotations

import uuid
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, NinjaAPI, Schema
from ninja.responses import Status
from ninja.security import HttpBearer

from himoken.prevention.entry import request_record
from himoken.web.entry import checks
from himoken.web.entry.models import ApiClient, EntryCheck

BATCH_LIMIT = 10_000


class ClientToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> ApiClient | None:
        return ApiClient.authenticate(token)


api = NinjaAPI(
    title="himoken 紐付け時の確認 API",
    version="1",
    description=(
        "個人番号を業務システムに保存する前に、住民記録と照合して確認する。"
        "判断は accept(受理)、accept_with_note(注記つきで受理)、stop(停止)。"
        "停止の解除には申請者とは別の承認者が要る。"
    ),
    urls_namespace="entry_api",
    auth=ClientToken(),
)

_TEXT = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"  # no control characters


class CheckIn(Schema):
    number: str = Field(..., min_length=1, max_length=40, pattern=_TEXT,
                        description="個人番号(12桁。全角・4桁区切りも可)")  # fmt: skip
    name: str = Field(..., min_length=1, max_length=200, pattern=_TEXT, description="氏名")
    reading: str = Field("", max_length=200, pattern=_TEXT, description="氏名フリガナ")
    birth_date: str = Field(..., min_length=1, max_length=40, pattern=_TEXT,
                            description="生年月日(和暦・西暦、仕様§5のどの書式でも)")  # fmt: skip
    sex: str = Field("", max_length=20, pattern=_TEXT, description="性別")
    address: str = Field("", max_length=300, pattern=_TEXT, description="住所")
    linked_on: str = Field("", max_length=40, pattern=_TEXT, description="紐付け日")
    method: str = Field("", max_length=40, pattern=_TEXT, description="紐付け方法")
    operator: str = Field("", max_length=64, pattern=_TEXT, description="登録者")
    terminal: str = Field("", max_length=64, pattern=_TEXT,
                          description="登録端末(直前の人の番号の持ち越しを調べる)")  # fmt: skip

    def record(self) -> dict[str, str]:
        return request_record(self.model_dump())


class SuggestionOut(Schema):
    number: str = Field(..., description="個人番号")
    name: str
    reading: str
    birth_date: str
    sex: str
    address: str
    evidence: str = Field(..., description="適合の根拠")


class CheckOut(Schema):
    id: uuid.UUID
    decision: Literal["accept", "accept_with_note", "stop"]
    verdict: str = Field(
        ..., description="判定(MATCH, NOTATION, EXPLAINED, REVIEW, SUSPECT, INVALID)"
    )
    reasons: list[str] = Field(..., description="理由(決めたものが先)")
    warnings: list[str] = Field(
        ..., description="2023年の誤りの型: FAMILY_MEMBER, HOMONYM, CARRY_OVER"
    )
    explanation: str = Field(..., description="説明")
    suggestion: SuggestionOut | None = Field(..., description="番号が合わないとき、合う住民")


class BatchIn(Schema):
    records: list[CheckIn] = Field(..., min_length=1, max_length=BATCH_LIMIT)


class BatchOut(Schema):
    results: list[CheckOut]


class LoggedOut(Schema):
    id: uuid.UUID
    created: str
    decision: str
    verdict: str
    reasons: list[str]
    warnings: list[str]
    explanation: str
    number: str = Field(..., description="個人番号(下4桁のみ)")
    override: str = Field(..., description="停止の解除: '', requested, approved, refused")
    requested_by: str
    approved_by: str


class OverrideIn(Schema):
    operator: str = Field(..., min_length=1, max_length=150, pattern=_TEXT, description="申請者")
    approver: str = Field(..., min_length=1, max_length=150, pattern=_TEXT,
                          description="承認者(申請者とは別の人)")  # fmt: skip
    reason: str = Field(..., min_length=1, max_length=2000, pattern=_TEXT, description="理由")


class ErrorOut(Schema):
    detail: str


class InvalidOut(Schema):
    """422: the request does not fit the schema (pydantic's errors, one per field)."""

    detail: list[dict[str, Any]]


def _out(row: EntryCheck, result: Any) -> dict[str, Any]:
    return {"id": row.pk, **result.as_dict()}


def _logged(row: EntryCheck) -> dict[str, Any]:
    return {
        "id": row.pk, "created": row.created.isoformat(), "decision": row.decision,
        "verdict": row.verdict, "reasons": [r for r in row.reasons.split(";") if r],
        "warnings": [w for w in row.warnings.split(";") if w], "explanation": row.explanation,
        "number": row.number, "override": row.override, "requested_by": row.requested_by,
        "approved_by": row.approved_by,
    }  # fmt: skip


ERRORS = {400: ErrorOut, 401: ErrorOut, 422: InvalidOut, 503: ErrorOut}


@api.post("/linkage-checks", response={200: CheckOut, **ERRORS}, summary="1件を確認する")
def check_one(request: HttpRequest, body: CheckIn) -> Any:
    client: ApiClient = request.auth
    try:
        ((row, result),) = checks.check_records(client.organisation, [body.record()], client=client)
    except checks.Unavailable as error:
        return Status(503, {"detail": str(error)})
    return Status(200, _out(row, result))


@api.post("/linkage-checks/batch", response={200: BatchOut, **ERRORS},
          summary="まとめて確認する(同じ端末は並び順に前の人と比べる)")  # fmt: skip
def check_batch(request: HttpRequest, body: BatchIn) -> Any:
    client: ApiClient = request.auth
    try:
        done = checks.check_records(
            client.organisation, [r.record() for r in body.records], client=client
        )
    except checks.Unavailable as error:
        return Status(503, {"detail": str(error)})
    return Status(200, {"results": [_out(row, result) for row, result in done]})


def _mine(request: HttpRequest, check_id: uuid.UUID) -> EntryCheck | None:
    client: ApiClient = request.auth
    return EntryCheck.objects.filter(pk=check_id, organisation=client.organisation).first()


@api.get(
    "/linkage-checks/{check_id}",
    response={200: LoggedOut, 401: ErrorOut, 404: ErrorOut, 422: InvalidOut},
    summary="記録された確認",
)
def logged(request: HttpRequest, check_id: uuid.UUID) -> Any:
    row = _mine(request, check_id)
    if row is None:
        return Status(404, {"detail": "この団体の確認にない"})
    return Status(200, _logged(row))


@api.post(
    "/linkage-checks/{check_id}/override",
    response={
        200: LoggedOut,
        400: ErrorOut,
        401: ErrorOut,
        404: ErrorOut,
        409: ErrorOut,
        422: InvalidOut,
    },
    summary="停止を解除する(申請者と承認者の2人で)",
)
def override(request: HttpRequest, check_id: uuid.UUID, body: OverrideIn) -> Any:
    row = _mine(request, check_id)
    if row is None:
        return Status(404, {"detail": "この団体の確認にない"})
    try:
        checks.override_now(row, body.operator, body.approver, body.reason)
    except checks.OverrideError as error:
        return Status(409, {"detail": str(error)})
    row.refresh_from_db()
    return Status(200, _logged(row))
