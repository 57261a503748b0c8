"""gunicorn settings for `make run` and production.

The access log records what was served and how fast, never who asked or what they
searched for: no client address, no query string, no referrer, no user agent.
"""

import os

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("WEB_THREADS", "4"))
wsgi_app = "signpost.wsgi:application"
accesslog = "-"
access_log_format = '%(t)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms'
errorlog = "-"
# The error log too: gunicorn writes "Invalid request from ip=..." for a malformed request.
logger_class = "signpost.site.private_logs.PrivateGunicornLogger"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
