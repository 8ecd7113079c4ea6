"""Django's sessions, users and messages, on the admin's pages only.

The API keeps no state between requests; sessions, users and messages are the admin's. Their
middleware would cost every API request a fifth of the time /healthz takes, for nothing.
"""

from collections.abc import Awaitable

from django.contrib.auth.middleware import AuthenticationMiddleware
from django.contrib.messages.middleware import MessageMiddleware
from django.contrib.sessions.middleware import SessionMiddleware
from django.http import HttpRequest, HttpResponseBase
from django.utils.deprecation import MiddlewareMixin

# Only the admin's pages have users, sessions and messages.
ADMIN_PATH = "/admin/"


class AdminOnly(MiddlewareMixin):
    """Leave every request outside the admin to the next middleware, untouched.

    Subclasses of Django's own, so that the admin's checks find them in MIDDLEWARE.
    """

    def __call__(self, request: HttpRequest) -> HttpResponseBase | Awaitable[HttpResponseBase]:
        """Run the middleware for the admin's pages only."""
        if not request.path.startswith(ADMIN_PATH):
            return self.get_response(request)
        return super().__call__(request)


class AdminSessionMiddleware(AdminOnly, SessionMiddleware):
    """Django's sessions, on the admin's pages."""


class AdminAuthenticationMiddleware(AdminOnly, AuthenticationMiddleware):
    """Django's users, on the admin's pages."""


class AdminMessageMiddleware(AdminOnly, MessageMiddleware):
    """Django's messages, on the admin's pages."""
