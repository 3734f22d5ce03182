# Outpost's image: `docker build -t outpost .` then see README ("Run it with Docker").
#
# Two stages: the first installs Outpost and its dependencies into a virtual environment
# (every dependency ships a manylinux wheel, so no compiler is needed, here or after); the
# second copies only that environment onto a fresh slim Python and runs it as a non-root
# user, with the data (the SQLite database) on the /data volume.

ARG PYTHON_IMAGE=python:3.11-slim-bookworm

FROM ${PYTHON_IMAGE} AS build
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ONLY_BINARY=:all:
WORKDIR /src
COPY pyproject.toml README.md LICENSE ./
COPY bot ./bot
COPY handlers ./handlers
COPY storage ./storage
COPY sandbox ./sandbox
# PIP_ONLY_BINARY keeps out any source build of a dependency (there is no compiler); the
# project itself is built from source by its setuptools backend, which needs none either.
RUN python -m venv /opt/outpost \
    && /opt/outpost/bin/pip install --no-binary=outpost . \
    && /opt/outpost/bin/outpost --help > /dev/null

FROM ${PYTHON_IMAGE}
RUN groupadd --system --gid 10001 outpost \
    && useradd --system --uid 10001 --gid outpost --home-dir /data --no-create-home \
       --shell /usr/sbin/nologin outpost \
    && mkdir /data \
    && chown outpost:outpost /data
COPY --from=build /opt/outpost /opt/outpost
ENV PATH=/opt/outpost/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    MPLCONFIGDIR=/tmp/matplotlib \
    OUTPOST_DATA_DIR=/data \
    OUTPOST_HTTP_LISTEN=0.0.0.0:8080
USER 10001:10001
WORKDIR /data
VOLUME ["/data"]
EXPOSE 8080
# `outpost health` asks the bot's own /readyz: the database answers and the polling and
# sending loops came round within OUTPOST_STALL_AFTER (300 s).
HEALTHCHECK --interval=30s --timeout=15s --start-period=60s --retries=3 \
    CMD ["outpost", "health"]
ENTRYPOINT ["outpost"]
CMD ["run"]
