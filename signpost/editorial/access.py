"""Who may open an editorial page: signed in, with a role, and with two-factor sign-in where
the role needs it (editors and operators always; owners once they turn it on)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django_otp import user_has_device

from .models import Account, Role
from .selectors import account_of


def second_step_needed(request: HttpRequest, account: Account) -> str | None:
    """Where a signed-in person must go before anything else, if anywhere."""
    user: Any = request.user
    # Just after login() the user is the one authenticate() gave, which django-otp has not
    # marked: not verified yet.
    verified = getattr(user, "is_verified", None)
    if verified is not None and verified():
        return None
    if user_has_device(user):
        return reverse("editorial:sign_in_code")
    if account.needs_two_factor:
        return reverse("editorial:two_factor")
    return None


def role_required(
    *roles: str,
) -> Callable[[Callable[..., HttpResponseBase]], Callable[..., HttpResponseBase]]:
    """Open the view to the given roles only; others get 404, so its address tells nothing."""

    def decorator(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not request.user.is_authenticated:
                sign_in = reverse("editorial:sign_in")
                return redirect(f"{sign_in}?{urlencode({'next': request.get_full_path()})}")
            account = account_of(request.user)
            if account is None:
                raise Http404("No editorial account")
            step = second_step_needed(request, account)
            if step is not None:
                return redirect(step)
            if account.role not in roles:
                raise Http404("Not for this role")
            request.account = account  # type: ignore[attr-defined]
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


editor_required = role_required(Role.EDITOR)
owner_required = role_required(Role.OWNER)
editor_or_owner_required = role_required(Role.EDITOR, Role.OWNER)
staff_required = role_required(Role.EDITOR, Role.OWNER, Role.OPERATOR)
