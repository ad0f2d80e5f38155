"""Question banks for administrators of the deployment: the list, an upload (YAML, CSV or
Markdown, checked exactly as `interviewbot bank import` checks it: a file with any problem
imports nothing, and every problem names the line or row and the field), and removal."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, HTTPException, Path, Request, UploadFile
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from core import services
from core.banks import BankFileError, parse_bank
from core.domain.errors import InterviewError
from web.csrf import require_csrf
from web.dependencies import DepsDep, PageViewer, Viewer
from web.errors import status_for
from web.limits import BANK_UPLOAD_BYTES
from web.params import SHORT_TEXT
from web.templating import render

router = APIRouter(dependencies=[Depends(require_csrf)], include_in_schema=False)

BankName = Annotated[str, Path(max_length=SHORT_TEXT)]


def _admin_only(viewer: Viewer) -> None:
    if not viewer.user.is_superuser:
        raise HTTPException(403, "Question banks are managed by administrators of this deployment.")


def _page(request: Request, deps: Any, *, status: int = 200, **extra: Any) -> Response:
    context = {
        "banks": services.list_banks(deps),
        "max_kb": BANK_UPLOAD_BYTES // 1024,
        **extra,
    }
    return render(request, "banks.html", context, status_code=status)


@router.get("/banks")
def banks_page(request: Request, viewer: PageViewer, deps: DepsDep, imported: str = "") -> Response:
    _admin_only(viewer)
    return _page(request, deps, imported=imported[:SHORT_TEXT])


@router.post("/banks")
def upload_bank(
    request: Request,
    viewer: PageViewer,
    deps: DepsDep,
    file: Annotated[UploadFile, File()],
    name: Annotated[str, Form(max_length=SHORT_TEXT)],
    scope: Annotated[str, Form(max_length=SHORT_TEXT)] = "global",
) -> Response:
    """Check the uploaded file and store it as the next version of bank `name`."""
    _admin_only(viewer)
    chosen = {"name": name, "scope": scope}
    filename = file.filename or "upload"
    try:
        document = parse_bank(filename, file.file.read(BANK_UPLOAD_BYTES + 1))
        info = services.import_bank(
            deps, document=document, name=name.strip(), scope=scope.strip(), source=filename
        )
    except BankFileError as error:
        problems = [str(p) for p in error.problems]
        return _page(request, deps, status=422, problems=problems, chosen=chosen)
    except InterviewError as error:
        return _page(request, deps, status=status_for(error), error=error.message, chosen=chosen)
    return RedirectResponse(f"/banks?imported={info.name}", status_code=303)


@router.post("/banks/{name}/remove")
def remove_bank(request: Request, viewer: PageViewer, deps: DepsDep, name: BankName) -> Response:
    _admin_only(viewer)
    try:
        services.remove_bank(deps, name=name)
    except InterviewError as error:
        return _page(request, deps, status=status_for(error), error=error.message)
    return RedirectResponse("/banks", status_code=303)
