"""The HTTP routes: thin wrappers around `build_brief`."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header
from fastapi.responses import JSONResponse, PlainTextResponse, Response

from service.api.deps import LLMDep, SettingsDep, require_api_key
from service.pipeline import build_brief
from service.render import to_markdown
from service.schemas import BriefOut, BriefRequest, ErrorOut

router = APIRouter()

_ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorOut, "description": text}
    for code, text in {
        401: "Missing or wrong API key.",
        413: "Body, bundle or article over the configured limit.",
        422: "Invalid bundle: the message says what to fix.",
        502: "The model's output was unusable after a repair retry.",
        503: "The model is unreachable.",
    }.items()
}


@router.post(
    "/v1/briefs",
    response_model=BriefOut,
    responses={
        **_ERRORS,
        200: {"content": {"text/markdown": {"example": "# Title\n\nA sentence. [S1, S2]\n"}}},
    },
    dependencies=[Depends(require_api_key)],
    summary="Summarise a bundle of articles into one cited brief",
)
async def create_brief(
    body: BriefRequest,
    settings: SettingsDep,
    llm: LLMDep,
    accept: Annotated[str, Header()] = "application/json",
) -> Response:
    articles, options = body.to_bundle(settings)
    brief = await build_brief(articles, options, llm.session(options.model))
    if "text/markdown" in accept:
        return PlainTextResponse(to_markdown(brief), media_type="text/markdown; charset=utf-8")
    return JSONResponse(BriefOut.from_brief(brief).model_dump(mode="json"))


@router.get("/healthz", summary="The process is up")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz", summary="The model is reachable", responses={503: {"model": ErrorOut}})
async def readyz(llm: LLMDep) -> JSONResponse:
    ready, detail = await llm.ready()
    if ready:
        return JSONResponse({"status": "ready", "model": llm.primary.model, "detail": detail})
    return JSONResponse(
        {"error": {"code": "model_unavailable", "message": detail}}, status_code=503
    )
