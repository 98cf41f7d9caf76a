"""Prometheus metrics: HTTP requests and latency, model calls/tokens/errors/latency by model,
reply cache hits, jobs by status. Served at GET /metrics.

Names follow Prometheus' conventions: a `fusebrief_` prefix, base units as suffixes (`_seconds`),
`_total` on counters (the client library adds it to the samples), `_duration_seconds` on
latency histograms."""

from prometheus_client import Counter, Gauge, Histogram

HTTP_REQUESTS = Counter(
    "fusebrief_http_requests_total", "HTTP requests answered.", ["method", "route", "status"]
)
HTTP_LATENCY = Histogram(
    "fusebrief_http_request_duration_seconds",
    "Time to answer an HTTP request.",
    ["method", "route"],
    buckets=(0.01, 0.05, 0.1, 0.5, 1, 5, 15, 30, 60, 120, 300, 600),
)
LLM_CALLS = Counter("fusebrief_llm_calls_total", "Model calls that got an answer.", ["model"])
LLM_TOKENS = Counter("fusebrief_llm_tokens_total", "Tokens used.", ["model", "kind"])
LLM_DURATION = Histogram(
    "fusebrief_llm_request_duration_seconds",
    "Time a model call took to answer (each attempt; cache hits are not calls).",
    ["model"],
    buckets=(0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600),
)
LLM_ERRORS = Counter(
    "fusebrief_llm_errors_total", "Model calls that failed (before retries).", ["model", "error"]
)
CACHE_LOOKUPS = Counter(
    "fusebrief_cache_lookups_total", "Reply cache lookups, by result.", ["result"]
)
JOBS = Gauge("fusebrief_jobs", "Jobs in the store by status (queued = queue depth).", ["status"])
