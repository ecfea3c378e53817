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
RUN useradd --create-home --uid 10001 pishran
COPY --from=build /opt/pishran /opt/pishran
ENV PATH=/opt/pishran/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    DATABASE_URL=sqlite+aiosqlite:////home/pishran/data/pishran.sqlite3
USER pishran
WORKDIR /home/pishran
RUN mkdir -p /home/pishran/data
VOLUME ["/home/pishran/data"]
# `pishran run` applies migrations on start; `pishran db upgrade` does it on its own.
CMD ["pishran", "run"]
