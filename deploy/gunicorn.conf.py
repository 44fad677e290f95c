"""gunicorn settings for a multi-user install (see README, "Production").

Workers serve requests only: the scheduled jobs run in ONE separate `flask --app tracker scheduler run`
process, never inside the workers.
"""
import multiprocessing
import os

bind = os.environ.get("TRACKER_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("TRACKER_WORKERS", max(2, multiprocessing.cpu_count() * 2)))
threads = int(os.environ.get("TRACKER_WORKER_THREADS", "2"))
timeout = 120  # a large Excel export or import may take a while
graceful_timeout = 30
accesslog = "-"
# Never log request bodies or query strings with personal data: the access log shows the path only.
access_log_format = '%(h)s %(t)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms'
wsgi_app = "tracker:create_app()"
