"""Write the nginx configuration for the proxy in front of the app (docs/deploy.md):

    PROXY_CACHE_DIR=/dev/shm/signpost-proxy manage.py proxy_config --listen 80 \\
        --app 127.0.0.1:8000 --user signpost > /etc/signpost/nginx.conf

The static folder, the cache folder, the session cookie, the staff paths in every language
and the largest upload come from the settings, so nginx and the app cannot disagree on them.
"""

from __future__ import annotations

import getpass
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from signpost.site.proxy import ProxyConfigError, proxy_config_render


class Command(BaseCommand):
    help = "Print deploy/nginx/signpost.conf filled in from the settings and these options."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--listen", default="80", help="where nginx listens: a port or address:port"
        )
        parser.add_argument(
            "--app", default="127.0.0.1:8000", help="where gunicorn listens (address:port)"
        )
        parser.add_argument(
            "--user",
            default=getpass.getuser(),
            help="the account nginx's workers run as when started by root: the app's own, "
            "so that the app can empty the cache (default: whoever runs this)",
        )
        parser.add_argument("--pages-size", default="256m", help="the pages' cache, at most")
        parser.add_argument(
            "--queries-size", default="32m", help="the cache of addresses with a query, at most"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            config = proxy_config_render(
                listen=options["listen"],
                app=options["app"],
                user=options["user"],
                pages_size=options["pages_size"],
                queries_size=options["queries_size"],
            )
        except ProxyConfigError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(config, ending="")
