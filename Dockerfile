# Production image: gunicorn for web, the same image for the Celery worker and beat.
# Configured only by environment (see README "Configuration"). No cloud service needed.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 VARDMILJO_EMBEDDED=0 VARDMILJO_DEMO=0 \
    STATIC_ROOT=/app/staticfiles
WORKDIR /app
RUN useradd --system --uid 10001 --home /app vardmiljo
COPY pyproject.toml README.md requirements.lock ./
COPY vardmiljo ./vardmiljo
COPY journal ./journal
COPY lakemedel ./lakemedel
COPY remisser ./remisser
COPY tidbok ./tidbok
COPY slutenvard ./slutenvard
COPY integrations ./integrations
COPY driftstopp ./driftstopp
COPY invanare ./invanare
COPY manage.py ./
RUN pip install --no-cache-dir --require-hashes -r requirements.lock \
    && pip install --no-cache-dir --no-deps . && chown -R vardmiljo /app
USER vardmiljo
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz').status==200 else 1)"
CMD ["gunicorn", "vardmiljo.wsgi", "--bind", "0.0.0.0:8000", "--workers", "4", "--threads", "4", "--access-logfile", "-"]
