"""The service's HTTP API, one module per resource."""
