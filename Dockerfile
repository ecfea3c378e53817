# Pishran: a slim image that runs the bot. Build tools stay in the build stage.
FROM python:3.11-slim AS build
WORKDIR /src
RUN python -m venv /opt/pishran
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY knowledge ./knowledge
COPY handlers ./handlers
COPY storage ./storage
RUN /opt/pishran/bin/pip install --no-cache-dir --upgrade pip \
 && /opt/pishran/bin/pip install --no-cache-dir .

FROM python:3.11-slim
# Pango lays out the PDF report (WeasyPrint); the fonts come from Python packages.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 \
 && rm -rf /var/lib/apt/lists/*
RUN useradd --create-home --uid 10001 pishran
COPY --from=build /opt/pishran /opt/pishran
ENV PATH=/opt/pishran/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    DATABASE_URL=sqlite+aiosqlite:////home/pishran/data/pishran.sqlite3 \
    HOST=0.0.0.0 \
    PORT=8080
USER pishran
WORKDIR /home/pishran
RUN mkdir -p /home/pishran/data
VOLUME ["/home/pishran/data"]
EXPOSE 8080
# The slim image has no curl: Python's urllib asks /healthz (database up, KB active).
# urlopen raises on a refused connection or a non-2xx answer, so the exit code says it all.
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ.get('PORT', '8080') + '/healthz', timeout=4)"]
# `pishran run --webhook` applies migrations on start and, on SIGTERM, finishes the updates it
# accepted before it exits. Polling instead: `docker run ... pishran run` (no web server, so
# also pass --no-healthcheck).
CMD ["pishran", "run", "--webhook"]
